import { consumeEvents, InvalidEventError, type Consumer, type EventEnvelope, type Handlers } from '@market/platform';
import type { Db, Tx } from '../db';
import { isUuid } from '../domain';
import { KnownListingRepository } from '../repositories/known-listing-repository';
import { AUCTION_EVENT_TYPES, auctionNotifications, type AuctionEventType } from '../services/auction-notifications';
import type { LiveUpdates } from '../services/live-updates';
import { announcingTransaction, storeNotifications } from './notifications-store';

/**
 * listings.auction.bidPlaced | bidRetracted | bidDoubled | closed | cancelled: AUCTION notifications for
 * the bidders and the seller (outbid, leading again, doubled, won, lost, reserve not met, cancelled; see
 * services/auction-notifications.ts), delivered on each user's channels like every other kind.
 */
export const AUCTION_NOTIFICATIONS_CONSUMER = 'messaging.auction-notifications';

async function notifyAboutAuction(event: EventEnvelope<AuctionEventType>, tx: Tx): Promise<void> {
  const title = isUuid(event.payload.listingId)
    ? await new KnownListingRepository(tx).titleOf(event.payload.listingId.toLowerCase())
    : null;
  const notifications = auctionNotifications(event, title);
  // A recipient that is not a user id can never be stored: dead letters, not retries.
  if (notifications.some((n) => !isUuid(n.recipientId))) throw new InvalidEventError(`${event.type} ${event.id}: user ids must be uuids`);
  await storeNotifications(tx, notifications);
}

export const auctionNotificationHandlers: Handlers<Tx> = Object.fromEntries(AUCTION_EVENT_TYPES.map((type) => [type, notifyAboutAuction]));

export const auctionNotificationsConsumer =
  (db: Db, live: LiveUpdates): Consumer =>
  (bus) =>
    consumeEvents<Tx>({
      bus,
      consumer: AUCTION_NOTIFICATIONS_CONSUMER,
      transaction: announcingTransaction(db, live),
      handlers: auctionNotificationHandlers,
    });
