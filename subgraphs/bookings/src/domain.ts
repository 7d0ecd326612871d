/** A reference to an entity another subgraph owns; bookings knows only its id. */
export interface UserRef {
  id: string;
}
export interface ListingRef {
  id: string;
}

export type ListingKind = 'SALE' | 'RENT';
export type CancellationPolicy = 'FLEXIBLE' | 'MODERATE' | 'STRICT';
export const DEFAULT_CANCELLATION_POLICY: CancellationPolicy = 'MODERATE';

/** What bookings knows about a listing, replicated from the listings subgraph's events. */
export interface ListingSnapshot {
  listingId: string;
  ownerId: string;
  kind: ListingKind;
  status: string;
  title: string;
  /** Decimal string; null when the listing has no nightly price. */
  pricePerNight: string | null;
  /** Decimal string; null when the listing charges none. */
  cleaningFee: string | null;
  currency: string;
  maxGuests: number | null;
  minNights: number | null;
  maxNights: number | null;
  instantBook: boolean;
  weeklyDiscountPercent: number | null;
  monthlyDiscountPercent: number | null;
  cancellationPolicy: CancellationPolicy;
  timeZone: string;
  updatedAt: Date;
  deletedAt: Date | null;
}

/** Whether guests can book the listing now. */
export function isBookable(listing: ListingSnapshot | null): listing is ListingSnapshot & { pricePerNight: string } {
  return (
    listing !== null &&
    listing.deletedAt === null &&
    listing.kind === 'RENT' &&
    listing.status === 'ACTIVE' &&
    listing.pricePerNight !== null
  );
}

export type StayStatus = 'REQUESTED' | 'CONFIRMED' | 'DECLINED' | 'EXPIRED' | 'CANCELLED' | 'COMPLETED';
export type ViewingStatus = 'PENDING' | 'CONFIRMED' | 'CANCELLED';

/** Stays in these statuses hold their dates (the database's exclusion constraint says the same). */
export const LIVE_STAY_STATUSES = ['REQUESTED', 'CONFIRMED'] as const satisfies readonly StayStatus[];
/** Viewings in these statuses hold their slot. */
export const LIVE_VIEWING_STATUSES = ['PENDING', 'CONFIRMED'] as const satisfies readonly ViewingStatus[];

/** What a stay costs; every amount an exact decimal string with two decimals. */
export interface PriceBreakdown {
  nightlyRate: string;
  nights: number;
  nightlySubtotal: string;
  discountPercent: number;
  discount: string;
  cleaningFee: string;
  total: string;
  currency: string;
}

export interface StayRecord {
  id: string;
  listingId: string;
  /** The listing's owner per the current snapshot: may see, confirm, decline and cancel the stay. */
  hostId: string;
  /** The listing's title when booked (kept when the listing is renamed, hidden or deleted). */
  listingTitle: string;
  /** bookings has learnt that the listing was deleted: there is no Listing to point at any more. */
  listingDeleted: boolean;
  /** The listing's time zone: check-in day boundaries are local to it. */
  timeZone: string;
  guestId: string;
  /** YYYY-MM-DD in the listing's time zone; the stay covers [checkIn, checkOut). */
  checkIn: string;
  checkOut: string;
  nights: number;
  guests: number;
  /** Frozen at booking. */
  price: PriceBreakdown;
  totalPrice: string;
  currency: string;
  cancellationPolicy: CancellationPolicy;
  status: StayStatus;
  /** Until when the host may answer a requested stay; null for instant bookings. */
  respondBy: Date | null;
  refundAmount: string | null;
  cancelledAt: Date | null;
  cancelledById: string | null;
  createdAt: Date;
}

export interface ViewingRecord {
  id: string;
  listingId: string;
  /** The listing's title when the viewing was requested (kept when the listing is renamed, hidden or deleted). */
  listingTitle: string;
  /** bookings has learnt that the listing was deleted: there is no Listing to point at any more. */
  listingDeleted: boolean;
  buyerId: string;
  /** The listing's owner when the viewing was requested. */
  agentId: string;
  startsAt: Date;
  endsAt: Date;
  status: ViewingStatus;
  note: string | null;
  slotId: string | null;
  createdAt: Date;
}

export interface ViewingSlotRecord {
  id: string;
  listingId: string;
  agentId: string;
  startsAt: Date;
  endsAt: Date;
  available: boolean;
}

