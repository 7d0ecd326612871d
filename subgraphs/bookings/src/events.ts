import { consumeEvents, InvalidEventError, type EventBus, type EventEnvelope, type EventType } from '@market/platform';
import { uuidsOnly, type Db, type Tx } from './db';
import { ListingSnapshotRepository } from './repositories/listing-snapshot-repository';

/**
 * Bookings publishes no events yet. It consumes listings' events to keep `listing_snapshots`, its
 * own copy of the listing facts that bookings and viewings need.
 */
export const LISTING_SNAPSHOTS_CONSUMER = 'bookings.listing-snapshots';

type Handler<T extends EventType> = (event: EventEnvelope<T>, tx: Tx) => Promise<void>;

/** Ids that cannot be stored will never be: straight to dead letters instead of retries. */
function requireUuids(event: EventEnvelope, ...ids: string[]): void {
  if (uuidsOnly(ids).length !== ids.length) throw new InvalidEventError(`${event.type} ${event.id}: ids must be uuids`);
}

export const listingSnapshotHandlers: {
  'listings.listing.upserted': Handler<'listings.listing.upserted'>;
  'listings.listing.deleted': Handler<'listings.listing.deleted'>;
} = {
  'listings.listing.upserted': async (event, tx) => {
    requireUuids(event, event.payload.listingId, event.payload.ownerId);
    await new ListingSnapshotRepository(tx).applyUpserted(event);
  },
  'listings.listing.deleted': async (event, tx) => {
    requireUuids(event, event.payload.listingId, event.payload.ownerId);
    await new ListingSnapshotRepository(tx).applyDeleted(event);
  },
};

/** Subscribes the snapshot consumer; each event is applied once (inbox) in its own transaction. */
export function consumeListingEvents(bus: EventBus, db: Db): Promise<void> {
  return consumeEvents<Tx>({
    bus,
    consumer: LISTING_SNAPSHOTS_CONSUMER,
    transaction: (fn) => db.$transaction(fn),
    handlers: listingSnapshotHandlers,
  });
}
