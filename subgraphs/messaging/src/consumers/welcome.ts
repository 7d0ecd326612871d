import { consumeEvents, type Consumer, type EventEnvelope } from '@market/platform';
import type { Db, Tx } from '../db';
import type { LiveUpdates } from '../services/live-updates';
import { welcomeNotification } from '../services/notification-service';
import { announcingTransaction, storeNotifications } from './notifications-store';

/** accounts.user.registered: the new user gets a WELCOME notification. */
export const NOTIFICATIONS_CONSUMER = 'messaging.notifications';

export const notificationHandlers = {
  'accounts.user.registered': async (event: EventEnvelope<'accounts.user.registered'>, tx: Tx): Promise<void> => {
    await storeNotifications(tx, [welcomeNotification(event.payload)]);
  },
};

export const welcomeConsumer =
  (db: Db, live: LiveUpdates): Consumer =>
  (bus) =>
    consumeEvents<Tx>({
      bus,
      consumer: NOTIFICATIONS_CONSUMER,
      transaction: announcingTransaction(db, live),
      handlers: notificationHandlers,
    });
