import type { RateLimitRule } from '@market/platform';

export type { RateLimiter } from '@market/platform';

/**
 * The write limit of this service: bookStay and requestViewing attempts per user, counted together.
 * Only attempts that get as far as writing count: a retry answered from its idempotency key, a
 * refused input or a listing bookings has not heard of yet (clients poll for it after creating a
 * listing) cost a read or two and are not counted. 'allow' when the store is unreachable: this limit protects capacity, and the hard rules (one
 * live hold per night, the cap on waiting requests) live in the database anyway.
 */
export function bookingWriteRule(limit: number, windowSeconds: number): RateLimitRule {
  return { limit, windowSeconds, onUnavailable: 'allow', what: 'booking requests' };
}

export function bookingWriteKey(userId: string): string {
  return `booking-writes:user:${userId}`;
}
