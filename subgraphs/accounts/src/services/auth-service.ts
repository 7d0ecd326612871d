import { z } from 'zod';
import {
  BadUserInputError,
  RateLimitedError,
  parseInput,
  requireUser,
  type AccessTokenSigner,
  type AuthContext,
  type Logger,
  type Role,
} from '@market/platform';
import type { CodeCheck, CodePurpose, UserRecord } from '../domain';
import { normalizeEmail } from '../rules/email';
import type { Tx } from '../db';
import type { Mailer } from '../adapters/mailer';
import type { UserRepository } from '../repositories/user-repository';
import type { UserProfileCache } from '../repositories/user-profile-cache';
import type { ClientInfo, SessionRepository } from '../repositories/session-repository';
import type { CodeRepository } from '../repositories/code-repository';
import type { SessionGuard } from './session-guard';
import type { Revocations } from './revocations';
import { codeEmail } from './mail-templates';
import { decoyHash, hashPassword, verifyPassword } from './passwords';
import { accountKey, ipKey, type AccountLimits, type RateLimiter } from './rate-limits';
import {
  CODE_PATTERN,
  CODE_RULES,
  generateCode,
  generateRefreshToken,
  hashRefreshToken,
  REFRESH_TOKEN_PATTERN,
  successorRefreshToken,
  type CodeHasher,
} from './codes-and-tokens';

export type Transaction = <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;

export interface SignedIn {
  kind: 'signedIn';
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
  sessionId: string;
  user: UserRecord;
}

type CodeFailure = { kind: 'invalidCode' } | { kind: 'codeExpired' } | { kind: 'tooManyAttempts' };
type AccountSuspended = { kind: 'accountSuspended' };

export type SignUpOutcome = { kind: 'verificationSent'; email: string; codeExpiresAt: Date } | { kind: 'emailTaken'; email: string };
export type VerifyEmailOutcome = SignedIn | CodeFailure | AccountSuspended;
export type SignInOutcome = SignedIn | { kind: 'invalidCredentials' } | { kind: 'emailNotVerified'; email: string } | AccountSuspended;
export type RefreshOutcome = SignedIn | { kind: 'invalidRefreshToken' } | AccountSuspended;
export type ChangePasswordOutcome = { kind: 'passwordChanged'; endedSessions: number } | { kind: 'invalidCredentials' };
export type ResetPasswordOutcome = { kind: 'passwordReset' } | CodeFailure;

export const passwordSchema = z.string().min(10, 'password needs at least 10 characters').max(256, 'password is at most 256 characters');
const emailSchema = z.string().trim().max(254, 'email is at most 254 characters').email('email is not a valid e-mail address');
const codeSchema = z.string().trim().regex(CODE_PATTERN, 'code is the 6 digits from the e-mail');

const signUpSchema = z.object({
  name: z.string().trim().min(1, 'name must not be empty').max(120, 'name is at most 120 characters'),
  email: emailSchema,
  password: passwordSchema,
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9 ()-]{6,24}$/, 'phone must be digits, optionally starting with +')
    .nullish(),
  role: z.enum(['BUYER', 'SELLER', 'AGENT', 'HOST', 'ADMIN']).default('BUYER'),
});
const signInSchema = z.object({ email: z.string().max(254), password: z.string().max(256) });
const codeInputSchema = z.object({ email: emailSchema, code: codeSchema });

const CODE_FAILURES: Record<Exclude<CodeCheck, 'accepted'>, CodeFailure> = {
  invalid: { kind: 'invalidCode' },
  expired: { kind: 'codeExpired' },
  exhausted: { kind: 'tooManyAttempts' },
};

/** Sign-up, e-mail verification, sign-in, refresh, sign-out and passwords: the rules of identity. */
export class AuthService {
  constructor(
    private readonly deps: {
      users: UserRepository;
      profileCache: UserProfileCache;
      sessions: SessionRepository;
      codes: CodeRepository;
      guard: SessionGuard;
      transaction: Transaction;
      signer: AccessTokenSigner;
      hasher: CodeHasher;
      mailer: Mailer;
      limiter: RateLimiter;
      limits: AccountLimits;
      revocations: Revocations;
      sessionTtlDays: number;
      /** Keys the successor of each refresh token (codes-and-tokens.ts successorRefreshToken). */
      refreshSuccessorKey: Buffer;
      /** A rotated refresh token presented again this soon gets the same new pair instead of ending its session. */
      refreshReuseGraceSeconds: number;
      logger: Logger;
    },
  ) {}

