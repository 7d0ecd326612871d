import { z } from 'zod';
import { consumeEvents, defineTopic, InvalidEventError, listingEventOrderOf, type EventBus, type EventEnvelope, type Handlers } from '@market/platform';
import type { Db, Tx } from './db';
import { isUuid, NOTIFICATION_KINDS, type NotificationRecord } from './domain';
import { KnownListingRepository } from './repositories/known-listing-repository';
import { NotificationRepository } from './repositories/notification-repository';
import { UserErasure } from './repositories/user-erasure';
import { BOOKING_EVENT_TYPES, bookingNotifications, type BookingEventType } from './services/booking-notifications';
import { INSTANCE_EVENT_TYPES, instanceNotification, type InstanceEventType } from './services/instance-notifications';
import { listingChangeNotice, listingDeletedNotice, type ListingNotice } from './services/listing-notifications';
import type { LiveUpdates } from './services/live-updates';
import { welcomeNotification, type NewNotification } from './services/notification-service';

/**
 * Events messaging takes part in.
 * Publishes no bus events yet. Publishes live events (pub/sub, for subscriptions: at-most-once,
 * after the commit, each with the cursor its catch-up query resumes from), see the topics below:
 *   - messaging.messageAdded, keyed by conversation id: every message sent;
 *   - messaging.typing, keyed by conversation id: someone is typing (ephemeral);
 *   - messaging.notificationAdded, keyed by recipient id: every notification stored.
 * Consumes, each handler inside the inbox transaction `tx` so each event has its effect exactly once:
 *   - consumer group `messaging.notifications`:
 *     accounts.user.registered: the new user gets a WELCOME notification.
 *   - consumer group `messaging.booking-notifications`:
 *     bookings.stay.requested | confirmed | declined | cancelled and
 *     bookings.viewing.requested | confirmed | cancelled | reminder: BOOKING notifications for the
 *     host and guest (agent and buyer) the event concerns (see services/booking-notifications.ts).
 *   - consumer group `messaging.instance-notifications`:
 *     instances.instance.stopped | failed: an INSTANCE notification for the instance's owner
 *     (see services/instance-notifications.ts).
 *   - consumer group `messaging.listing-watches`:
 *     listings.listing.upserted: the listing's state is recorded (known_listings: what makes it
 *     watchable) unless a newer one is held (by the listing's version, or by time for events
 *     without one: platform/src/events/listing-order.ts); when its status or asking price changed, its
 *     watchers get a LISTING notification (see services/listing-notifications.ts);
 *     listings.listing.deleted: the listing is marked deleted for good, its watches removed and its
 *     watchers told.
 *   - consumer group `messaging.account-deletion`:
 *     accounts.user.deleted: the user's notifications and watches are deleted, the text of their
 *     messages removed, and they leave their conversations (see repositories/user-erasure.ts).
 */
export const NOTIFICATIONS_CONSUMER = 'messaging.notifications';
export const BOOKING_NOTIFICATIONS_CONSUMER = 'messaging.booking-notifications';
export const INSTANCE_NOTIFICATIONS_CONSUMER = 'messaging.instance-notifications';
export const LISTING_WATCH_CONSUMER = 'messaging.listing-watches';
export const ACCOUNT_DELETION_CONSUMER = 'messaging.account-deletion';

export const messageAddedTopic = defineTopic(
  'messaging.messageAdded',
  z.object({ id: z.string(), conversationId: z.string(), senderId: z.string(), body: z.string(), createdAt: z.coerce.date() }),
);

export const typingTopic = defineTopic(
  'messaging.typing',
  z.object({ conversationId: z.string(), userId: z.string(), at: z.coerce.date() }),
);

export const notificationAddedTopic = defineTopic(
  'messaging.notificationAdded',
  z.object({
    id: z.string(),
    recipientId: z.string(),
    kind: z.enum(NOTIFICATION_KINDS),
    title: z.string(),
    body: z.string(),
    readAt: z.coerce.date().nullable(),
    createdAt: z.coerce.date(),
  }),
);

/** The notifications each running handler transaction stored, to announce once it has committed. */
const storedIn = new WeakMap<Tx, NotificationRecord[]>();

/** Stores notifications in a handler's transaction; those really stored (not duplicates) are announced after the commit. */
async function storeNotifications(tx: Tx, notifications: readonly NewNotification[]): Promise<void> {
  const stored = await new NotificationRepository(tx).createAll(notifications);
  storedIn.get(tx)?.push(...stored);
}

/** A handler transaction that announces the notifications it stored once committed (the catch-up query then sees them). */
function announcingTransaction(db: Db, live: LiveUpdates, options: { timeoutMs?: number } = {}) {
  return async <R>(fn: (tx: Tx) => Promise<R>): Promise<R> => {
    const stored: NotificationRecord[] = [];
    const result = await db.$transaction(
      (tx) => {
        storedIn.set(tx, stored);
        return fn(tx);
      },
      options.timeoutMs ? { timeout: options.timeoutMs } : undefined,
    );
    for (const notification of stored) await live.notificationAdded(notification);
    return result;
  };
}

export const notificationHandlers = {
  'accounts.user.registered': async (event: EventEnvelope<'accounts.user.registered'>, tx: Tx): Promise<void> => {
    await storeNotifications(tx, [welcomeNotification(event.payload)]);
  },
};

