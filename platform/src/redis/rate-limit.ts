import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger';
import { RateLimitedError } from '../errors';
import { LogThrottle, REDIS_CONNECTION_DEFAULTS, describeError } from './connection';

export interface RateLimitRule {
  /** At most this many (units of cost) in any window of `windowSeconds`. */
  limit: number;
  windowSeconds: number;
  /** Units this call uses; 1 unless given. */
  cost?: number;
  /**
   * The answer when the limiter's store cannot be reached. 'allow' (the default) for limits that
   * protect capacity: a Redis outage must not take the whole API down with it. 'deny' for limits
   * that stop brute force (OTP checks, sign-in, OTP resend): an outage, which an attacker may even
   * provoke, must not open an unlimited window.
   */
  onUnavailable?: 'allow' | 'deny';
  /** Plural noun for the client's message, "Too many <what>": 'sign-in attempts', 'codes'. */
  what?: string;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** Units still available in the current window after this call. */
  remaining: number;
  /** 0 when allowed; otherwise whole seconds until this call would be allowed. */
  retryAfterSeconds: number;
  /** The store was unreachable and the rule's `onUnavailable` decided. */
  degraded?: true;
}

/**
 * Counts calls per key in a sliding window. Keys name the subject and the rule, for example
 * `otp-verify:account:<id>`; count per account (or per target) where aliases and batching
 * would defeat per-request limits.
 */
export interface RateLimiter {
  consume(key: string, rule: RateLimitRule): Promise<RateLimitDecision>;
  /** Consumes, and throws `RateLimitedError` (code RATE_LIMITED, `retryAfterSeconds`) when not allowed. */
  hit(key: string, rule: RateLimitRule): Promise<RateLimitDecision>;
}

/**
 * Per-user limits on a service's writes (`sendMessage`, `createPost`, ...), counted in the shared
 * limiter (Redis when configured, so every replica counts together). Set far above a person's pace,
 * they stop a script flooding others; they protect capacity, so a limiter outage lets writes through
 * unless a rule says otherwise.
 */
export class PerUserLimits<W extends string> {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly rules: Readonly<Record<W, RateLimitRule>>,
  ) {}

  /** Counts one write of this user; beyond the limit, throws RATE_LIMITED with `retryAfterSeconds`. */
  async count(write: W, userId: string): Promise<void> {
    await this.limiter.hit(`${write}:user:${userId.toLowerCase()}`, this.rules[write]);
  }
}

/**
 * The log keeps one entry per unit used in the window, so its memory grows with the limit; limits
 * above this belong to a counter-based algorithm.
 */
export const MAX_RATE_LIMIT = 10_000;
/** The retry hint given when a 'deny' rule meets an unreachable store (capped by the window). */
const UNAVAILABLE_RETRY_SECONDS = 30;

interface CheckedRule {
  limit: number;
  windowMs: number;
  cost: number;
}

function checkRule(key: string, rule: RateLimitRule): CheckedRule {
  const cost = rule.cost ?? 1;
  if (!key) throw new RangeError('rate limit key must not be empty');
  if (!Number.isInteger(rule.limit) || rule.limit < 1 || rule.limit > MAX_RATE_LIMIT) {
    throw new RangeError(`rate limit must be an integer in 1..${MAX_RATE_LIMIT}, got ${rule.limit}`);
  }
  if (!(rule.windowSeconds > 0 && Number.isFinite(rule.windowSeconds))) {
    throw new RangeError(`rate limit window must be a positive number of seconds, got ${rule.windowSeconds}`);
  }
  if (!Number.isInteger(cost) || cost < 1 || cost > rule.limit) {
    throw new RangeError(`rate limit cost must be an integer in 1..limit, got ${cost}`);
  }
  return { limit: rule.limit, windowMs: Math.max(1, Math.round(rule.windowSeconds * 1000)), cost };
}

function toSeconds(ms: number): number {
  return ms <= 0 ? 0 : Math.max(1, Math.ceil(ms / 1000));
}

abstract class BaseRateLimiter implements RateLimiter {
  abstract consume(key: string, rule: RateLimitRule): Promise<RateLimitDecision>;

  async hit(key: string, rule: RateLimitRule): Promise<RateLimitDecision> {
    const decision = await this.consume(key, rule);
    if (!decision.allowed) throw new RateLimitedError(decision.retryAfterSeconds, rule.what);
    return decision;
  }
}

/**
 * Sliding-window log, atomic in one Lua script: drop entries older than the window, count, and add
 * `cost` entries only if they fit. Chosen over GCRA because it enforces exactly what the rule says,
 * "at most N in any window", which is what brute-force limits need: GCRA with a burst of N lets
 * close to 2N through in one window. The price, memory proportional to the limit, is small at the
 * limits used here (see MAX_RATE_LIMIT). Time comes from the Redis server, so replicas with skewed
 * clocks share one timeline; every key expires one window after its last accepted call.
 */
