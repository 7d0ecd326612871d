import { consumeEvents, InvalidEventError, type Consumer, type EventEnvelope, type Handlers } from '@market/platform';
import type { Db, Tx } from '../db';
import { isUuid } from '../domain';
import { BOOKING_EVENT_TYPES, bookingNotifications, type BookingEventType } from '../services/booking-notifications';
import type { LiveUpdates } from '../services/live-updates';
import { announcingTransaction, storeNotifications } from './notifications-store';

/**
 * bookings.stay.requested | confirmed | declined | cancelled and bookings.viewing.requested |
 * confirmed | cancelled | reminder: BOOKING notifications for the host and guest (agent and buyer)
 * the event concerns (see services/booking-notifications.ts).
 */
export const BOOKING_NOTIFICATIONS_CONSUMER = 'messaging.booking-notifications';

async function notifyAboutBooking(event: EventEnvelope<BookingEventType>, tx: Tx): Promise<void> {
  const notifications = bookingNotifications(event);
  // A recipient that is not a user id can never be stored: dead letters, not retries.
  if (notifications.some((n) => !isUuid(n.recipientId))) throw new InvalidEventError(`${event.type} ${event.id}: user ids must be uuids`);
  await storeNotifications(tx, notifications);
}

export const bookingNotificationHandlers: Handlers<Tx> = Object.fromEntries(BOOKING_EVENT_TYPES.map((type) => [type, notifyAboutBooking]));

export const bookingNotificationsConsumer =
  (db: Db, live: LiveUpdates): Consumer =>
  (bus) =>
    consumeEvents<Tx>({
      bus,
      consumer: BOOKING_NOTIFICATIONS_CONSUMER,
      transaction: announcingTransaction(db, live),
      handlers: bookingNotificationHandlers,
    });
