import { consumeEvents, type Consumer, type EventEnvelope } from '@market/platform';
import type { Db, Tx } from '../db';
import { KnownUserRepository } from '../repositories/known-user-repository';
import { NotificationRepository } from '../repositories/notification-repository';
import type { LiveUpdates } from '../services/live-updates';
import { uuidOf } from './event-ids';
import { announcingTransaction, storedIn } from './notifications-store';

/**
 * messaging.message.sent (messaging's own event, off the send path): a MESSAGE notification for each
 * recipient who should hear of it, coalesced to one unread notification per conversation (see
 * NotificationRepository.upsertCoalesced). Nobody is told who is reading the conversation now (an
 * open `messageAdded` lease), muted it, already read past the message, left, or blocked the sender.
 */
export const MESSAGE_NOTIFICATIONS_CONSUMER = 'messaging.message-notifications';

async function recipientsToTell(tx: Tx, event: EventEnvelope<'messaging.message.sent'>, conversationId: string, senderId: string): Promise<string[]> {
  const sentAt = new Date(event.payload.sentAt);
  const rows = await tx.$queryRaw<{ userId: string }[]>`
    SELECT p.user_id::text AS "userId" FROM conversation_participants p
    WHERE p.conversation_id = ${conversationId}::uuid
      AND p.user_id = ANY(${event.payload.recipientIds.map((id) => id.toLowerCase())}::uuid[])
      AND p.left_at IS NULL
      AND (p.muted_until IS NULL OR p.muted_until <= now())
      AND (p.last_read_at IS NULL OR p.last_read_at < ${sentAt})
      AND NOT EXISTS (SELECT 1 FROM user_blocks b WHERE b.blocker_id = p.user_id AND b.blocked_id = ${senderId}::uuid)
      AND NOT EXISTS (SELECT 1 FROM conversation_readers r
                      WHERE r.conversation_id = p.conversation_id AND r.user_id = p.user_id AND r.expires_at > now())
    ORDER BY p.user_id`;
  return rows.map((r) => r.userId);
}

export const messageNotificationHandlers = {
  'messaging.message.sent': async (event: EventEnvelope<'messaging.message.sent'>, tx: Tx): Promise<void> => {
    const conversationId = uuidOf(event, 'conversationId', event.payload.conversationId);
    const senderId = uuidOf(event, 'senderId', event.payload.senderId);
    const recipients = await recipientsToTell(tx, event, conversationId, senderId);
    if (recipients.length === 0) return;
    const senderName = (await new KnownUserRepository(tx).names([senderId])).get(senderId) || 'Someone';
    const title = (event.payload.conversationTitle ? `${senderName} in ${event.payload.conversationTitle}` : `New message from ${senderName}`).slice(0, 200);
    const stored = await new NotificationRepository(tx).upsertCoalesced(recipients, { conversationId, title, body: event.payload.preview.slice(0, 2000) });
    storedIn.get(tx)?.push(...stored);
  },
};

export const messageNotificationsConsumer =
  (db: Db, live: LiveUpdates): Consumer =>
  (bus) =>
    consumeEvents<Tx>({
      bus,
      consumer: MESSAGE_NOTIFICATIONS_CONSUMER,
      transaction: announcingTransaction(db, live),
      handlers: messageNotificationHandlers,
    });
