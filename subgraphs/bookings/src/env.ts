import { z } from 'zod';
import { parseEnv, port, rateLimitSetting, subgraphEnvShape } from '@market/platform';

/** "1440,60" → [1440, 60]: whole minutes, each at least 1. */
const minutesList = z
  .string()
  .regex(/^\s*\d+\s*(,\s*\d+\s*)*$/, { error: 'must be whole minutes separated by commas, e.g. 1440,60' })
  .transform((s) => s.split(',').map((m) => Number(m.trim())))
  .refine((list) => list.every((m) => m >= 1), { error: 'every lead must be at least 1 minute' });

export const bookingsEnvSchema = z.object({
  ...subgraphEnvShape,
  PORT: port(4003),
  /** How long before a confirmed viewing its reminders go out, in minutes. */
  VIEWING_REMINDER_LEADS_MINUTES: minutesList.default([1440, 60]),
  /** How often the scheduler looks for due work (reminders, lapsed requests, old keys), in milliseconds. */
  SCHEDULER_POLL_MS: z.coerce.number().int().min(10).default(5_000),
  /**
   * How long a host has to answer a stay request, in minutes; never past the start of the check-in
   * day at the listing. After it, the scheduler lets the request expire and frees its nights.
   */
  STAY_REQUEST_TTL_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(30 * 24 * 60)
    .default(24 * 60),
  /** How long an idempotency key answers retries, in hours; a retry after it is a new request. */
  IDEMPOTENCY_KEY_RETENTION_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 365)
    .default(24),
  /** REQUESTED stays one guest may have waiting for hosts' answers at once; one more is TooManyPendingRequests. */
  STAY_MAX_PENDING_REQUESTS: z.coerce.number().int().min(1).max(1000).default(5),
  /** Longest stay, in nights, at a listing that sets no maximum of its own (never more than 365). */
  STAY_DEFAULT_MAX_NIGHTS: z.coerce.number().int().min(1).max(365).default(90),
  /** bookStay and requestViewing calls one user may make, "N/<window>" (units s, m, h); more are RATE_LIMITED. */
  RATE_LIMIT_BOOKING: rateLimitSetting('20/10m'),
  /** Namespace of this service's keys in Redis (rate limits), so environments can share one Redis. */
  REDIS_KEY_PREFIX: z.string().min(1).default('market:bookings:'),
});

export type BookingsEnv = z.infer<typeof bookingsEnvSchema>;

export function loadBookingsEnv(source?: Record<string, string | undefined>): BookingsEnv {
  return parseEnv('bookings', bookingsEnvSchema, source);
}
