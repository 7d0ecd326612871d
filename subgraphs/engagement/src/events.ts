import { consumeEvents, type EventBus } from '@market/platform';
import type { Db, Tx } from './db';
import { isUuid } from './domain';
import { CleanupRepository } from './repositories/cleanup';

/**
 * Engagement publishes no events yet. It consumes the deletions of the entities its rows refer to,
 * since those live in other databases and no foreign key can cascade across them.
 */
export async function subscribeConsumers(bus: EventBus, db: Db): Promise<void> {
  await consumeEvents<Tx>({
    bus,
    consumer: 'engagement.cleanup',
    transaction: (fn) => db.$transaction(fn),
    handlers: {
      'accounts.user.deleted': async (event, tx) => {
        if (isUuid(event.payload.userId)) await new CleanupRepository(tx).forgetUser(event.payload.userId);
      },
      'listings.listing.deleted': async (event, tx) => {
        if (isUuid(event.payload.listingId)) await new CleanupRepository(tx).forgetListing(event.payload.listingId);
      },
    },
  });
}