  async emailAvailable(email: string, client: ClientInfo): Promise<boolean> {
    await this.deps.limiter.hit(ipKey('email-check', client.ip), this.deps.limits.emailCheckPerIp);
    const address = normalizeEmail(parseInput(emailSchema, email));
    return !(await this.deps.users.emailExists(address));
  }

  /** Creates an unverified account and e-mails it a code; nobody can sign in to it before verifying. */
  async signUp(input: unknown, client: ClientInfo): Promise<SignUpOutcome> {
    const data = parseInput(signUpSchema, input);
    if (data.role === 'ADMIN')
      throw new BadUserInputError('ADMIN cannot be chosen at sign-up; an admin grants it.', { role: ['not allowed'] });
    await this.deps.limiter.hit(ipKey('sign-up', client.ip), this.deps.limits.signUpPerIp);
    const email = normalizeEmail(data.email);
    const user = await this.deps.users.create({
      name: data.name,
      email,
      passwordHash: await hashPassword(data.password),
      role: data.role as Role,
      phone: data.phone ?? null,
    });
    if (!user) return { kind: 'emailTaken', email };
    // Starts the resend interval, so "resend" right after sign-up is told to wait.
    await this.countSend(email, 'EMAIL_VERIFICATION').catch(ignoreRateLimit);
    const codeExpiresAt = await this.sendCode(user, 'EMAIL_VERIFICATION');
    return { kind: 'verificationSent', email, codeExpiresAt: codeExpiresAt ?? new Date(Date.now() + CODE_RULES.ttlSeconds * 1000) };
  }

  async verifyEmail(args: { email: string; code: string }, client: ClientInfo): Promise<VerifyEmailOutcome> {
    const { email, code } = parseInput(codeInputSchema, args);
    const address = normalizeEmail(email);
    await this.countCodeCheck(address, client);
    const user = await this.deps.users.findByEmail(address);
    if (!user || user.status === 'DELETED') return { kind: 'invalidCode' };
    const check = await this.deps.transaction(async (tx) => {
      const result = await this.deps.codes.check(
        tx,
        user.id,
        'EMAIL_VERIFICATION',
        this.deps.hasher.hash('EMAIL_VERIFICATION', user.id, code),
      );
      if (result === 'accepted') await this.deps.users.markEmailVerified(tx, user.id);
      return result;
    });
    if (check !== 'accepted') return CODE_FAILURES[check];
    await this.deps.profileCache.invalidate(user.id);
    if (user.status === 'SUSPENDED') return { kind: 'accountSuspended' };
    return this.openSession({ ...user, emailVerifiedAt: user.emailVerifiedAt ?? new Date() }, client);
  }

  /** Same answer whether or not the account exists; only unverified, active accounts get a code. */
  async resendVerificationCode(email: string, client: ClientInfo): Promise<void> {
    const address = normalizeEmail(parseInput(emailSchema, email));
    await this.countSend(address, 'EMAIL_VERIFICATION', client);
    const user = await this.deps.users.findByEmail(address);
    if (user && user.status === 'ACTIVE' && !user.emailVerifiedAt) await this.sendCode(user, 'EMAIL_VERIFICATION');
  }

  async signIn(input: unknown, client: ClientInfo): Promise<SignInOutcome> {
    const data = parseInput(signInSchema, input);
    const email = normalizeEmail(data.email);
    await this.deps.limiter.hit(ipKey('sign-in', client.ip), this.deps.limits.signInPerIp);
    await this.deps.limiter.hit(accountKey('sign-in', email), this.deps.limits.signInPerAccount);
    const found = await this.deps.users.findCredentialsByEmail(email);
    const ok = await verifyPassword(found?.passwordHash ?? (await decoyHash()), data.password);
    if (!found || !ok || found.status === 'DELETED') return { kind: 'invalidCredentials' };
    if (found.status === 'SUSPENDED') return { kind: 'accountSuspended' };
    if (!found.emailVerifiedAt) return { kind: 'emailNotVerified', email };
    const { passwordHash: _hash, ...user } = found;
    return this.openSession(user, client);
  }

