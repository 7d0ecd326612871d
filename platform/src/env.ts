import { z } from 'zod';
import { MAX_RATE_LIMIT } from './redis/rate-limit';

/** Raised when the environment does not describe a runnable service; lists every problem at once. */
export class ConfigError extends Error {
  constructor(
    readonly service: string,
    readonly problems: string[],
  ) {
    super(
      `${service}: invalid configuration, the service cannot start:\n` +
        problems.map((p) => `  - ${p}`).join('\n') +
        '\nSet these variables (see .env.example) and start again.',
    );
    this.name = 'ConfigError';
  }
}

/**
 * Validates an environment against a zod schema. This is the only place a service reads
 * process.env; everything else receives the typed object.
 */
export function parseEnv<S extends z.ZodType>(
  service: string,
  schema: S,
  source: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const result = schema.safeParse(source);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = issue.path.join('.') || '(root)';
    return `${key}: ${issue.message}`;
  });
  throw new ConfigError(service, problems);
}

export const nodeEnv = z.enum(['development', 'test', 'production']).default('development');
export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');
const UNIT_SECONDS = { s: 1, m: 60, h: 3600 } as const;

/** A rate limit setting, written "30/10s": at most 30 in any 10 seconds (units s, m, h). */
export const rateLimitSetting = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const match = /^\s*(\d+)\s*\/\s*(\d+)\s*([smh])\s*$/.exec(text);
      const limit = Number(match?.[1]);
      const windowSeconds = Number(match?.[2]) * UNIT_SECONDS[(match?.[3] ?? 's') as keyof typeof UNIT_SECONDS];
      if (!match || limit < 1 || limit > MAX_RATE_LIMIT || windowSeconds < 1) {
        ctx.addIssue({
          code: 'custom',
          message: `must look like 30/10s (at most 30 in any 10 seconds; units s, m, h; 1 to ${MAX_RATE_LIMIT})`,
        });
        return z.NEVER;
      }
      return { limit, windowSeconds };
    });

export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
export const secret = z
  .string({ error: 'is required' })
  .min(32, { error: 'must be at least 32 characters (generate one with `openssl rand -hex 32`)' });
export const postgresUrl = z.string({ error: 'is required' }).regex(/^postgres(ql)?:\/\//, { error: 'must be a postgres:// URL' });

/** Variables every subgraph process reads. */
export const subgraphEnvShape = {
  NODE_ENV: nodeEnv,
  LOG_LEVEL: logLevel,
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: postgresUrl,
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  GATEWAY_SIGNING_SECRET: secret,
  /** How long a draining process lets requests in flight finish after SIGTERM before cutting them, in ms. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  /** Comma-separated Kafka brokers; unset, a standalone process keeps its events in the outbox. */
  KAFKA_BROKERS: z
    .string()
    .optional()
    .transform((s) =>
      s
        ? s
            .split(',')
            .map((b) => b.trim())
            .filter(Boolean)
        : undefined,
    ),
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]+$/)
    .default('market'),
  /** OpenTelemetry: OTLP/HTTP collector that receives traces (spans go to <endpoint>/v1/traces); unset, tracing is off. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .regex(/^https?:\/\//, { error: 'must be an http(s):// URL' })
      .optional(),
  ),
  /**
   * How long a consumer retries an event whose handler keeps failing for an unknown reason before it
   * goes to dead letters. Infrastructure failures (database unreachable, timeouts) are retried for
   * as long as they last; invalid events go to dead letters at once.
   */
  EVENT_RETRY_BUDGET_MS: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.coerce
      .number()
      .int()
      .min(0)
      .default(15 * 60_000),
  ),
  /** Longest backoff between two attempts of a failing consumer: also how long a recovered outage can keep events waiting. */
  EVENT_RETRY_MAX_DELAY_MS: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.coerce
      .number()
      .int()
      .min(10)
      .max(10 * 60_000)
      .default(10_000),
  ),
  /** TLS to the brokers (managed clusters); the system's CAs verify them. */
  KAFKA_SSL: z
    .enum(['true', 'false', ''], { error: 'must be true or false' })
    .default('false')
    .transform((v) => v === 'true'),
  /** SASL over the connection; with a mechanism, the username and password are required (see kafkaOptionsFromEnv). */
  KAFKA_SASL_MECHANISM: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.enum(['plain', 'scram-sha-256', 'scram-sha-512'], { error: 'must be plain, scram-sha-256 or scram-sha-512' }).optional(),
  ),
  KAFKA_SASL_USERNAME: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
  KAFKA_SASL_PASSWORD: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
  /**
   * A consumer that misses heartbeats this long leaves its group and its partitions move on. Also how
   * long a crashed replica's partitions wait; the broker bounds it (group.min/max.session.timeout.ms).
   */
  KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6_000).max(300_000).default(30_000),
  /** Redis for caches, rate limits and subscription fan-out; unset, in-process stand-ins are used. */
  REDIS_URL: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .regex(/^rediss?:\/\//, { error: 'must be a redis:// or rediss:// URL' })
      .optional(),
  ),
};
