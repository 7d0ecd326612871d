import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Identity } from './identity';
import type { Logger } from './logger';
import { LogThrottle, REDIS_CONNECTION_DEFAULTS, describeError, whenReady } from './redis/connection';
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

/**
 * News of a revocation, published when it is recorded so every gateway replica can close the open
 * sockets of those sessions at once (a socket's token was checked when it connected, not since).
 */
export type Revocation = { kind: 'sessions'; sessionIds: string[] } | { kind: 'user'; userId: string; revokedAt: number };

/** Where a gateway hears of revocations as they happen. */
export interface RevocationFeed {
  onRevoked(listener: (revocation: Revocation) => void): () => void;
}

/** Whether a revocation covers a token of this identity issued at `issuedAt` (seconds). */
export function revocationCovers(revocation: Revocation, token: { identity: Identity; issuedAt: number }): boolean {
  if (revocation.kind === 'sessions') return revocation.sessionIds.includes(token.identity.sessionId);
  return revocation.userId === token.identity.userId && issuedBeforeOrAt(token.issuedAt, revocation.revokedAt);
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
export class MemorySessionRevocations implements SessionRevocations, RevocationFeed {
  private readonly listeners = new Set<(revocation: Revocation) => void>();
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
    this.emit({ kind: 'sessions', sessionIds: [...sessionIds] });
  }

  onRevoked(listener: (revocation: Revocation) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(revocation: Revocation): void {
    for (const listener of this.listeners) listener(revocation);
  }

  async revokeUser(userId: string): Promise<void> {
    const now = this.now();
    this.sweep(now);
    this.users.set(userId, [now, now + this.ttlMs]);
    this.emit({ kind: 'user', userId, revokedAt: now });
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
    // A logout right after start must not race the connection (commands fail at once while it is not ready).
    await whenReady(this.client, REDIS_CONNECTION_DEFAULTS.commandTimeoutMs);
    // MSET takes no TTL: one pipelined SET EX per key and the news, a single round trip.
    const pipeline = this.client.pipeline();
    for (const id of sessionIds) pipeline.set(this.sessionKey(id), '1', 'EX', this.ttlSeconds);
    pipeline.publish(
      revocationChannel(this.prefix),
      JSON.stringify({ kind: 'sessions', sessionIds: [...sessionIds] } satisfies Revocation),
    );
    const failed = (await pipeline.exec())?.find(([err]) => err);
    if (failed?.[0]) throw failed[0];
  }

  async revokeUser(userId: string): Promise<void> {
    const revokedAt = this.now();
    await whenReady(this.client, REDIS_CONNECTION_DEFAULTS.commandTimeoutMs);
    const pipeline = this.client.pipeline();
    pipeline.set(this.userKey(userId), String(revokedAt), 'EX', this.ttlSeconds);
    pipeline.publish(revocationChannel(this.prefix), JSON.stringify({ kind: 'user', userId, revokedAt } satisfies Revocation));
    const failed = (await pipeline.exec())?.find(([err]) => err);
    if (failed?.[0]) throw failed[0];
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

/** The pub/sub channel revocations are announced on, next to their keys. */
export function revocationChannel(prefix: string = DEFAULT_REVOCATION_PREFIX): string {
  return `${prefix}events`;
}

const revocationSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('sessions'), sessionIds: z.array(z.string()).max(10_000) }),
  z.object({ kind: z.literal('user'), userId: z.string(), revokedAt: z.number() }),
]);

/**
 * A gateway's ear on the revocation channel, on a connection of its own (a subscribing Redis
 * connection can do nothing else). Pub/sub is at-most-once: a revocation announced while this
 * connection is down is not heard, but its key is still checked by every later subscribe and
 * connection, and accounts announces again what it could not write (services/revocations.ts).
 */
export class RedisRevocationFeed implements RevocationFeed {
  private readonly listeners = new Set<(revocation: Revocation) => void>();
  private wanted = false;
  private markSubscribed!: () => void;
  private readonly subscribed = new Promise<void>((resolve) => {
    this.markSubscribed = resolve;
  });

  constructor(
    private readonly subscriber: Redis,
    private readonly logger: Logger,
    private readonly prefix: string = DEFAULT_REVOCATION_PREFIX,
  ) {
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== revocationChannel(this.prefix)) return;
      let parsed: Revocation;
      try {
        parsed = revocationSchema.parse(JSON.parse(message));
      } catch (err) {
        this.logger.warn({ error: describeError(err) }, 'ignored a malformed revocation announcement');
        return;
      }
      for (const listener of this.listeners) listener(parsed);
    });
    // Commands fail while the connection is down (no offline queue), so (re)subscribe whenever it is ready.
    subscriber.on('ready', () => {
      if (this.wanted) this.subscribe();
    });
  }

  onRevoked(listener: (revocation: Revocation) => void): () => void {
    this.listeners.add(listener);
    if (!this.wanted) {
      this.wanted = true;
      if (this.subscriber.status === 'ready') this.subscribe();
    }
    return () => this.listeners.delete(listener);
  }

  /** Resolves once the channel is subscribed (tests wait for it). */
  ready(): Promise<void> {
    return this.subscribed;
  }

  private subscribe(): void {
    this.subscriber.subscribe(revocationChannel(this.prefix)).then(
      () => this.markSubscribed(),
      (err: unknown) =>
        this.logger.warn(
          { error: describeError(err) },
          'could not subscribe to revocation announcements; sockets close at their next subscribe or expiry',
        ),
    );
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