  /** Rotates a refresh token; presenting one that was already rotated ends its whole session. */
  async refresh(refreshToken: string, client: ClientInfo): Promise<RefreshOutcome> {
    await this.deps.limiter.hit(ipKey('refresh', client.ip), this.deps.limits.refreshPerIp);
    if (!REFRESH_TOKEN_PATTERN.test(refreshToken)) return { kind: 'invalidRefreshToken' };
    const next = successorRefreshToken(this.deps.refreshSuccessorKey, refreshToken);
    let user: UserRecord | null = null;
    const rotation = await this.deps.sessions.rotate(
      hashRefreshToken(refreshToken),
      { hash: next.hash, client },
      async (tx, userId) => {
        user = await this.deps.users.findById(userId, tx);
        return user?.status === 'ACTIVE';
      },
      this.deps.refreshReuseGraceSeconds,
    );
    if (rotation.kind === 'reused') {
      this.deps.logger.warn({ ip: client.ip }, 'a rotated refresh token was presented again: its session was revoked');
      await this.deps.revocations.sessions([rotation.sessionId], 'REFRESH_TOKEN_REUSE');
    }
    if (rotation.kind === 'ended' && rotation.userId) {
      const owner = await this.deps.users.findById(rotation.userId);
      if (owner?.status === 'SUSPENDED') return { kind: 'accountSuspended' };
    }
    const current = user as UserRecord | null;
    if (rotation.kind !== 'rotated' || !current) return { kind: 'invalidRefreshToken' };
    const access = await this.deps.signer.sign({ userId: current.id, role: current.role, sessionId: rotation.session.id });
    return {
      kind: 'signedIn',
      accessToken: access.token,
      accessTokenExpiresAt: access.expiresAt,
      refreshToken: next.token,
      refreshTokenExpiresAt: rotation.session.expiresAt,
      sessionId: rotation.session.id,
      user: current,
    };
  }

  /** Ends the session the request was made with; the gateway refuses its access tokens from now on. */
  async logout(ctx: AuthContext): Promise<true> {
    const identity = requireUser(ctx);
    const ended = await this.deps.sessions.revoke(identity.sessionId, identity.userId, 'LOGOUT');
    if (ended) await this.deps.revocations.sessions([ended.id], 'LOGOUT');
    return true;
  }

  async changePassword(ctx: AuthContext, args: { currentPassword: string; newPassword: string }): Promise<ChangePasswordOutcome> {
    const caller = await this.deps.guard.active(ctx);
    const newPassword = parseInput(z.object({ newPassword: passwordSchema }), args).newPassword;
    if (newPassword === args.currentPassword) {
      throw new BadUserInputError('The new password must differ from the current one.', { newPassword: ['is the current password'] });
    }
    await this.deps.limiter.hit(accountKey('password', caller.userId), this.deps.limits.passwordCheckPerAccount);
    const credentials = await this.deps.users.findCredentialsById(caller.userId);
    if (!credentials || !(await verifyPassword(credentials.passwordHash, args.currentPassword))) return { kind: 'invalidCredentials' };
    const passwordHash = await hashPassword(newPassword);
    const endedSessions = await this.deps.transaction(async (tx) => {
      await this.deps.users.setPassword(tx, caller.userId, passwordHash);
      return this.deps.sessions.revokeAll(tx, caller.userId, 'PASSWORD_CHANGED', caller.sessionId);
    });
    await this.deps.revocations.sessions(endedSessions, 'PASSWORD_CHANGED');
    return { kind: 'passwordChanged', endedSessions: endedSessions.length };
  }

  /** Same answer whether or not the account exists. */
  async requestPasswordReset(email: string, client: ClientInfo): Promise<void> {
    const address = normalizeEmail(parseInput(emailSchema, email));
    await this.countSend(address, 'PASSWORD_RESET', client);
    const user = await this.deps.users.findByEmail(address);
    if (user && user.status === 'ACTIVE') await this.sendCode(user, 'PASSWORD_RESET');
  }

