import { RateLimitedError } from '@market/platform';

/**
 * The rate-limiter port, shaped like platform/src/redis/rate-limit.ts (`RateLimiter.hit`), so its
 * Redis and memory adapters plug in unchanged once the platform package exports them.
 */
export interface RateLimitRule {
  limit: number;
  windowSeconds: number;
  /** Brute-force limits fail closed when the limiter's store is unreachable. */
  onUnavailable?: 'allow' | 'deny';
  /** Plural noun for the client's message: "Too many <what>". */
  what?: string;
}

export interface RateLimiter {
  /** Counts one call; throws RateLimitedError (RATE_LIMITED, `retryAfterSeconds`) past the limit. */
  hit(key: string, rule: RateLimitRule): Promise<unknown>;
}

/**
 * Every limit of this service, per account (keyed by the normalized e-mail or user id, so aliases,
 * batches and unknown addresses count alike) and per client IP. The per-IP limits are loose because
 * many people can share an address; the per-account ones are what stops guessing.
 * One-time codes also carry hard limits in the database (5 attempts per code, 1 send a minute,
 * 5 an hour): those hold even across replicas with no shared limiter.
 */
export const LIMITS = {
  signInPerAccount: { limit: 10, windowSeconds: 15 * 60, onUnavailable: 'deny', what: 'sign-in attempts' },
  signInPerIp: { limit: 100, windowSeconds: 15 * 60, onUnavailable: 'deny', what: 'sign-in attempts' },
  passwordCheckPerAccount: { limit: 10, windowSeconds: 15 * 60, onUnavailable: 'deny', what: 'password attempts' },
  codeCheckPerAccount: { limit: 30, windowSeconds: 60 * 60, onUnavailable: 'deny', what: 'code attempts' },
  codeCheckPerIp: { limit: 100, windowSeconds: 15 * 60, onUnavailable: 'deny', what: 'code attempts' },
  codeSendInterval: { limit: 1, windowSeconds: 60, onUnavailable: 'deny', what: 'codes requested' },
  codeSendHourly: { limit: 5, windowSeconds: 60 * 60, onUnavailable: 'deny', what: 'codes requested' },
  codeSendPerIp: { limit: 30, windowSeconds: 60 * 60, onUnavailable: 'deny', what: 'codes requested' },
  signUpPerIp: { limit: 50, windowSeconds: 60 * 60, onUnavailable: 'deny', what: 'sign-ups' },
  emailCheckPerIp: { limit: 60, windowSeconds: 60, what: 'e-mail checks' },
  refreshPerIp: { limit: 300, windowSeconds: 15 * 60, what: 'refreshes' },
  avatarUploadsPerAccount: { limit: 20, windowSeconds: 60 * 60, what: 'uploads' },
} as const satisfies Record<string, RateLimitRule>;

/** The key of a per-IP limit; requests whose address the gateway did not know share one bucket. */
export function ipKey(scope: string, ip: string | null): string {
  return `${scope}:ip:${ip ?? 'unknown'}`;
}

export function accountKey(scope: string, account: string): string {
  return `${scope}:account:${account}`;
}

/**
 * Stand-in for platform's MemoryRateLimiter until `@market/platform` exports it: a sliding-window
 * log per key, in this process (embedded mode and tests).
 */
export class InProcessRateLimiter implements RateLimiter {
  private readonly logs = new Map<string, number[]>();
  private lastSweep: number;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 100_000,
  ) {
    this.lastSweep = now();
  }

  async hit(key: string, rule: RateLimitRule): Promise<void> {
    const now = this.now();
    const windowMs = rule.windowSeconds * 1000;
    const slot = `${key}|${rule.limit}/${rule.windowSeconds}`;
    if (now - this.lastSweep > 60_000) this.sweep(now);
    const log = (this.logs.get(slot) ?? []).filter((at) => at > now - windowMs);
    this.logs.delete(slot);
    if (log.length >= rule.limit) {
      this.logs.set(slot, log);
      const retryAfterMs = (log[log.length - rule.limit] as number) + windowMs - now;
      throw new RateLimitedError(Math.max(1, Math.ceil(retryAfterMs / 1000)), rule.what);
    }
    log.push(now);
    this.logs.set(slot, log);
    for (const oldest of this.logs.keys()) {
      if (this.logs.size <= this.maxKeys) break;
      this.logs.delete(oldest);
    }
  }

  private sweep(now: number) {
    this.lastSweep = now;
    // Rules never span more than a day, so an older log can only be empty.
    for (const [slot, log] of this.logs) if ((log.at(-1) ?? 0) < now - 86_400_000) this.logs.delete(slot);
  }
}
