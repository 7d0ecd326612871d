import type { Redis } from 'ioredis';
import type { Identity } from './identity';
import type { Logger } from './logger';
import { LogThrottle, REDIS_CONNECTION_DEFAULTS, describeError } from './redis/connection';
import type { AccessTokenVerifier, VerifyTokenClaimsResult } from './tokens';

/**
 * Sessions and users whose access tokens must stop working before they expire.
 *
 * Accounts is the truth (its database says which sessions ended and which users may act); this
 * port carries that news to the gateway, which checks every token against it. An entry only needs
 * to outlive the tokens it refuses, so it expires after the longest access-token lifetime (plus
 * a little clock skew) and the store stays small.
 */
export interface SessionRevocations {
  /** Every token of these sessions is refused from now on. */
  revokeSessions(sessionIds: readonly string[]): Promise<void>;
  /** Every token of this user issued up to now (`iat` at or before this moment) is refused. */
  revokeUser(userId: string): Promise<void>;
  /**
   * Forgets a user-wide revocation, for example when a suspension is lifted, so that tokens issued
   * in the same second as the revocation (an `iat` has second precision) work again. Sessions
   * revoked by id stay revoked.
   */
  reinstateUser(userId: string): Promise<void>;
  /** Whether a verified token may still be used. */
  check(token: { identity: Identity; issuedAt: number }): Promise<'ok' | 'revoked'>;
}

/** The longest access-token lifetime (accounts' ACCESS_TOKEN_TTL_SECONDS caps at 900) plus clock skew. */
export const DEFAULT_REVOCATION_TTL_SECONDS = 900 + 60;

/** What a client reads when its token belongs to a session that ended or a user who may not act. */
export const SESSION_ENDED_MESSAGE = 'This session has ended: sign in again.';

/** A user-wide revocation covers tokens issued in the same second: `iat` has no finer precision. */
function issuedBeforeOrAt(issuedAtSeconds: number, revokedAtMs: number): boolean {
  return issuedAtSeconds <= Math.floor(revokedAtMs / 1000);
}

export interface MemorySessionRevocationsOptions {
  ttlSeconds?: number;
  now?: () => number;
}

/**
 * Embedded mode: one instance shared by accounts and the gateway in the same process. Expired
 * entries are swept on writes, so memory holds at most one TTL's worth of revocations.
 */
export class MemorySessionRevocations implements SessionRevocations {
  private readonly sessions = new Map<string, number>();
  /** userId → [revoked at (ms), entry expires at (ms)] */
  private readonly users = new Map<string, [number, number]>();
  private readonly ttlMs: number;
  private readonly now: () => number;
  private lastSweep = 0;

  constructor(options: MemorySessionRevocationsOptions = {}) {
    this.ttlMs = (options.ttlSeconds ?? DEFAULT_REVOCATION_TTL_SECONDS) * 1000;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.sessions.size + this.users.size;
  }

  async revokeSessions(sessionIds: readonly string[]): Promise<void> {
    const now = this.now();
    this.sweep(now);
    for (const id of sessionIds) this.sessions.set(id, now + this.ttlMs);
  }

  async revokeUser(userId: string): Promise<void> {
    const now = this.now();
    this.sweep(now);
    this.users.set(userId, [now, now + this.ttlMs]);
  }

  async reinstateUser(userId: string): Promise<void> {
    this.users.delete(userId);
  }

  async check(token: { identity: Identity; issuedAt: number }): Promise<'ok' | 'revoked'> {
    const now = this.now();
    const session = this.sessions.get(token.identity.sessionId);
    if (session !== undefined && session > now) return 'revoked';
    const user = this.users.get(token.identity.userId);
    if (user && user[1] > now && issuedBeforeOrAt(token.issuedAt, user[0])) return 'revoked';
    return 'ok';
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < 10_000) return;
    this.lastSweep = now;
    for (const [id, expires] of this.sessions) if (expires <= now) this.sessions.delete(id);
    for (const [id, [, expires]] of this.users) if (expires <= now) this.users.delete(id);
  }
}