const SLIDING_WINDOW_LOG = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local used = redis.call('ZCARD', KEYS[1])
if used + cost <= limit then
  for i = 1, cost do
    redis.call('ZADD', KEYS[1], now, ARGV[4] .. ':' .. i)
  end
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, limit - used - cost, 0}
end
local freeing = redis.call('ZRANGE', KEYS[1], used + cost - limit - 1, used + cost - limit - 1, 'WITHSCORES')
return {0, math.max(limit - used, 0), tonumber(freeing[2]) + window - now}
`;
const SLIDING_WINDOW_LOG_SHA = createHash('sha1').update(SLIDING_WINDOW_LOG).digest('hex');

export interface RedisRateLimiterOptions {
  /** Namespace of the limiter's keys, for example `market:accounts:rl:`. */
  prefix: string;
  logIntervalMs?: number;
}

/** The production limiter: one Redis sorted set per key, shared by every replica. */
export class RedisRateLimiter extends BaseRateLimiter {
  private readonly prefix: string;
  private readonly throttle: LogThrottle;
  /** Members must be unique across replicas and calls in the same millisecond. */
  private readonly instance = randomBytes(6).toString('base64url');
  private calls = 0;

  constructor(
    private readonly client: Redis,
    private readonly logger: Logger,
    options: RedisRateLimiterOptions,
  ) {
    super();
    this.prefix = options.prefix;
    this.throttle = new LogThrottle(options.logIntervalMs ?? REDIS_CONNECTION_DEFAULTS.logIntervalMs);
  }

  async consume(key: string, rule: RateLimitRule): Promise<RateLimitDecision> {
    const r = checkRule(key, rule);
    const args = [this.prefix + key, r.limit, r.windowMs, r.cost, `${this.instance}:${++this.calls}`];
    let reply: unknown;
    try {
      try {
        reply = await this.client.evalsha(SLIDING_WINDOW_LOG_SHA, 1, ...args);
      } catch (err) {
        if (!(err instanceof Error && err.message.startsWith('NOSCRIPT'))) throw err;
        reply = await this.client.eval(SLIDING_WINDOW_LOG, 1, ...args);
      }
    } catch (err) {
      return this.unavailable(key, rule, r, err);
    }
    const [allowed, remaining, retryAfterMs] = reply as [number, number, number];
    return { allowed: allowed === 1, remaining, retryAfterSeconds: allowed === 1 ? 0 : toSeconds(retryAfterMs) };
  }

  private unavailable(key: string, rule: RateLimitRule, r: CheckedRule, err: unknown): RateLimitDecision {
    const policy = rule.onUnavailable ?? 'allow';
    this.throttle.log(
      this.logger,
      'warn',
      `unavailable:${policy}`,
      { limiter: this.prefix, policy, error: describeError(err) },
      policy === 'allow'
        ? 'rate limiter unavailable; allowing requests (fail open)'
        : 'rate limiter unavailable; denying requests (fail closed)',
    );
    if (policy === 'allow') return { allowed: true, remaining: r.limit - r.cost, retryAfterSeconds: 0, degraded: true };
    return {
      allowed: false,
      remaining: 0,
      retryAfterSeconds: Math.min(UNAVAILABLE_RETRY_SECONDS, toSeconds(r.windowMs)),
      degraded: true,
    };
  }
}

export interface MemoryRateLimiterOptions {
  /** Keys tracked at most; the least recently used is dropped beyond this. */
  maxKeys?: number;
  /** How often expired keys are swept (on the next call, so no timer keeps the process alive). */
  sweepIntervalMs?: number;
  now?: () => number;
}

interface Log {
  /** Accepted calls, oldest first. */
  hits: { at: number; cost: number }[];
  used: number;
  expiresAt: number;
}

/** The embedded-mode limiter: the same sliding-window log, in this process. */
export class MemoryRateLimiter extends BaseRateLimiter {
  /** Map order is recency order, for eviction beyond maxKeys. */
  private readonly logs = new Map<string, Log>();
  private readonly maxKeys: number;
  private readonly sweepIntervalMs: number;
  private readonly now: () => number;
  private lastSweep: number;

  constructor(options: MemoryRateLimiterOptions = {}) {
    super();
    this.maxKeys = options.maxKeys ?? 100_000;
    this.sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
    this.now = options.now ?? Date.now;
    this.lastSweep = this.now();
  }

  /** Keys currently tracked. */
  get size(): number {
    return this.logs.size;
  }

  async consume(key: string, rule: RateLimitRule): Promise<RateLimitDecision> {
    const r = checkRule(key, rule);
    const now = this.now();
    if (now - this.lastSweep >= this.sweepIntervalMs) this.sweep(now);

    const log = this.logs.get(key) ?? { hits: [], used: 0, expiresAt: 0 };
    this.logs.delete(key);
    while (log.hits.length > 0 && (log.hits[0] as { at: number }).at <= now - r.windowMs) {
      log.used -= (log.hits.shift() as { cost: number }).cost;
    }

    if (log.used + r.cost <= r.limit) {
      log.hits.push({ at: now, cost: r.cost });
      log.used += r.cost;
      log.expiresAt = now + r.windowMs;
      this.remember(key, log);
      return { allowed: true, remaining: r.limit - log.used, retryAfterSeconds: 0 };
    }

    // The call fits once enough of the oldest entries have left the window.
    let freed = 0;
    let freeingAt = now;
    for (const hit of log.hits) {
      freed += hit.cost;
      freeingAt = hit.at;
      if (log.used - freed + r.cost <= r.limit) break;
    }
    if (log.hits.length > 0) this.remember(key, log);
    return { allowed: false, remaining: Math.max(0, r.limit - log.used), retryAfterSeconds: toSeconds(freeingAt + r.windowMs - now) };
  }

  private remember(key: string, log: Log) {
    this.logs.set(key, log);
    for (const oldest of this.logs.keys()) {
      if (this.logs.size <= this.maxKeys) break;
      this.logs.delete(oldest);
    }
  }

  private sweep(now: number) {
    this.lastSweep = now;
    for (const [key, log] of this.logs) if (log.expiresAt <= now) this.logs.delete(key);
  }
}
