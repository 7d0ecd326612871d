import type { RateLimitRule, RateLimiter } from '@market/platform';
import type { MessagingEnv } from '../env';

/** How many of each write one person may make in a window (configured by RATE_LIMIT_* in env). */
export interface WriteLimitRules {
  sendMessage: RateLimitRule;
  startConversation: RateLimitRule;
  watchListing: RateLimitRule;
}

/**
 * Per-user limits on messaging's writes, counted in the shared limiter (Redis when REDIS_URL is set,
 * so every replica counts together). Set far above a person's pace, they stop a script flooding
 * inboxes or notifications. They protect capacity, so a limiter outage lets writes through
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

/** The rules from the configured limits, with what each counts for the client's message ("Too many messages"). */
export function writeLimitRules(
  env: Pick<MessagingEnv, 'RATE_LIMIT_SEND_MESSAGE' | 'RATE_LIMIT_START_CONVERSATION' | 'RATE_LIMIT_WATCH_LISTING'>,
): WriteLimitRules {
  return {
    sendMessage: { ...env.RATE_LIMIT_SEND_MESSAGE, what: 'messages' },
    startConversation: { ...env.RATE_LIMIT_START_CONVERSATION, what: 'new conversations' },
    watchListing: { ...env.RATE_LIMIT_WATCH_LISTING, what: 'watch requests' },
  };
}
