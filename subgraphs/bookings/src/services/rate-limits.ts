import { PerUserLimits, type RateLimiter } from '@market/platform';
import type { BookingsEnv } from '../env';

/**
 * The write limit of this service: bookStay and requestViewing attempts per user, counted together
 * under one key. Only attempts that get as far as writing count: a retry answered from its
 * idempotency key, a refused input or a listing bookings has not heard of yet (clients poll for it
 * after creating a listing) cost a read or two and are not counted. 'allow' when the store is
 * unreachable: this limit protects capacity, and the hard rules (one live hold per night, the cap on
 * waiting requests) live in the database anyway.
 */
export type WriteLimits = PerUserLimits<'booking-writes'>;

export function writeLimits(limiter: RateLimiter, env: Pick<BookingsEnv, 'RATE_LIMIT_BOOKING'>): WriteLimits {
  return new PerUserLimits(limiter, {
    'booking-writes': {
      ...env.RATE_LIMIT_BOOKING,
      onUnavailable: 'allow',
      what: 'booking requests',
    },
  });
}
