import { consumeEvents, enqueueEvent, type EventBus, type EventPayload, type RawSql } from '@market/platform';
import type { Db, Tx } from './db';
import type { ListingRecord } from './domain';
import type { ListingDetailCache } from './repositories/listing-detail-cache';

/**
 * What listings tells other services. Published (through the outbox, in the same transaction as
 * the change): `listings.listing.upserted` on every create and update, `listings.listing.deleted`
 * on delete. Consumed: its own listing events, by `listings.search-index` (search/consumer.ts),
 * which keeps the search index in step with the database, and by `listings.detail-cache` (below),
 * which drops the listing from the detail cache (shared by every replica, so one group is enough).
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
  };
}

export async function publishListingUpserted(tx: RawSql, listing: ListingRecord): Promise<void> {
  await enqueueEvent(tx, 'listings.listing.upserted', listing.id, listingUpsertedPayload(listing));
}

export async function publishListingDeleted(tx: RawSql, listing: Pick<ListingRecord, 'id' | 'ownerId'>): Promise<void> {
  await enqueueEvent(tx, 'listings.listing.deleted', listing.id, { listingId: listing.id, ownerId: listing.ownerId });
}

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
