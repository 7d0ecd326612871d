import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { ForbiddenError, UnauthenticatedError } from './errors';

export const ROLES = ['BUYER', 'SELLER', 'AGENT', 'HOST', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, as verified by the gateway. */
export interface Identity {
  userId: string;
  role: Role;
  sessionId: string;
}

const identitySchema = z.object({
  userId: z.string().min(1),
  role: z.enum(ROLES),
  sessionId: z.string().min(1),
});

/** Who is calling and from where: the verified identity (if any) and the client's address and agent. */
export interface Caller {
  identity: Identity | null;
  ip: string | null;
  userAgent: string | null;
}

const callerSchema = z.object({
  identity: identitySchema.nullable(),
  ip: z.string().max(64).nullable(),
  userAgent: z.string().max(512).nullable(),
});

/** Headers the gateway sets on every subgraph request; a client can never set them (they are rebuilt). */
export const CALLER_HEADER = 'x-market-caller';
export const SIGNATURE_HEADER = 'x-market-signature';
export const REQUEST_ID_HEADER = 'x-request-id';

/** A signature older than this (or this far in the future) is refused, so captured requests go stale. */
const MAX_SKEW_MS = 60_000;

export function encodeCaller(caller: Caller): string {
  return Buffer.from(JSON.stringify(caller)).toString('base64url');
}

function mac(
  secret: string,
  timestamp: string,
  nonce: string,
  callerHeader: string,
  requestId: string,
  body: string | Buffer,
  traceparent = '',
) {
  const bodyHash = createHash('sha256').update(body).digest('hex');
  // The trace context is signed too (after the fixed-length body hash, so fields cannot shift), so
  // nobody but the gateway can attach a subgraph's work to a trace of their choosing.
  return createHmac('sha256', secret)
    .update(`${timestamp}.${nonce}.${callerHeader}.${requestId}.${bodyHash}${traceparent ? `.${traceparent}` : ''}`)
    .digest('hex');
}

/**
 * Signs exactly the bytes that go over the wire, binding caller, request id and body together,
 * with a fresh random nonce so that every signature is unique and a receiver can refuse one it has
 * already seen (verifySignedCall).
 */
export function signRequest(
  secret: string,
  input: { callerHeader: string; requestId: string; body: string | Buffer; now?: number; traceparent?: string | undefined },
): string {
  const t = String(input.now ?? Date.now());
  const n = randomBytes(16).toString('hex');
  return `t=${t},n=${n},v1=${mac(secret, t, n, input.callerHeader, input.requestId, input.body, input.traceparent)}`;
}

export type VerifyResult =
  { ok: true; caller: Caller; /** The signature's nonce, unique per signed call. */ nonce: string } | { ok: false; reason: string };

/** Checks a subgraph request: signature present, fresh, matching the body; identity well formed. */
export function verifyRequest(
  secret: string,
  input: {
    signatureHeader: string | undefined;
    callerHeader: string | undefined;
    requestId: string | undefined;
    body: string | Buffer;
    now?: number;
    /** The request's `traceparent` header, if any: it must be the one the gateway signed. */
    traceparent?: string | undefined;
  },
): VerifyResult {
  const header = input.signatureHeader;
  if (!header) return { ok: false, reason: 'missing gateway signature' };
  const match = /^t=(\d{1,16}),n=([0-9a-f]{32}),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return { ok: false, reason: 'malformed gateway signature' };
  const [, t, nonce, given] = match as unknown as [string, string, string, string];
  const now = input.now ?? Date.now();
  if (Math.abs(now - Number(t)) > MAX_SKEW_MS) return { ok: false, reason: 'stale gateway signature' };
  const callerHeader = input.callerHeader ?? '';
  const expected = mac(secret, t, nonce, callerHeader, input.requestId ?? '', input.body, input.traceparent);
  if (!timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(given, 'hex'))) {
    return { ok: false, reason: 'bad gateway signature' };
  }
  try {
    const parsed = callerSchema.safeParse(JSON.parse(Buffer.from(callerHeader, 'base64url').toString('utf8')));
    if (!parsed.success) return { ok: false, reason: 'malformed caller' };
    return { ok: true, caller: parsed.data, nonce };
  } catch {
    return { ok: false, reason: 'malformed caller' };
  }
}