async function notifyAboutBooking(event: EventEnvelope<BookingEventType>, tx: Tx): Promise<void> {
  const notifications = bookingNotifications(event);
  // A recipient that is not a user id can never be stored: dead letters, not retries.
  if (notifications.some((n) => !isUuid(n.recipientId))) throw new InvalidEventError(`${event.type} ${event.id}: user ids must be uuids`);
  await storeNotifications(tx, notifications);
}

export const bookingNotificationHandlers: Handlers<Tx> = Object.fromEntries(
  BOOKING_EVENT_TYPES.map((type) => [type, notifyAboutBooking]),
);

async function notifyAboutInstance(event: EventEnvelope<InstanceEventType>, tx: Tx): Promise<void> {
  const notification = instanceNotification(event);
  // An owner that is not a user id can never be stored: dead letters, not retries.
  if (!isUuid(notification.recipientId)) throw new InvalidEventError(`${event.type} ${event.id}: the owner id must be a uuid`);
  await storeNotifications(tx, [notification]);
}

export const instanceNotificationHandlers: Handlers<Tx> = Object.fromEntries(
  INSTANCE_EVENT_TYPES.map((type) => [type, notifyAboutInstance]),
);

function uuidOf(event: EventEnvelope, what: string, value: string): string {
  // An id that is not a uuid names nothing here and never will: dead letters, not retries.
  if (!isUuid(value)) throw new InvalidEventError(`${event.type} ${event.id}: ${what} must be a uuid`);
  return value.toLowerCase();
}

/** One notification per watcher, stored once however often the event arrives (the key names the event). */
async function tellWatchers(tx: Tx, event: EventEnvelope, watcherIds: readonly string[], notice: ListingNotice): Promise<void> {
  if (watcherIds.length === 0) return;
  const stored = await new NotificationRepository(tx).createForEach(watcherIds, { kind: 'LISTING', ...notice }, `listing:${event.id}:`);
  storedIn.get(tx)?.push(...stored);
}

export const listingWatchHandlers = {
  'listings.listing.upserted': async (event: EventEnvelope<'listings.listing.upserted'>, tx: Tx): Promise<void> => {
    const p = event.payload;
    const listingId = uuidOf(event, 'listingId', p.listingId);
    const listings = new KnownListingRepository(tx);
    const outcome = await listings.apply(
      {
        listingId,
        ownerId: uuidOf(event, 'ownerId', p.ownerId),
        title: p.title,
        kind: p.kind,
        status: p.status,
        price: p.price,
        pricePerNight: p.pricePerNight,
        currency: p.currency,
      },
      listingEventOrderOf(event),
    );
    // A first sighting is a new listing: nobody can have watched it yet.
    if (outcome.kind !== 'applied' || !outcome.before) return;
    const notice = listingChangeNotice(outcome.before, outcome.after);
    if (notice) await tellWatchers(tx, event, await listings.watcherIds(listingId), notice);
  },
  'listings.listing.deleted': async (event: EventEnvelope<'listings.listing.deleted'>, tx: Tx): Promise<void> => {
    const listingId = uuidOf(event, 'listingId', event.payload.listingId);
    const ownerId = uuidOf(event, 'ownerId', event.payload.ownerId);
    const { before, watcherIds } = await new KnownListingRepository(tx).markDeleted(listingId, ownerId, listingEventOrderOf(event));
    if (before) await tellWatchers(tx, event, watcherIds, listingDeletedNotice(before, before.shownTitle));
  },
};

export const accountDeletionHandlers = {
  'accounts.user.deleted': async (event: EventEnvelope<'accounts.user.deleted'>, tx: Tx): Promise<void> => {
    await new UserErasure(tx).forget(uuidOf(event, 'userId', event.payload.userId));
  },
};

/**
 * Joins the consumer groups; every event is handled together with its inbox row, and the
 * notifications it stored are announced live after the commit.
 */
export async function consumeMessagingEvents(bus: EventBus, db: Db, live: LiveUpdates): Promise<void> {
  await consumeEvents<Tx>({
    bus,
    consumer: NOTIFICATIONS_CONSUMER,
    transaction: announcingTransaction(db, live),
    handlers: notificationHandlers,
  });
  await consumeEvents<Tx>({
    bus,
    consumer: BOOKING_NOTIFICATIONS_CONSUMER,
    transaction: announcingTransaction(db, live),
    handlers: bookingNotificationHandlers,
  });
  await consumeEvents<Tx>({
    bus,
    consumer: INSTANCE_NOTIFICATIONS_CONSUMER,
    transaction: announcingTransaction(db, live),
    handlers: instanceNotificationHandlers,
  });
  await consumeEvents<Tx>({
    bus,
    consumer: LISTING_WATCH_CONSUMER,
    // A popular listing has many watchers, all told in the event's one transaction.
    transaction: announcingTransaction(db, live, { timeoutMs: 60_000 }),
    handlers: listingWatchHandlers,
  });
  await consumeEvents<Tx>({
    bus,
    consumer: ACCOUNT_DELETION_CONSUMER,
    transaction: (fn) => db.$transaction(fn),
    handlers: accountDeletionHandlers,
  });
}
