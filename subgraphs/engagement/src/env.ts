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
  /** Days after a stay's completion during which guest and host may review each other. */
  REVIEW_WINDOW_DAYS: z.coerce.number().int().min(1).max(365).default(14),
  /** recordView batches the views that arrive within this many ms into one INSERT (0: one per call). */
  VIEW_BATCH_WINDOW_MS: z.coerce.number().int().min(0).max(1000).default(5),
  /** A batch is written at once when it reaches this many views. */
  VIEW_BATCH_MAX: z.coerce.number().int().min(1).max(10_000).default(500),
});

export type EngagementEnv = z.infer<typeof engagementEnvSchema>;

export function loadEngagementEnv(source?: Record<string, string | undefined>): EngagementEnv {
  return parseEnv('engagement', engagementEnvSchema, source);
}
