import { consumeEvents, isUuid, type EventBus } from '@market/platform';
import type { Db, Tx } from '../db';
import { syncListings } from './indexer';
import type { ListingSearch } from './port';

export const SEARCH_CONSUMER = 'listings.search-index';

/**
 * Keeps the search index in line with listings' own events. Each event only names the listing; the
 * handler reads it from the database (in the event's transaction) and indexes or removes it.
 */
export async function consumeSearchEvents(bus: EventBus, db: Db, search: ListingSearch): Promise<void> {
  await consumeEvents<Tx>({
    bus,
    consumer: SEARCH_CONSUMER,
    transaction: (fn) => db.$transaction(fn),
    handlers: {
      'listings.listing.upserted': async (event, tx) => {
        if (isUuid(event.payload.listingId)) await syncListings(search, [event.payload.listingId], tx);
      },
      'listings.listing.deleted': async (event, tx) => {
        if (isUuid(event.payload.listingId)) await search.remove([event.payload.listingId], { asOf: new Date(event.occurredAt), tx });
      },
    },
  });
}
