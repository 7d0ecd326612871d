import { consumeEvents, type EventBus } from '@market/platform';
import type { Db, Tx } from '../db';
import { isUuid } from '@market/platform';
import { ListingRepository } from '../repositories/listing-repository';
import { SavedRepository } from '../repositories/saved-repository';

/** Its own listing events, by `listings.saved-search-alerts`. */
export const SAVED_SEARCH_ALERTS_CONSUMER = 'listings.saved-search-alerts';

/**
 * Every created or changed listing is matched against the saved searches: a search it matches for
 * the first time gets its one match row, and INSTANT searches their `listings.saved-search.matched`
 * event, in the transaction that records this event in the inbox (a redelivery matches nothing
 * twice; the (search, listing) key makes a later change of the same listing match nothing twice
 * either). The listing is read as it is now, so a stale event cannot match a listing that has since
 * stopped matching.
 */
export async function consumeSavedSearchEvents(bus: EventBus, db: Db): Promise<void> {
  await consumeEvents<Tx>({
    bus,
    consumer: SAVED_SEARCH_ALERTS_CONSUMER,
    transaction: (fn) => db.$transaction(fn),
    handlers: {
      'listings.listing.upserted': async (event, tx) => {
        if (event.payload.status !== 'ACTIVE' || !isUuid(event.payload.listingId)) return;
        // Through the transaction's own connection: a consumer never holds two of the pool's.
        const listing = await ListingRepository.findByIdIn(tx, event.payload.listingId);
        if (listing) await SavedRepository.matchListing(tx, listing);
      },
    },
  });
}
