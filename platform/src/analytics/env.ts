import { z } from 'zod';
import { logLevel, parseEnv, postgresUrl, subgraphEnvShape } from '../env';

/** What the export's own process (`node platform/dist/analytics/main.js`) and `npm run export:events` read. */
export const analyticsEnvSchema = z.object({
  LOG_LEVEL: logLevel,
  /** The export's ledger (staged events, batches, inbox); created and migrated at start when missing. */
  ANALYTICS_DATABASE_URL: postgresUrl,
  /** Where the NDJSON.gz files go: `<dir>/day=YYYY-MM-DD/event_type=<event type>/batch-<n>.ndjson.gz`. */
  ANALYTICS_EXPORT_DIR: z.string({ error: 'is required (the directory the export files go to)' }).min(1),
  /** How often staged events are sealed and written, in ms: the export's lag behind the bus. */
  ANALYTICS_FLUSH_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  /** Largest file, in events. */
  ANALYTICS_BATCH_MAX_EVENTS: z.coerce.number().int().min(1).max(1_000_000).default(50_000),
  KAFKA_BROKERS: subgraphEnvShape.KAFKA_BROKERS,
  KAFKA_TOPIC_PREFIX: subgraphEnvShape.KAFKA_TOPIC_PREFIX,
  KAFKA_SSL: subgraphEnvShape.KAFKA_SSL,
  KAFKA_SASL_MECHANISM: subgraphEnvShape.KAFKA_SASL_MECHANISM,
  KAFKA_SASL_USERNAME: subgraphEnvShape.KAFKA_SASL_USERNAME,
  KAFKA_SASL_PASSWORD: subgraphEnvShape.KAFKA_SASL_PASSWORD,
  KAFKA_SESSION_TIMEOUT_MS: subgraphEnvShape.KAFKA_SESSION_TIMEOUT_MS,
  EVENT_RETRY_BUDGET_MS: subgraphEnvShape.EVENT_RETRY_BUDGET_MS,
  EVENT_RETRY_MAX_DELAY_MS: subgraphEnvShape.EVENT_RETRY_MAX_DELAY_MS,
});

export type AnalyticsEnv = z.infer<typeof analyticsEnvSchema>;

export function loadAnalyticsEnv(source?: Record<string, string | undefined>): AnalyticsEnv {
  return parseEnv('analytics', analyticsEnvSchema, source);
}

/**
 * What the backfill reads besides the export's settings: the six outboxes, each at
 * `<DOMAIN>_DATABASE_URL`, else database market_<domain> on POSTGRES_URL (as `npm run db:migrate`).
 */
export const backfillEnvSchema = z.object({
  POSTGRES_URL: postgresUrl.optional(),
  ACCOUNTS_DATABASE_URL: postgresUrl.optional(),
  LISTINGS_DATABASE_URL: postgresUrl.optional(),
  BOOKINGS_DATABASE_URL: postgresUrl.optional(),
  MESSAGING_DATABASE_URL: postgresUrl.optional(),
  ENGAGEMENT_DATABASE_URL: postgresUrl.optional(),
  INSTANCES_DATABASE_URL: postgresUrl.optional(),
});

export type BackfillEnv = z.infer<typeof backfillEnvSchema>;
