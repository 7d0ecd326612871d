import { consumeEvents, type EventBus } from '@market/platform';
import type { Db, Tx } from '../db';
import type { ListingRecord } from '../domain';
import type { ListingDetailCache } from '../repositories/listing-detail-cache';
import { DeletedOwnerRepository } from '../repositories/deleted-owner-repository';
import { ListingRepository } from '../repositories/listing-repository';
import { RecommendationRepository } from '../repositories/recommendation-repository';
import { SavedRepository } from '../repositories/saved-repository';
import type { LiveUpdates } from '../services/live-updates';

export const OWNER_CLEANUP_CONSUMER = 'listings.owner-cleanup';

/**
 * `accounts.user.deleted`: the user's listings are deleted (not archived: a listing is its owner's
 * personal data, an address and photos of their home, and with no owner left nobody could manage
 * it), each with its `listings.listing.deleted` event, in the transaction that records the event in
 * the inbox, so a redelivery deletes nothing twice and emits no second event. The same transaction
 * records the user in `deleted_owners`, so a write with their still-valid access token is refused from
 * then on, and a write of theirs already in flight commits first and is deleted with the rest (see
 * DeletedOwnerRepository). Once that commits, the detail cache forgets them and their watchers get a
 * last DELETED event.
 */
export async function consumeAccountEvents(bus: EventBus, db: Db, deps: { details: ListingDetailCache; live: LiveUpdates }): Promise<void> {
  const deletedIn = new WeakMap<object, ListingRecord[]>();
  await consumeEvents<Tx>({
    bus,
    consumer: OWNER_CLEANUP_CONSUMER,
    transaction: async (fn) => {
      let deleted: ListingRecord[] = [];
      const result = await db.$transaction(async (tx) => {
        deletedIn.set(tx, []);
        const value = await fn(tx);
        deleted = deletedIn.get(tx) ?? [];
        return value;
      });
      if (deleted.length > 0) {
        const deletedAt = new Date();
        await deps.details.invalidate(...deleted.map((l) => l.id));
        for (const listing of deleted) await deps.live.listingDeleted(listing, deletedAt);
      }
      return result;
    },
    handlers: {
      'accounts.user.deleted': async (event, tx) => {
        // First: from here on, until the commit, no write of theirs can start or be half done.
        await new DeletedOwnerRepository(tx).record(event.payload.userId);
        const deleted = await ListingRepository.deleteAllOfOwner(tx, event.payload.userId);
        deletedIn.get(tx)?.push(...deleted);
        // What they showed interest in is theirs too; co-occurrence and popularity hold no user.
        await RecommendationRepository.forgetUser(tx, event.payload.userId);
        await SavedRepository.forgetUser(tx, event.payload.userId);
      },
    },
  });
}
