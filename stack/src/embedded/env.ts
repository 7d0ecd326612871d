import path from 'node:path';
import { z } from 'zod';
import { logLevel, parseEnv, port } from '@market/platform';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** What `npm start` (the embedded mode) reads; every service's own variables get defaults from it. */
export const embeddedEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production']).default('development'),
  LOG_LEVEL: logLevel.default('info'),
  HOST: z.string().default('127.0.0.1'),
  PORT: port(4000),
  /** Where the embedded PostgreSQL keeps its data and the launcher its development secrets. */
  DATA_DIR: z.string().default(path.join(REPO_ROOT, '.data')),
  /** Use this PostgreSQL server instead of the embedded one (databases market_<domain> are created on it). */
  POSTGRES_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { error: 'must be a postgres:// URL' })
    .optional(),
  /** First port of the six subgraphs (accounts, listings, bookings, messaging, engagement, instances). */
  SUBGRAPH_BASE_PORT: port(4001),
  /**
   * Set: the analytics export runs beside the services (database market_analytics), writing every
   * event to NDJSON.gz files under this directory. Unset: no export.
   */
  ANALYTICS_EXPORT_DIR: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
  /** OTLP/HTTP collector for traces of the whole embedded stack (service.name "market"); unset: tracing off. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .regex(/^https?:\/\//, { error: 'must be an http(s):// URL' })
      .optional(),
  ),
});

export type EmbeddedEnv = z.infer<typeof embeddedEnvSchema>;

export function loadEmbeddedEnv(source?: Record<string, string | undefined>): EmbeddedEnv {
  return parseEnv('embedded launcher', embeddedEnvSchema, source);
}

export { REPO_ROOT };