export interface RedisSessionRevocationsOptions {
  /** Namespace of the keys, shared by accounts (writer) and every gateway (reader): `market:revoked:` by default. */
  prefix?: string;
  ttlSeconds?: number;
  logIntervalMs?: number;
  now?: () => number;
}

export const DEFAULT_REVOCATION_PREFIX = 'market:revoked:';

/**
 * Production: `<prefix>s:<sessionId>` and `<prefix>u:<userId>` (the revocation time in ms), each
 * SET with EX; a check is one MGET of both keys. A write fails loudly (the caller logs it); a
 * check that cannot reach Redis answers 'ok' with a rate-limited warning: the gateway keeps serving
 * during a Redis outage, and for its duration revoked tokens work until they expire, as they did
 * before this port existed (accounts still refuses them from its own database).
 */
export class RedisSessionRevocations implements SessionRevocations {
  private readonly prefix: string;
  private readonly ttlSeconds: number;
  private readonly throttle: LogThrottle;
  private readonly now: () => number;

  constructor(
    private readonly client: Redis,
    private readonly logger: Logger,
    options: RedisSessionRevocationsOptions = {},
  ) {
    this.prefix = options.prefix ?? DEFAULT_REVOCATION_PREFIX;
    this.ttlSeconds = options.ttlSeconds ?? DEFAULT_REVOCATION_TTL_SECONDS;
    this.throttle = new LogThrottle(options.logIntervalMs ?? REDIS_CONNECTION_DEFAULTS.logIntervalMs);
    this.now = options.now ?? Date.now;
  }

  async revokeSessions(sessionIds: readonly string[]): Promise<void> {
    if (sessionIds.length === 0) return;
    // MSET takes no TTL: one pipelined SET EX per key, a single round trip.
    const pipeline = this.client.pipeline();
    for (const id of sessionIds) pipeline.set(this.sessionKey(id), '1', 'EX', this.ttlSeconds);
    const failed = (await pipeline.exec())?.find(([err]) => err);
    if (failed?.[0]) throw failed[0];
  }

  async revokeUser(userId: string): Promise<void> {
    await this.client.set(this.userKey(userId), String(this.now()), 'EX', this.ttlSeconds);
  }

  async reinstateUser(userId: string): Promise<void> {
    await this.client.del(this.userKey(userId));
  }

  async check(token: { identity: Identity; issuedAt: number }): Promise<'ok' | 'revoked'> {
    let session: string | null;
    let user: string | null;
    try {
      [session, user] = (await this.client.mget(this.sessionKey(token.identity.sessionId), this.userKey(token.identity.userId))) as [
        string | null,
        string | null,
      ];
    } catch (err) {
      this.throttle.log(
        this.logger,
        'warn',
        'check',
        { error: describeError(err) },
        'session revocations unavailable: tokens are accepted without the revocation check until Redis answers',
      );
      return 'ok';
    }
    if (session !== null) return 'revoked';
    if (user !== null && issuedBeforeOrAt(token.issuedAt, Number(user))) return 'revoked';
    return 'ok';
  }

  private sessionKey(sessionId: string): string {
    return `${this.prefix}s:${sessionId}`;
  }

  private userKey(userId: string): string {
    return `${this.prefix}u:${userId}`;
  }
}

/** A verified token's verdict once revocations are consulted. */
export type SessionTokenVerdict = VerifyTokenClaimsResult | { ok: false; reason: 'revoked' };

/**
 * Verifies an access token and, when a revocation store is given, refuses the tokens of ended
 * sessions and of users who may no longer act.
 */
export async function verifySessionToken(
  verifier: Pick<AccessTokenVerifier, 'verifyClaims'>,
  revocations: SessionRevocations | null,
  token: string,
): Promise<SessionTokenVerdict> {
  const verdict = await verifier.verifyClaims(token);
  if (!verdict.ok || !revocations) return verdict;
  return (await revocations.check(verdict)) === 'revoked' ? { ok: false, reason: 'revoked' } : verdict;
}
