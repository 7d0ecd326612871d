import { consumeEvents, type EventBus } from '@market/platform';
import type { Db, Tx } from '../db';
import type { ListingDetailCache } from '../repositories/listing-detail-cache';

/** Its own listing events, by `listings.detail-cache` (shared by every replica, so one group is enough). */
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