  /**
   * Sets a new password with an e-mailed code. Ends every session, and confirms the address (the
   * code reached it), which also lets the real owner take back an address someone else signed up with.
   */
  async resetPassword(args: { email: string; code: string; newPassword: string }, client: ClientInfo): Promise<ResetPasswordOutcome> {
    const { email, code, newPassword } = parseInput(codeInputSchema.extend({ newPassword: passwordSchema }), args);
    const address = normalizeEmail(email);
    await this.countCodeCheck(address, client);
    const user = await this.deps.users.findByEmail(address);
    if (!user || user.status === 'DELETED') return { kind: 'invalidCode' };
    const passwordHash = await hashPassword(newPassword);
    let endedSessions: string[] = [];
    const check = await this.deps.transaction(async (tx) => {
      const result = await this.deps.codes.check(tx, user.id, 'PASSWORD_RESET', this.deps.hasher.hash('PASSWORD_RESET', user.id, code));
      if (result !== 'accepted') return result;
      await this.deps.users.setPassword(tx, user.id, passwordHash);
      await this.deps.users.markEmailVerified(tx, user.id);
      endedSessions = await this.deps.sessions.revokeAll(tx, user.id, 'PASSWORD_RESET');
      return result;
    });
    // By session, not user-wide: the owner usually signs in again within the same second.
    await this.deps.revocations.sessions(endedSessions, 'PASSWORD_RESET');
    // The reset may have verified the address.
    if (check === 'accepted') await this.deps.profileCache.invalidate(user.id);
    return check === 'accepted' ? { kind: 'passwordReset' } : CODE_FAILURES[check];
  }

  private async openSession(user: UserRecord, client: ClientInfo): Promise<SignedIn> {
    const refresh = generateRefreshToken();
    const session = await this.deps.sessions.open({
      userId: user.id,
      expiresAt: new Date(Date.now() + this.deps.sessionTtlDays * 86_400_000),
      client,
      refreshTokenHash: refresh.hash,
    });
    const access = await this.deps.signer.sign({ userId: user.id, role: user.role, sessionId: session.id });
    return {
      kind: 'signedIn',
      accessToken: access.token,
      accessTokenExpiresAt: access.expiresAt,
      refreshToken: refresh.token,
      refreshTokenExpiresAt: session.expiresAt,
      sessionId: session.id,
      user,
    };
  }

  /**
   * Issues and e-mails a code unless the database's per-account throttle says it is too soon (then
   * nothing is sent, silently: the answer must not tell whether the account exists). A failed
   * delivery is logged, not shown: the user can ask again.
   */
  private async sendCode(user: UserRecord, purpose: CodePurpose): Promise<Date | null> {
    const code = generateCode();
    const expiresAt = await this.deps.codes.issue(user.id, purpose, this.deps.hasher.hash(purpose, user.id, code));
    if (!expiresAt) return null;
    try {
      await this.deps.mailer.send(codeEmail(user.email, purpose, code, CODE_RULES.ttlSeconds / 60));
    } catch (err) {
      this.deps.logger.error({ err, userId: user.id, purpose }, 'could not send a one-time code');
    }
    return expiresAt;
  }

  /** Counted per address whether or not an account uses it, so RATE_LIMITED reveals nothing. */
  private async countSend(email: string, purpose: CodePurpose, client?: ClientInfo): Promise<void> {
    if (client) await this.deps.limiter.hit(ipKey('code-send', client.ip), this.deps.limits.codeSendPerIp);
    await this.deps.limiter.hit(accountKey(`code-send-minute:${purpose}`, email), this.deps.limits.codeSendInterval);
    await this.deps.limiter.hit(accountKey(`code-send-hour:${purpose}`, email), this.deps.limits.codeSendHourly);
  }

  private async countCodeCheck(email: string, client: ClientInfo): Promise<void> {
    await this.deps.limiter.hit(ipKey('code-check', client.ip), this.deps.limits.codeCheckPerIp);
    await this.deps.limiter.hit(accountKey('code-check', email), this.deps.limits.codeCheckPerAccount);
  }
}

function ignoreRateLimit(err: unknown): void {
  if (!(err instanceof RateLimitedError)) throw err;
}
