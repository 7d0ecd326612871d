import { z } from 'zod';
import { BadUserInputError, parseInput, type AccessTokenSigner, type Role } from '@market/platform';
import { normalizeEmail, type UserRecord } from '../domain';
import type { UserRepository } from '../repositories/user-repository';
import type { SessionRepository } from '../repositories/session-repository';
import { decoyHash, hashPassword, verifyPassword } from './passwords';

export type SignedIn = { kind: 'signedIn'; accessToken: string; accessTokenExpiresAt: Date; sessionId: string; user: UserRecord };
export type SignUpOutcome = SignedIn | { kind: 'emailTaken'; email: string };
export type SignInOutcome = SignedIn | { kind: 'invalidCredentials' };

const signUpSchema = z.object({
  name: z.string().trim().min(1, 'name must not be empty').max(120, 'name is at most 120 characters'),
  email: z.string().trim().max(254).email('email is not a valid e-mail address'),
  password: z.string().min(10, 'password needs at least 10 characters').max(256, 'password is at most 256 characters'),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9 ()-]{6,24}$/, 'phone must be digits, optionally starting with +')
    .nullish(),
  role: z.enum(['BUYER', 'SELLER', 'AGENT', 'HOST', 'ADMIN']).default('BUYER'),
});

export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

export class AuthService {
  constructor(
    private readonly users: UserRepository,
    private readonly sessions: SessionRepository,
    private readonly signer: AccessTokenSigner,
    private readonly sessionTtlDays: number,
  ) {}

  async signUp(input: unknown, client: ClientInfo): Promise<SignUpOutcome> {
    const data = parseInput(signUpSchema, input);
    if (data.role === 'ADMIN') throw new BadUserInputError('ADMIN cannot be chosen at sign-up; an admin grants it.', { role: ['not allowed'] });
    const email = normalizeEmail(data.email);
    const user = await this.users.create({
      name: data.name,
      email,
      passwordHash: await hashPassword(data.password),
      role: data.role as Role,
      phone: data.phone ?? null,
    });
    if (!user) return { kind: 'emailTaken', email };
    return this.openSession(user, client);
  }

  async signIn(input: { email: string; password: string }, client: ClientInfo): Promise<SignInOutcome> {
    const found = await this.users.findCredentialsByEmail(normalizeEmail(input.email));
    const ok = await verifyPassword(found?.passwordHash ?? (await decoyHash()), input.password);
    if (!found || !ok || found.status !== 'ACTIVE') return { kind: 'invalidCredentials' };
    const { passwordHash: _hash, ...user } = found;
    return this.openSession(user, client);
  }

  private async openSession(user: UserRecord, client: ClientInfo): Promise<SignedIn> {
    const session = await this.sessions.create({
      userId: user.id,
      expiresAt: new Date(Date.now() + this.sessionTtlDays * 86_400_000),
      ipAddress: client.ip,
      userAgent: client.userAgent,
    });
    const { token, expiresAt } = await this.signer.sign({ userId: user.id, role: user.role, sessionId: session.id });
    return { kind: 'signedIn', accessToken: token, accessTokenExpiresAt: expiresAt, sessionId: session.id, user };
  }
}
