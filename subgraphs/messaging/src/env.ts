import { z } from 'zod';
import { ConfigError, objectStorageEnvShape, parseEnv, port, rateLimitSetting, subgraphEnvShape } from '@market/platform';

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
  /** Where links in notification e-mail point (the web app: it opens `/unsubscribe?token=...`). */
  APP_URL: z.string().url().default('http://localhost:3000'),
  /** E-mail: an SMTP server as a URL; unset, every channel without a provider writes to the dev outbox. */
  SMTP_URL: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .regex(/^smtps?:\/\//, 'an smtp:// or smtps:// URL')
      .optional(),
  ),
  MAIL_FROM: z.string().min(3).default('Market <no-reply@market.localhost>'),
  /** SMS through a Twilio-compatible API: all four set, or none (dev outbox). */
  SMS_API_URL: z.preprocess((v) => (v === '' ? undefined : v), z.string().url().optional()),
  SMS_ACCOUNT_SID: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(1).optional()),
  SMS_AUTH_TOKEN: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(1).optional()),
  SMS_FROM: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(1).optional()),
  /** Web push (VAPID): both keys (base64url, `npx web-push generate-vapid-keys`) and a contact, or none (dev outbox). */
  VAPID_PUBLIC_KEY: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(20).optional()),
  VAPID_PRIVATE_KEY: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(20).optional()),
  /** A PEM file of extra CAs trusted for push endpoints (a push relay behind a private CA); unset: the public roots. */
  PUSH_CA_FILE: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(1).optional()),
  VAPID_SUBJECT: z
    .string()
    .regex(/^(mailto:|https:)/, 'a mailto: or https: URL')
    .default('mailto:admin@market.localhost'),
  /** A delivery that keeps failing is given up (FAILED) after this many attempts (backoff 30 s doubling, at most 1 h). */
  DELIVERY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  /** Local hour (0-23, the user's time zone) from which the daily digest e-mail goes out. */
  DIGEST_HOUR: z.coerce.number().int().min(0).max(23).default(8),
  /** Largest message attachment accepted, in bytes. */
  ATTACHMENT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(100 * 1024 * 1024)
    .default(10 * 1024 * 1024),
  /** Where the local attachment store keeps files (when S3_BUCKET is unset: one replica); a temporary folder when unset. */
  ATTACHMENT_DIR: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(1).optional()),
  /** Attachments in S3 (a private bucket: read only through pre-signed URLs) or on local disk; see the platform's storage. */
  ...objectStorageEnvShape,
});

export type MessagingEnv = z.infer<typeof messagingEnvSchema>;

/** Whether each provider is configured as a whole (a partial configuration is a mistake worth stopping for). */
function checkProviders(env: MessagingEnv): MessagingEnv {
  const problems: string[] = [];
  const sms = [env.SMS_API_URL, env.SMS_ACCOUNT_SID, env.SMS_AUTH_TOKEN, env.SMS_FROM].filter(Boolean).length;
  if (sms !== 0 && sms !== 4) problems.push('SMS_API_URL, SMS_ACCOUNT_SID, SMS_AUTH_TOKEN, SMS_FROM: set all four, or none');
  if (Boolean(env.VAPID_PUBLIC_KEY) !== Boolean(env.VAPID_PRIVATE_KEY))
    problems.push('VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY: set both, or neither');
  if (problems.length > 0) throw new ConfigError('messaging', problems);
  return env;
}

export function loadMessagingEnv(source?: Record<string, string | undefined>): MessagingEnv {
  return checkProviders(parseEnv('messaging', messagingEnvSchema, source));
}