/** A slot with what decides who may see it: its listing's owner and whether the listing is on the market. */
export interface ListedSlotRecord extends ViewingSlotRecord {
  listingOwnerId: string;
  /** ACTIVE and not deleted, per bookings' snapshot. */
  listingOnMarket: boolean;
}

export interface CalendarBlockRecord {
  id: string;
  listingId: string;
  from: string;
  to: string;
  reason: string | null;
  createdAt: Date;
}

/** A stretch of held nights [from, to) of a listing. */
export interface CalendarHold {
  kind: 'STAY' | 'BLOCK';
  from: string;
  to: string;
}

export type DayStatus = 'FREE' | 'BOOKED' | 'BLOCKED';
export interface DayAvailability {
  date: string;
  status: DayStatus;
}

export interface CancellationQuoteRecord {
  stay: StayRecord;
  policy: CancellationPolicy;
  refundPercent: number;
  refundAmount: string;
  currency: string;
  refundableUntil: Date | null;
  explanation: string;
}

const DAY_MS = 86_400_000;

/** Whole days from one calendar date (YYYY-MM-DD) to another. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** The calendar date `days` after `date` (YYYY-MM-DD). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Formatters are costly to build and the zones few: one per zone, kept. */
const dayFormats = new Map<string, Intl.DateTimeFormat>();
const clockFormats = new Map<string, Intl.DateTimeFormat>();

function cached(
  cache: Map<string, Intl.DateTimeFormat>,
  timeZone: string,
  options: Intl.DateTimeFormatOptions,
  locale: string,
): Intl.DateTimeFormat {
  let format = cache.get(timeZone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat(locale, { ...options, timeZone });
    } catch {
      // A zone this runtime does not know counts as UTC.
      format = cached(cache, 'UTC', options, locale);
    }
    cache.set(timeZone, format);
  }
  return format;
}

const dayFormat = (timeZone: string) => cached(dayFormats, timeZone, { year: 'numeric', month: '2-digit', day: '2-digit' }, 'en-CA');
const clockFormat = (timeZone: string) =>
  cached(
    clockFormats,
    timeZone,
    { hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' },
    'en-US',
  );

/** Today's calendar date in an IANA time zone (UTC when the zone is unknown). */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  return dayFormat(timeZone).format(now);
}

/** How far the zone's wall clock is ahead of UTC at `instant`, in milliseconds. */
function zoneOffsetMs(timeZone: string, instant: number): number {
  const parts = clockFormat(timeZone).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(instant / 1000) * 1000;
}

/** The instant a calendar day starts (00:00 local) in an IANA time zone (UTC when the zone is unknown). */
export function startOfDayIn(date: string, timeZone: string): Date {
  const wallMidnight = Date.parse(`${date}T00:00:00Z`);
  // Two passes settle the offset on days the clocks change.
  let instant = wallMidnight - zoneOffsetMs(timeZone, wallMidnight);
  instant = wallMidnight - zoneOffsetMs(timeZone, instant);
  return new Date(instant);
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/** An exact decimal string as cents; more than two decimals round half up. */
export function toCents(amount: string): bigint {
  const match = DECIMAL.exec(amount.trim());
  if (!match) throw new RangeError(`${amount} is not a decimal amount`);
  const [, sign, whole, fraction = ''] = match;
  let cents = BigInt(`${whole}${fraction.padEnd(2, '0').slice(0, 2)}`);
  if (fraction.length > 2 && Number(fraction[2]) >= 5) cents += 1n;
  return sign ? -cents : cents;
}

/** Cents as a decimal string with two decimals. */
export function formatCents(cents: bigint): string {
  const negative = cents < 0n;
  const digits = (negative ? -cents : cents).toString().padStart(3, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** `percent` % of an amount in cents, rounded half up to the cent. */
export function percentOfCents(cents: bigint, percent: number): bigint {
  if (!Number.isInteger(percent)) throw new RangeError(`${percent} is not a whole percent`);
  return (cents * BigInt(percent) + 50n) / 100n;
}

/**
 * An exact decimal string times a whole number, with two decimals ("120.5" × 3 = "361.50").
 * Money never passes through floating point. Inputs with more than two decimals round half up.
 */
export function multiplyMoney(amount: string, times: number): string {
  if (!Number.isInteger(times)) throw new RangeError(`cannot multiply ${amount} by ${times}`);
  return formatCents(toCents(amount) * BigInt(times));
}
