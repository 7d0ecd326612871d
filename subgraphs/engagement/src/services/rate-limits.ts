import { PerUserLimits, type RateLimiter } from '@market/platform';
import type { EngagementEnv } from '../env';

/** Per-user limits on engagement's writes (RATE_LIMIT_* in env): they stop a script flooding the feed, a post's comments or its author's notifications. */
export type WriteLimits = PerUserLimits<'createPost' | 'addComment' | 'react'>;

/** The limits from the configured rules, with what each counts for the client's message ("Too many posts"). */
export function writeLimits(
  limiter: RateLimiter,
  env: Pick<EngagementEnv, 'RATE_LIMIT_CREATE_POST' | 'RATE_LIMIT_ADD_COMMENT' | 'RATE_LIMIT_REACT'>,
): WriteLimits {
  return new PerUserLimits(limiter, {
    createPost: { ...env.RATE_LIMIT_CREATE_POST, what: 'posts' },
    addComment: { ...env.RATE_LIMIT_ADD_COMMENT, what: 'comments' },
    react: { ...env.RATE_LIMIT_REACT, what: 'reactions' },
  });
}
