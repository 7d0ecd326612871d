import { z } from 'zod';
import { parseEnv, port, subgraphEnvShape } from '@market/platform';

export const bookingsEnvSchema = z.object({
  ...subgraphEnvShape,
  PORT: port(4003),
});

export type BookingsEnv = z.infer<typeof bookingsEnvSchema>;

export function loadBookingsEnv(source?: Record<string, string | undefined>): BookingsEnv {
  return parseEnv('bookings', bookingsEnvSchema, source);
}