/** How long a nonce must be remembered: as long as its signature can be accepted (±MAX_SKEW_MS), and a little more. */
export const NONCE_TTL_MS = 2 * MAX_SKEW_MS + 5_000;

/** Nonces of signed calls already served; `claim` answers true only the first time. */
export interface NonceStore {
  claim(nonce: string): Promise<boolean>;
}

/** One process's memory: enough for one replica (embedded mode, tests). */
export class MemoryNonceStore implements NonceStore {
  private readonly seen = new Map<string, number>();
  private lastSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async claim(nonce: string): Promise<boolean> {
    const now = this.now();
    if (now - this.lastSweep > 10_000) {
      this.lastSweep = now;
      for (const [n, expires] of this.seen) if (expires <= now) this.seen.delete(n);
    }
    const expires = this.seen.get(nonce);
    if (expires !== undefined && expires > now) return false;
    this.seen.set(nonce, now + NONCE_TTL_MS);
    return true;
  }
}

/**
 * Shared by every replica of a subgraph (a replay sent to another replica is refused too):
 * `SET NX PX`. When Redis cannot answer, the process's own memory decides, so a Redis outage
 * neither stops the subgraph nor lets a replay through the same replica.
 */
export class RedisNonceStore implements NonceStore {
  private readonly fallback = new MemoryNonceStore();

  constructor(
    private readonly client: Redis,
    private readonly prefix = 'market:nonce:',
  ) {}

  async claim(nonce: string): Promise<boolean> {
    const local = await this.fallback.claim(nonce);
    if (!local) return false;
    try {
      return (await this.client.set(`${this.prefix}${nonce}`, '1', 'PX', NONCE_TTL_MS, 'NX')) === 'OK';
    } catch {
      return true;
    }
  }
}

/** The default store of a process whose host did not give one. */
export const PROCESS_NONCES: NonceStore = new MemoryNonceStore();

/**
 * verifyRequest, and single use: a signed call whose nonce was already served (a captured request
 * replayed within the signature's 60 s) is refused.
 */
export async function verifySignedCall(
  secret: string,
  input: Parameters<typeof verifyRequest>[1],
  nonces: NonceStore = PROCESS_NONCES,
): Promise<VerifyResult> {
  const verdict = verifyRequest(secret, input);
  if (!verdict.ok) return verdict;
  if (!(await nonces.claim(verdict.nonce))) return { ok: false, reason: 'replayed gateway signature' };
  return verdict;
}

/** What every resolver context carries. */
export interface AuthContext {
  identity: Identity | null;
}

/** Resolvers call this to require a signed-in caller. */
export function requireUser(ctx: AuthContext): Identity {
  if (!ctx.identity) throw new UnauthenticatedError();
  return ctx.identity;
}

/** Resolvers call this to require one of the given roles (admins always pass). */
export function requireRole(ctx: AuthContext, ...roles: Role[]): Identity {
  const identity = requireUser(ctx);
  if (identity.role === 'ADMIN' || roles.includes(identity.role)) return identity;
  throw new ForbiddenError(`This needs one of the roles ${roles.join(', ')}; you are ${identity.role}.`);
}

export function isAdmin(ctx: AuthContext): boolean {
  return ctx.identity?.role === 'ADMIN';
}

/** The caller must be this user, or an admin. */
export function requireSelfOrAdmin(ctx: AuthContext, userId: string): Identity {
  const identity = requireUser(ctx);
  if (identity.userId !== userId && identity.role !== 'ADMIN') throw new ForbiddenError();
  return identity;
}
