import { consumeEvents, InvalidEventError, type Consumer, type EventEnvelope, type Handlers } from '@market/platform';
import type { Db, Tx } from '../db';
import { isUuid } from '../domain';
import { INSTANCE_EVENT_TYPES, instanceNotification, type InstanceEventType } from '../services/instance-notifications';
import type { LiveUpdates } from '../services/live-updates';
import { announcingTransaction, storeNotifications } from './notifications-store';

/** instances.instance.stopped | failed | unhealthy: an INSTANCE notification for the instance's owner (see services/instance-notifications.ts). */
export const INSTANCE_NOTIFICATIONS_CONSUMER = 'messaging.instance-notifications';

async function notifyAboutInstance(event: EventEnvelope<InstanceEventType>, tx: Tx): Promise<void> {
  const notification = instanceNotification(event);
  // An owner that is not a user id can never be stored: dead letters, not retries.
  if (!isUuid(notification.recipientId)) throw new InvalidEventError(`${event.type} ${event.id}: the owner id must be a uuid`);
  await storeNotifications(tx, [notification]);
}

export const instanceNotificationHandlers: Handlers<Tx> = Object.fromEntries(
  INSTANCE_EVENT_TYPES.map((type) => [type, notifyAboutInstance]),
);

export const instanceNotificationsConsumer =
  (db: Db, live: LiveUpdates): Consumer =>
  (bus) =>
    consumeEvents<Tx>({
      bus,
      consumer: INSTANCE_NOTIFICATIONS_CONSUMER,
      transaction: announcingTransaction(db, live),
      handlers: instanceNotificationHandlers,
    });
