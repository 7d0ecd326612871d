import { consumeEvents, type EventBus, type EventEnvelope } from '@market/platform';
import type { Db, Tx } from './db';
import { NotificationRepository } from './repositories/notification-repository';
import { welcomeNotification } from './services/notification-service';

/**
 * Events messaging takes part in.
 * Publishes: none yet.
 * Consumes (consumer group `messaging.notifications`):
 *   - accounts.user.registered: the new user gets a WELCOME notification.
 * Each handler runs inside the inbox transaction `tx`, so each event has its effect exactly once.
 */
export const NOTIFICATIONS_CONSUMER = 'messaging.notifications';

export const notificationHandlers = {
  'accounts.user.registered': async (event: EventEnvelope<'accounts.user.registered'>, tx: Tx): Promise<void> => {
    await new NotificationRepository(tx).create(welcomeNotification(event.payload));
  },
};

/** Joins the consumer group; every event is handled together with its inbox row. */
export function consumeNotificationEvents(bus: EventBus, db: Db): Promise<void> {
  return consumeEvents<Tx>({
    bus,
    consumer: NOTIFICATIONS_CONSUMER,
    transaction: (fn) => db.$transaction(fn),
    handlers: notificationHandlers,
  });
}
