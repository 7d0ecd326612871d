import { PerUserLimits, type RateLimiter } from '@market/platform';
import type { MessagingEnv } from '../env';

/** Per-user limits on messaging's writes (RATE_LIMIT_* in env): they stop a script flooding inboxes or notifications. */
export type WriteLimits = PerUserLimits<'sendMessage' | 'startConversation' | 'watchListing'>;

/** The limits from the configured rules, with what each counts for the client's message ("Too many messages"). */
export function writeLimits(
  limiter: RateLimiter,
  env: Pick<MessagingEnv, 'RATE_LIMIT_SEND_MESSAGE' | 'RATE_LIMIT_START_CONVERSATION' | 'RATE_LIMIT_WATCH_LISTING'>,
): WriteLimits {
  return new PerUserLimits(limiter, {
    sendMessage: { ...env.RATE_LIMIT_SEND_MESSAGE, what: 'messages' },
    startConversation: { ...env.RATE_LIMIT_START_CONVERSATION, what: 'new conversations' },
    watchListing: { ...env.RATE_LIMIT_WATCH_LISTING, what: 'watch requests' },
  });
}
