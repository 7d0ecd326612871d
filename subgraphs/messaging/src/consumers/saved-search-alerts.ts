import { consumeEvents, InvalidEventError, type Consumer, type EventEnvelope, type Handlers } from '@market/platform';
import type { Db, Tx } from '../db';
import { isUuid } from '../domain';
import type { LiveUpdates } from '../services/live-updates';
import { SAVED_SEARCH_EVENT_TYPES, savedSearchNotification, type SavedSearchEventType } from '../services/saved-search-notifications';
import { announcingTransaction, storeNotifications } from './notifications-store';

/**
 * listings.saved-search.matched | digest: a LISTING notification for the search's owner, as often as
 * they asked listings to alert them (an INSTANT search sends a match at a time, a DAILY one a digest;
 * see services/saved-search-notifications.ts).
 */
export const SAVED_SEARCH_ALERTS_CONSUMER = 'messaging.saved-search-alerts';

async function notifyAboutMatches(event: EventEnvelope<SavedSearchEventType>, tx: Tx): Promise<void> {
  const notification = savedSearchNotification(event);
  // An owner that is not a user id can never be stored: dead letters, not retries.
  if (!isUuid(notification.recipientId)) throw new InvalidEventError(`${event.type} ${event.id}: the user id must be a uuid`);
  await storeNotifications(tx, [notification]);
}

export const savedSearchAlertHandlers: Handlers<Tx> = Object.fromEntries(
  SAVED_SEARCH_EVENT_TYPES.map((type) => [type, notifyAboutMatches]),
);

export const savedSearchAlertsConsumer =
  (db: Db, live: LiveUpdates): Consumer =>
  (bus) =>
    consumeEvents<Tx>({
      bus,
      consumer: SAVED_SEARCH_ALERTS_CONSUMER,
      transaction: announcingTransaction(db, live),
      handlers: savedSearchAlertHandlers,
    });
