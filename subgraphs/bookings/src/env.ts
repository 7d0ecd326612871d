import { z } from 'zod';
import { parseEnv, port, subgraphEnvShape } from '@market/platform';

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
  /** How often the scheduler looks for due events (reminders), in milliseconds. */
  SCHEDULER_POLL_MS: z.coerce.number().int().min(10).default(5_000),
});

export type BookingsEnv = z.infer<typeof bookingsEnvSchema>;

export function loadBookingsEnv(source?: Record<string, string | undefined>): BookingsEnv {
  return parseEnv('bookings', bookingsEnvSchema, source);
}
