import { consumeEvents, type Consumer, type EventEnvelope } from '@market/platform';
import type { Db, Tx } from '../db';
import type { LiveUpdates } from '../services/live-updates';
import type { NewNotification } from '../services/notification-service';
import { uuidOf } from './event-ids';
import { announcingTransaction, storeNotifications } from './notifications-store';

/** engagement.moderation.decided: a MODERATION notification for the author of the post or comment. */
export const MODERATION_NOTIFICATIONS_CONSUMER = 'messaging.moderation-notifications';

const HEADLINES: Record<EventEnvelope<'engagement.moderation.decided'>['payload']['status'], (what: string) => string> = {
  PUBLISHED: (what) => `Your ${what} is published`,
  HELD: (what) => `Your ${what} is held for review`,
  REJECTED: (what) => `Your ${what} was not published`,
  REMOVED: (what) => `Your ${what} was removed`,
};

/** What the author is told; the event's id names the notification, so a redelivery stores nothing new. */
export function moderationNotification(event: EventEnvelope<'engagement.moderation.decided'>, authorId: string): NewNotification {
  const p = event.payload;
  const what = p.targetType === 'POST' ? 'post' : 'comment';
  const by = p.decidedBy === 'REPORTS' ? 'after reports from other users' : p.decidedBy === 'ADMIN' ? 'by a moderator' : 'automatically';
  const reasons = p.reasons.length > 0 ? ` Reasons: ${p.reasons.join('; ')}.` : '';
  const appeal = p.status === 'HELD' || p.status === 'REMOVED' ? ' You can appeal this decision.' : '';
  return {
    recipientId: authorId,
    kind: 'MODERATION',
    title: HEADLINES[p.status](what),
    body: `Decided ${by}.${reasons}${appeal}`.slice(0, 2000),
    dedupeKey: `moderation:${event.id}`,
  };
}

export const moderationNotificationHandlers = {
  'engagement.moderation.decided': async (event: EventEnvelope<'engagement.moderation.decided'>, tx: Tx): Promise<void> => {
    await storeNotifications(tx, [moderationNotification(event, uuidOf(event, 'authorId', event.payload.authorId))]);
  },
};

export const moderationNotificationsConsumer =
  (db: Db, live: LiveUpdates): Consumer =>
  (bus) =>
    consumeEvents<Tx>({
      bus,
      consumer: MODERATION_NOTIFICATIONS_CONSUMER,
      transaction: announcingTransaction(db, live),
      handlers: moderationNotificationHandlers,
    });
