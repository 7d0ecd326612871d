import { z } from 'zod';
import { objectStorageEnvShape, parseEnv, port, rateLimitSetting, secret, subgraphEnvShape } from '@market/platform';

const optional = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

export const accountsEnvSchema = z.object({
  ...subgraphEnvShape,
  PORT: port(4001),
  /** Namespace of this service's keys in Redis (rate limits, cached profiles), so environments can share one Redis. */
  REDIS_KEY_PREFIX: z.string().min(1).default('market:accounts:'),
  JWT_PRIVATE_KEY: z
    .string({ error: 'is required: the Ed25519 private key (PEM, PKCS#8) that signs access tokens' })
    .includes('PRIVATE KEY', { error: 'must be a PEM private key (-----BEGIN PRIVATE KEY-----)' }),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(900).default(900),
  SESSION_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /**
   * A rotated refresh token presented again within this many seconds (two tabs refreshing at once,
   * a retry after a lost response) gets the same new pair; later, reuse ends the session. 0: no grace.
   */
  REFRESH_REUSE_GRACE_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
  /**
   * Key of the HMAC that one-time codes are stored under. When unset it is derived (HKDF) from
   * JWT_PRIVATE_KEY, which is just as secret; set it to rotate codes independently.
   */
  OTP_SECRET: optional(secret),
  /** smtp:// or smtps:// URL of the mail server. Unset: messages go to the dev_outbox table instead. */
  SMTP_URL: optional(z.string().regex(/^smtps?:\/\//, { error: 'must be an smtp:// or smtps:// URL' })),
  MAIL_FROM: z.string().min(3).default('Market <no-reply@market.local>'),
  /** Where the local avatar store keeps files (under DATA_DIR/uploads); a temporary folder when unset. */
  DATA_DIR: optional(z.string().min(1)),
  /** The avatar store: S3 when S3_BUCKET is set, else local disk (UPLOAD_SIGNING_SECRET defaults to a key derived from JWT_PRIVATE_KEY). */
  ...objectStorageEnvShape,
  AVATAR_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(20 * 1024 * 1024)
    .default(5 * 1024 * 1024),
  /** How often the retention purge runs (once per interval across all replicas); 0 turns it off. */
  RETENTION_PURGE_INTERVAL_MINUTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60)
    .default(60),
  /** Ended (expired or revoked) sessions stay listed in mySessions this long, then go with their refresh tokens. */
  RETENTION_SESSIONS_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /**
   * Used or expired one-time codes are deleted this long afterwards. At least an hour, so that
   * deleting a row never resets the hourly resend limit it carries.
   */
  RETENTION_CODES_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 365)
    .default(24),
  /** Development outbox messages are deleted this long after they were written. */
  RETENTION_DEV_OUTBOX_DAYS: z.coerce.number().int().min(1).max(3650).default(7),
  /**
   * Rate limits, "N/<window>" (units s, m, h), per account (the normalized e-mail or user id) or per
   * client IP: see services/rate-limits.ts.
   */
  RATE_LIMIT_SIGN_IN_PER_ACCOUNT: rateLimitSetting('10/15m'),
  RATE_LIMIT_SIGN_IN_PER_IP: rateLimitSetting('100/15m'),
  RATE_LIMIT_PASSWORD_CHECK_PER_ACCOUNT: rateLimitSetting('10/15m'),
  RATE_LIMIT_CODE_CHECK_PER_ACCOUNT: rateLimitSetting('30/1h'),
  RATE_LIMIT_CODE_CHECK_PER_IP: rateLimitSetting('100/15m'),
  RATE_LIMIT_CODE_SEND_PER_MINUTE: rateLimitSetting('1/1m'),
  RATE_LIMIT_CODE_SEND_PER_HOUR: rateLimitSetting('5/1h'),
  RATE_LIMIT_CODE_SEND_PER_IP: rateLimitSetting('30/1h'),
  RATE_LIMIT_SIGN_UP_PER_IP: rateLimitSetting('50/1h'),
  RATE_LIMIT_EMAIL_CHECK_PER_IP: rateLimitSetting('60/1m'),
  RATE_LIMIT_REFRESH_PER_IP: rateLimitSetting('300/15m'),
  RATE_LIMIT_AVATAR_UPLOAD_PER_ACCOUNT: rateLimitSetting('20/1h'),
});

export type AccountsEnv = z.infer<typeof accountsEnvSchema>;

export function loadAccountsEnv(source?: Record<string, string | undefined>): AccountsEnv {
  return parseEnv('accounts', accountsEnvSchema, source);
}
