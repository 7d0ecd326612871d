import type { RateLimitRule, RateLimiter } from '@market/platform';
import type { EngagementEnv } from '../env';

/** How many of each write one person may make in a window (configured by RATE_LIMIT_* in env). */
export interface WriteLimitRules {
  createPost: RateLimitRule;
  addComment: RateLimitRule;
  react: RateLimitRule;
}

/**
 * Per-user limits on engagement's writes, counted in the shared limiter (Redis when REDIS_URL is set,
 * so every replica counts together). Set far above a person's pace, they stop a script flooding
 * the feed, a post's comments or its author's notifications. They protect capacity, so a limiter outage lets writes through
 * (`onUnavailable` 'allow', the default).
 */
export class WriteLimits {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly rules: WriteLimitRules,
  ) {}

  /** Counts one write of this user; beyond the limit, throws RATE_LIMITED with `retryAfterSeconds`. */
  async count(write: keyof WriteLimitRules, userId: string): Promise<void> {
    await this.limiter.hit(`${write}:user:${userId.toLowerCase()}`, this.rules[write]);
  }
}

/** The rules from the configured limits, with what each counts for the client's message ("Too many posts"). */
export function writeLimitRules(
  env: Pick<EngagementEnv, 'RATE_LIMIT_CREATE_POST' | 'RATE_LIMIT_ADD_COMMENT' | 'RATE_LIMIT_REACT'>,
): WriteLimitRules {
  return {
    createPost: { ...env.RATE_LIMIT_CREATE_POST, what: 'posts' },
    addComment: { ...env.RATE_LIMIT_ADD_COMMENT, what: 'comments' },
    react: { ...env.RATE_LIMIT_REACT, what: 'reactions' },
  };
}
