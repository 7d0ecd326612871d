export const LISTING_KINDS = ['SALE', 'RENT'] as const;
export type ListingKind = (typeof LISTING_KINDS)[number];

export const PROPERTY_TYPES = ['HOUSE', 'APARTMENT', 'CONDO', 'TOWNHOUSE', 'LAND', 'COMMERCIAL', 'ROOM'] as const;
export type PropertyType = (typeof PROPERTY_TYPES)[number];

export const LISTING_STATUSES = ['DRAFT', 'ACTIVE', 'UNDER_OFFER', 'SOLD', 'RENTED', 'ARCHIVED'] as const;
export type ListingStatus = (typeof LISTING_STATUSES)[number];

/**
 * What `listingUpdated` shows in the last event of a deleted listing. Never stored: `listing(id)`
 * is null once the listing is gone.
 */
export const DELETED_STATUS = 'DELETED';
export type ShownStatus = ListingStatus | typeof DELETED_STATUS;

/**
 * What a property offers; search filters and counts by these. Append only: PostgreSQL search keeps
 * each listing's amenities as bits in this order too (listing_search.amenity_bits).
 */
export const AMENITIES = [
  'WIFI',
  'KITCHEN',
  'WASHER',
  'DRYER',
  'DISHWASHER',
  'AIR_CONDITIONING',
  'HEATING',
  'FIREPLACE',
  'PARKING',
  'GARAGE',
  'ELEVATOR',
  'POOL',
  'GARDEN',
  'BALCONY',
  'TERRACE',
  'SEA_VIEW',
  'GYM',
  'WORKSPACE',
  'PETS_ALLOWED',
  'WHEELCHAIR_ACCESSIBLE',
] as const;
export type Amenity = (typeof AMENITIES)[number];

/** What a guest who cancels gets back; bookings owns the terms of each policy. */
export const CANCELLATION_POLICIES = ['FLEXIBLE', 'MODERATE', 'STRICT'] as const;
export type CancellationPolicy = (typeof CANCELLATION_POLICIES)[number];

/** The policy of a RENT listing whose owner did not choose one. */
export const DEFAULT_CANCELLATION_POLICY: CancellationPolicy = 'MODERATE';

/** Statuses only the owner and admins may see; every other status is public. */
export const PRIVATE_STATUSES: readonly ListingStatus[] = ['DRAFT', 'ARCHIVED'];

/** The status a listing must have to be browsed or shown on someone's public profile. */
export const BROWSABLE_STATUS: ListingStatus = 'ACTIVE';

export interface Address {
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  /** ISO 3166-1 alpha-2. */
  country: string;
}

export interface GeoPoint {
  latitude: number;
  longitude: number;
}

/** The state of a listing that its owner writes; money as exact decimal strings ("350000.00"). */
export interface ListingData {
  title: string;
  description: string;
  kind: ListingKind;
  propertyType: PropertyType;
  price: string | null;
  currency: string;
  address: Address;
  zipCode: string | null;
  /** Neighbourhood or district within the city. */
  neighbourhood: string | null;
  bedrooms: number;
  bathrooms: number;
  toilets: number;
  /** Living area in square metres. */
  areaSqm: number | null;
  /** Distinct, in the owner's order. */
  amenities: Amenity[];
  location: GeoPoint;
  images: string[];
  status: ListingStatus;
  pricePerNight: string | null;
  maxGuests: number | null;
  timeZone: string;
  cleaningFee: string | null;
  minNights: number | null;
  maxNights: number | null;
  instantBook: boolean;
  /** Percent off the nightly subtotal of stays from 7 nights (bookings applies it); RENT only. */
  weeklyDiscountPercent: number | null;
  /** Percent off the nightly subtotal of stays from 28 nights, not below the weekly one; RENT only. */
  monthlyDiscountPercent: number | null;
  /** Required on RENT listings, null on SALE ones. */
  cancellationPolicy: CancellationPolicy | null;
}

/** A listing as the domain sees it. */
export interface ListingRecord extends ListingData {
  id: string;
  ownerId: string;
  /** 1 when created, one more with every change (and, in its live event, with the deletion). */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * A listing as the API shows it: a stored record, or, in the last `listingUpdated` event of a
 * deleted listing, its last state marked DELETED.
 */
export interface ListingView extends Omit<ListingRecord, 'status'> {
  status: ShownStatus;
}

/**
 * What a write answers when its writer's account was deleted: their access token outlives the
 * account by up to its lifetime, and listings remembers the deletion (deleted_owners).
 */
export const ACCOUNT_DELETED = 'ACCOUNT_DELETED';

/** A user of the accounts subgraph, known here by id only. */
export interface UserRef {
  id: string;
}

/** Where a page of browsed listings starts: after this listing in (createdAt desc, id desc) order. */
export interface ListingCursor {
  createdAt: Date;
  id: string;
}

export interface ListingSearch {
  kind?: ListingKind;
  propertyType?: PropertyType;
  city?: string;
  minPrice?: string;
  maxPrice?: string;
  minBedrooms?: number;
}

export interface ListingPage {
  edges: { cursor: string; node: ListingRecord }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}
