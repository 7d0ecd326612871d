import { z } from 'zod';
import { parseEnv, port, rateLimitSetting, subgraphEnvShape } from '@market/platform';

export const messagingEnvSchema = z.object({
  ...subgraphEnvShape,
  PORT: port(4004),
  /** Namespace of this service's keys in Redis (rate limits), so environments can share one Redis. */
  REDIS_KEY_PREFIX: z.string().min(1).default('market:messaging:'),
  /** Per-user limits on writes, far above what a person types: they stop scripts flooding others. */
  RATE_LIMIT_SEND_MESSAGE: rateLimitSetting('30/10s'),
  RATE_LIMIT_START_CONVERSATION: rateLimitSetting('10/1m'),
  RATE_LIMIT_WATCH_LISTING: rateLimitSetting('60/1m'),
  /** Admin announcements go out in batches of this many recipients... */
  BROADCAST_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(500),
  /** ...one batch every this many ms (so "everyone" never floods the database or the live fan-out). */
  BROADCAST_INTERVAL_MS: z.coerce.number().int().min(10).default(1000),
  /** How long an open `messageAdded` subscription counts as "reading" without being renewed (a crashed replica's readers lapse after it). */
  READING_LEASE_SECONDS: z.coerce.number().int().min(10).default(300),
});

export type MessagingEnv = z.infer<typeof messagingEnvSchema>;

export function loadMessagingEnv(source?: Record<string, string | undefined>): MessagingEnv {
  return parseEnv('messaging', messagingEnvSchema, source);
}
