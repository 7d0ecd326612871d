import { addDays, startOfDayIn } from './days';

const MINUTE_MS = 60_000;

/**
 * Until when the host may answer a stay request booked at `bookedAt`: `ttlMinutes` later, but never
 * past the start (00:00) of the check-in day at the listing, so no request is still open when the
 * stay should begin. A request made on the check-in day itself must be answered that day (by the
 * start of the next one, and within `ttlMinutes`).
 */
export function respondByFor(checkIn: string, timeZone: string, bookedAt: Date, ttlMinutes: number): Date {
  const window = bookedAt.getTime() + ttlMinutes * MINUTE_MS;
  const checkInStarts = startOfDayIn(checkIn, timeZone).getTime();
  const limit = checkInStarts > bookedAt.getTime() ? checkInStarts : startOfDayIn(addDays(checkIn, 1), timeZone).getTime();
  return new Date(Math.min(window, limit));
}
