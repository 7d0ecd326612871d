/** A reference to an entity another subgraph owns; bookings knows only its id. */
export interface UserRef {
  id: string;
}
export interface ListingRef {
  id: string;
}

export type ListingKind = 'SALE' | 'RENT';

/** What bookings knows about a listing, replicated from the listings subgraph's events. */
export interface ListingSnapshot {
  listingId: string;
  ownerId: string;
  kind: ListingKind;
  status: string;
  /** Decimal string; null when the listing has no nightly price. */
  pricePerNight: string | null;
  currency: string;
  maxGuests: number | null;
  timeZone: string;
  updatedAt: Date;
  deletedAt: Date | null;
}

export type StayStatus = 'REQUESTED' | 'CONFIRMED' | 'DECLINED' | 'CANCELLED' | 'COMPLETED';
export type ViewingStatus = 'PENDING' | 'CONFIRMED' | 'CANCELLED';

/** Stays in these statuses hold their dates (the database's exclusion constraint says the same). */
export const LIVE_STAY_STATUSES = ['REQUESTED', 'CONFIRMED'] as const satisfies readonly StayStatus[];

export interface StayRecord {
  id: string;
  listingId: string;
  /** The listing's owner per the current snapshot: may see and cancel the stay. */
  hostId: string;
  guestId: string;
  /** YYYY-MM-DD in the listing's time zone; the stay covers [checkIn, checkOut). */
  checkIn: string;
  checkOut: string;
  nights: number;
  guests: number;
  /** Decimal string, frozen at booking. */
  totalPrice: string;
  currency: string;
  status: StayStatus;
  createdAt: Date;
}

export interface ViewingRecord {
  id: string;
  listingId: string;
  buyerId: string;
  /** The listing's owner when the viewing was requested. */
  agentId: string;
  startsAt: Date;
  endsAt: Date;
  status: ViewingStatus;
  note: string | null;
  createdAt: Date;
}

const DAY_MS = 86_400_000;

/** Whole days from one calendar date (YYYY-MM-DD) to another. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** Today's calendar date in an IANA time zone (UTC when the zone is unknown). */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  const format = (zone: string) =>
    new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  try {
    return format(timeZone);
  } catch {
    return format('UTC');
  }
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * An exact decimal string times a whole number, with two decimals ("120.5" × 3 = "361.50").
 * Money never passes through floating point. Inputs with more than two decimals round half up.
 */
export function multiplyMoney(amount: string, times: number): string {
  const match = DECIMAL.exec(amount.trim());
  if (!match || !Number.isInteger(times)) throw new RangeError(`cannot multiply ${amount} by ${times}`);
  const [, sign, whole, fraction = ''] = match;
  const scale = fraction.length;
  let product = BigInt(`${whole}${fraction}`) * BigInt(times);
  // Back to two decimals.
  if (scale < 2) product *= 10n ** BigInt(2 - scale);
  else if (scale > 2) {
    const divisor = 10n ** BigInt(scale - 2);
    product = (product + divisor / 2n) / divisor;
  }
  const digits = product.toString().padStart(3, '0');
  const result = `${digits.slice(0, -2)}.${digits.slice(-2)}`;
  return sign && product !== 0n ? `-${result}` : result;
}
