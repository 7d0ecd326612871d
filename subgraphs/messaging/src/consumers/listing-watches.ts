import { consumeEvents, listingEventOrderOf, type Consumer, type EventEnvelope } from '@market/platform';
import type { Db, Tx } from '../db';
import { KnownListingRepository } from '../repositories/known-listing-repository';
import { NotificationRepository } from '../repositories/notification-repository';
import { listingChangeNotice, listingDeletedNotice, type ListingNotice } from '../services/listing-notifications';
import type { LiveUpdates } from '../services/live-updates';
import { uuidOf } from './event-ids';
import { announcingTransaction, storedIn } from './notifications-store';

/**
 * listings.listing.upserted: the listing's state is recorded (known_listings: what makes it
 * watchable) unless a newer one is held (by the listing's version, or by time for events without
 * one: platform/src/events/listing-order.ts); when its status or asking price changed, its watchers
 * get a LISTING notification (see services/listing-notifications.ts).
 * listings.listing.deleted: the listing is marked deleted for good, its watches removed and its
 * watchers told.
 */
export const LISTING_WATCH_CONSUMER = 'messaging.listing-watches';

/** One notification per watcher, stored once however often the event arrives (the key names the event). */
async function tellWatchers(tx: Tx, event: EventEnvelope, watcherIds: readonly string[], notice: ListingNotice): Promise<void> {
  if (watcherIds.length === 0) return;
  const stored = await new NotificationRepository(tx).createForEach(watcherIds, { kind: 'LISTING', ...notice }, `listing:${event.id}:`);
  storedIn.get(tx)?.push(...stored);
}

export const listingWatchHandlers = {
  'listings.listing.upserted': async (event: EventEnvelope<'listings.listing.upserted'>, tx: Tx): Promise<void> => {
    const p = event.payload;
    const listingId = uuidOf(event, 'listingId', p.listingId);
    const listings = new KnownListingRepository(tx);
    const outcome = await listings.apply(
      {
        listingId,
        ownerId: uuidOf(event, 'ownerId', p.ownerId),
        title: p.title,
        kind: p.kind,
        status: p.status,
        price: p.price,
        pricePerNight: p.pricePerNight,
        currency: p.currency,
      },
      listingEventOrderOf(event),
    );
    // A first sighting is a new listing: nobody can have watched it yet.
    if (outcome.kind !== 'applied' || !outcome.before) return;
    const notice = listingChangeNotice(outcome.before, outcome.after);
    if (notice) await tellWatchers(tx, event, await listings.watcherIds(listingId), notice);
  },
  'listings.listing.deleted': async (event: EventEnvelope<'listings.listing.deleted'>, tx: Tx): Promise<void> => {
    const listingId = uuidOf(event, 'listingId', event.payload.listingId);
    const ownerId = uuidOf(event, 'ownerId', event.payload.ownerId);
    const { before, watcherIds } = await new KnownListingRepository(tx).markDeleted(listingId, ownerId, listingEventOrderOf(event));
    if (before) await tellWatchers(tx, event, watcherIds, listingDeletedNotice(before, before.shownTitle));
  },
};

export const listingWatchesConsumer =
  (db: Db, live: LiveUpdates): Consumer =>
  (bus) =>
    consumeEvents<Tx>({
      bus,
      consumer: LISTING_WATCH_CONSUMER,
      // A popular listing has many watchers, all told in the event's one transaction.
      transaction: announcingTransaction(db, live, { timeoutMs: 60_000 }),
      handlers: listingWatchHandlers,
    });
