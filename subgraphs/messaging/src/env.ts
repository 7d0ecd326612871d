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
});

export type MessagingEnv = z.infer<typeof messagingEnvSchema>;

export function loadMessagingEnv(source?: Record<string, string | undefined>): MessagingEnv {
  return parseEnv('messaging', messagingEnvSchema, source);
}
