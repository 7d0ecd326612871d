import { consumeEvents, isUuid, type EventBus } from '@market/platform';
import type { Db, Tx } from '../../db';
import type { AuctionReadRepository } from '../repositories/auction-read-repository';
import type { AuctionService } from '../services/auction-service';

export const AUCTION_ACCOUNT_CLEANUP_CONSUMER = 'listings.auction-account-cleanup';
export const AUCTION_LISTING_CLEANUP_CONSUMER = 'listings.auction-listing-cleanup';

/**
 * `accounts.user.deleted`: the user's live bids in auctions that have not ended are retracted (the
 * next highest then leads) and their own auctions that have not ended are cancelled
 * (SELLER_DELETED). Each is a command appended to the auction's log like any other, so the history
 * keeps the user's id and nothing else. Both are idempotent (a retracted bid or a cancelled auction
 * stays so), which is what makes this safe beside the inbox: the appends commit in their own
 * transactions, and a redelivery after a crash in between changes nothing twice.
 * Listings' own owner cleanup (owner-cleanup.ts) deletes the user's listings in its own consumer;
 * that too cancels their auctions, through `listings.listing.deleted` below.
 *
 * `listings.listing.deleted`: an auction of a deleted listing is cancelled (LISTING_DELETED).
 */
export async function consumeAuctionCleanupEvents(
  bus: EventBus,
  db: Db,
  deps: { read: AuctionReadRepository; auctions: AuctionService },
): Promise<void> {
  await consumeEvents<Tx>({
    bus,
    consumer: AUCTION_ACCOUNT_CLEANUP_CONSUMER,
    transaction: (fn) => db.$transaction(fn, { timeout: 60_000 }),
    handlers: {
      'accounts.user.deleted': async (event) => {
        const userId = event.payload.userId;
        // Not a uuid: no account of accounts, so no bid or auction of theirs (and kept away from ::uuid).
        if (!isUuid(userId)) return;
        for (const auctionId of await deps.read.unendedOfSeller(userId)) {
          await deps.auctions.cancelBySystem(auctionId, 'SELLER_DELETED', `accounts.user.deleted:${event.id}`);
        }
        for (const { auctionId, bidId } of await deps.read.liveBidsOf(userId)) {
          await deps.auctions.retract(auctionId, bidId, userId, true);
        }
      },
    },
  });
  await consumeEvents<Tx>({
    bus,
    consumer: AUCTION_LISTING_CLEANUP_CONSUMER,
    transaction: (fn) => db.$transaction(fn, { timeout: 60_000 }),
    handlers: {
      'listings.listing.deleted': async (event) => {
        if (!isUuid(event.payload.listingId)) return;
        for (const auctionId of await deps.read.unendedOfListing(event.payload.listingId)) {
          await deps.auctions.cancelBySystem(auctionId, 'LISTING_DELETED', `listings.listing.deleted:${event.id}`);
        }
      },
    },
  });
}
