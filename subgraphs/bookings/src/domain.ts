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
