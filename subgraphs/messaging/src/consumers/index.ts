import type { Consumer } from '@market/platform';
import type { Db } from '../db';
import type { LiveUpdates } from '../services/live-updates';
import { accountDeletionConsumer } from './account-deletion';
import { auctionNotificationsConsumer } from './auction-notifications';
import { bookingNotificationsConsumer } from './booking-notifications';
import { instanceNotificationsConsumer } from './instance-notifications';
import { knownUsersConsumer } from './known-users';
import { listingWatchesConsumer } from './listing-watches';
import { messageNotificationsConsumer } from './message-notifications';
import { moderationNotificationsConsumer } from './moderation-notifications';
import { savedSearchAlertsConsumer } from './saved-search-alerts';
import { welcomeConsumer } from './welcome';

/**
 * What messaging reacts to, one consumer group per file. Each event is handled in one transaction
 * with its inbox row (exactly one effect), and the notifications it stored are announced live after
 * the commit. Messaging publishes `messaging.message.sent` (events/published.ts) and consumes it
 * itself for MESSAGE notifications; live topics are in live/topics.ts.
 */
export function messagingConsumers(db: Db, live: LiveUpdates): Consumer[] {
  return [
    welcomeConsumer(db, live),
    bookingNotificationsConsumer(db, live),
    instanceNotificationsConsumer(db, live),
    listingWatchesConsumer(db, live),
    auctionNotificationsConsumer(db, live),
    savedSearchAlertsConsumer(db, live),
    knownUsersConsumer(db),
    messageNotificationsConsumer(db, live),
    moderationNotificationsConsumer(db, live),
    accountDeletionConsumer(db),
  ];
}
