import { z } from 'zod';
import { consumeEvents, defineTopic, enqueueEvent, type EventBus, type EventPayload, type RawSql } from '@market/platform';
import type { Db, Tx } from './db';
import {
  AMENITIES,
  CANCELLATION_POLICIES,
  DELETED_STATUS,
  LISTING_KINDS,
  LISTING_STATUSES,
  PROPERTY_TYPES,
  type ListingRecord,
} from './domain';
import type { ListingDetailCache } from './repositories/listing-detail-cache';

/**
 * What listings tells other services. Published (through the outbox, in the same transaction as
 * the change): `listings.listing.upserted` on every create and update, `listings.listing.deleted`
 * on delete (also for each listing of a deleted user). `npm run republish` (republish/) writes a
 * fresh `listings.listing.upserted` with the current state of every listing, for a consumer that
 * joins late. Consumed: its own listing events, by
 * `listings.search-index` (search/consumer.ts), which keeps the search index in step with the
 * database, and by `listings.detail-cache` (below), which drops the listing from the detail cache
 * (shared by every replica, so one group is enough); `accounts.user.deleted`, by
 * `listings.owner-cleanup` (owner-cleanup.ts), which deletes the user's listings and records them
 * in `deleted_owners`, so their still-valid access token can write no more.
 * Live events (pub/sub, at-most-once, after the commit): `listings.listingUpdated`, keyed by listing
 * id, with the listing after each change, or its last state marked DELETED (cursor: its version).
 */
export const PUBLISHED_EVENTS = ['listings.listing.upserted', 'listings.listing.deleted'] as const;

export function listingUpsertedPayload(listing: ListingRecord): EventPayload<'listings.listing.upserted'> {
  return {
    listingId: listing.id,
    ownerId: listing.ownerId,
    title: listing.title,
    kind: listing.kind,
    status: listing.status,
    price: listing.price,
    pricePerNight: listing.pricePerNight,
    currency: listing.currency,
    maxGuests: listing.maxGuests,
    timeZone: listing.timeZone,
    cleaningFee: listing.cleaningFee,
    minNights: listing.minNights,
    maxNights: listing.maxNights,
    instantBook: listing.instantBook,
    amenities: listing.amenities,
    areaSqm: listing.areaSqm,
    neighbourhood: listing.neighbourhood,
    weeklyDiscountPercent: listing.weeklyDiscountPercent,
    monthlyDiscountPercent: listing.monthlyDiscountPercent,
    // The contract reads an absent policy as MODERATE; SALE listings have none.
    ...(listing.cancellationPolicy ? { cancellationPolicy: listing.cancellationPolicy } : {}),
    // Taken under the write's row lock: consumers order a listing's events by it, not by clocks.
    version: listing.version,
  };
}

/** The deletion is one version past the listing's last state, as its last `listingUpdated` event says. */
export function listingDeletedPayload(listing: Pick<ListingRecord, 'id' | 'ownerId' | 'version'>): EventPayload<'listings.listing.deleted'> {
  return { listingId: listing.id, ownerId: listing.ownerId, version: listing.version + 1 };
}

export async function publishListingUpserted(tx: RawSql, listing: ListingRecord): Promise<void> {
  await enqueueEvent(tx, 'listings.listing.upserted', listing.id, listingUpsertedPayload(listing));
}

export async function publishListingDeleted(tx: RawSql, listing: Pick<ListingRecord, 'id' | 'ownerId' | 'version'>): Promise<void> {
  await enqueueEvent(tx, 'listings.listing.deleted', listing.id, listingDeletedPayload(listing));
}

const money = z.string().nullable();

/**
 * `listingUpdated`: the listing as `Listing` resolves it, and who may receive it. `ownerOnly` is
 * decided when the event is published, from the status that hides a listing (DRAFT, ARCHIVED; for a
 * deletion, the status it had), so each subscriber is checked against the event it would receive.
 */
const listingUpdated = z.object({
  id: z.string(),
  ownerId: z.string(),
  title: z.string(),
  description: z.string(),
  kind: z.enum(LISTING_KINDS),
  propertyType: z.enum(PROPERTY_TYPES),
  price: money,
  currency: z.string(),
  address: z.object({
    line1: z.string(),
    line2: z.string().nullable(),
    city: z.string(),
    region: z.string().nullable(),
    country: z.string(),
  }),
  zipCode: z.string().nullable(),
  // Optional: events published by a replica from before these fields existed still parse.
  neighbourhood: z.string().nullable().default(null),
  bedrooms: z.number().int(),
  bathrooms: z.number().int(),
  toilets: z.number().int(),
  areaSqm: z.number().int().nullable().default(null),
  amenities: z.array(z.enum(AMENITIES)).default([]),
  location: z.object({ latitude: z.number(), longitude: z.number() }),
  images: z.array(z.string()),
  status: z.enum([...LISTING_STATUSES, DELETED_STATUS]),
  pricePerNight: money,
  maxGuests: z.number().int().nullable(),
  timeZone: z.string(),
  cleaningFee: money,
  minNights: z.number().int().nullable(),
  maxNights: z.number().int().nullable(),
  instantBook: z.boolean(),
  weeklyDiscountPercent: z.number().int().nullable(),
  monthlyDiscountPercent: z.number().int().nullable(),
  cancellationPolicy: z.enum(CANCELLATION_POLICIES).nullable(),
  version: z.number().int(),
  createdAt: z.coerce.date(),
  updatedAt: z.coerce.date(),
  /** Only the owner and admins may receive this event. */
  ownerOnly: z.boolean(),
});

export type ListingUpdated = z.infer<typeof listingUpdated>;

export const listingUpdatedTopic = defineTopic('listings.listingUpdated', listingUpdated);

export const DETAIL_CACHE_CONSUMER = 'listings.detail-cache';

/**
 * Every listing event drops the listing from the detail cache. The writer already did right after
 * its commit; this is the guarantee, and it also removes a stale entry that a read racing the commit
 * put back.
 */
export async function consumeDetailCacheEvents(bus: EventBus, db: Db, details: ListingDetailCache): Promise<void> {
  const invalidate = async (event: { payload: { listingId: string } }) => details.invalidate(event.payload.listingId);
  await consumeEvents<Tx>({
    bus,
    consumer: DETAIL_CACHE_CONSUMER,
    transaction: (fn) => db.$transaction(fn),
    handlers: {
      'listings.listing.upserted': invalidate,
      'listings.listing.deleted': invalidate,
    },
  });
}
