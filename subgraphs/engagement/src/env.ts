import { z } from 'zod';
import { parseEnv, port, rateLimitSetting, subgraphEnvShape } from '@market/platform';

export const engagementEnvSchema = z.object({
  ...subgraphEnvShape,
  PORT: port(4005),
  /** Namespace of this service's keys in Redis (rate limits), so environments can share one Redis. */
  REDIS_KEY_PREFIX: z.string().min(1).default('market:engagement:'),
  /** Per-user limits on writes, far above what a person types: they stop scripts flooding others. */
  RATE_LIMIT_CREATE_POST: rateLimitSetting('10/1m'),
  RATE_LIMIT_ADD_COMMENT: rateLimitSetting('60/1m'),
  RATE_LIMIT_REACT: rateLimitSetting('60/1m'),
  /** Distinct users whose reports of a published post or comment hold it for an admin's review. */
  MODERATION_REPORT_THRESHOLD: z.coerce.number().int().min(1).max(1000).default(3),
});

export type EngagementEnv = z.infer<typeof engagementEnvSchema>;

export function loadEngagementEnv(source?: Record<string, string | undefined>): EngagementEnv {
  return parseEnv('engagement', engagementEnvSchema, source);
}
