import { consumeEvents, type Consumer, type EventEnvelope } from '@market/platform';
import type { Db, Tx } from '../db';
import { KnownUserRepository } from '../repositories/known-user-repository';
import { NotificationRepository, lockNotificationStreams } from '../repositories/notification-repository';
import type { LiveUpdates } from '../services/live-updates';
import { previewOf } from '../domain';
import { uuidOf } from './event-ids';
import { announcingTransaction, storedIn } from './notifications-store';

/**
 * messaging.message.sent (messaging's own event, off the send path): a MESSAGE notification for each
 * recipient who should hear of it, coalesced to one unread notification per conversation (see
 * NotificationRepository.upsertCoalesced). Nobody is told who is reading the conversation now (an
 * open `messageAdded` lease), muted it, already read past the message, left, or blocked the sender.
 *
 * The text quoted is the message as stored now, not the event's copy: the event can be handled after
 * its sender deleted their account (or the message), and a removed text must stay removed. The
 * message row is share-locked for the handler's transaction, so an erasure running at the same time
 * either committed before (the message reads removed: nobody is told) or waits for this notification
 * to commit and then scrubs it with the others (see UserErasure.forget).
 */
export const MESSAGE_NOTIFICATIONS_CONSUMER = 'messaging.message-notifications';

async function recipientsToTell(
  tx: Tx,
  event: EventEnvelope<'messaging.message.sent'>,
  conversationId: string,
  senderId: string,
): Promise<string[]> {
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

/** The message's current text, or null when there is nothing to tell of (gone, deleted, removed, or its sender deleted). */
async function currentText(tx: Tx, messageId: string, senderId: string): Promise<string | null> {
  // FOR SHARE: waits for an erasure updating the row, then reads the row as it committed.
  const rows = await tx.$queryRaw<{ body: string; gone: boolean }[]>`
    SELECT m.body, (m.removed_at IS NOT NULL OR m.deleted_at IS NOT NULL) AS gone
    FROM messages m WHERE m.id = ${messageId}::uuid AND m.sender_id = ${senderId}::uuid
    FOR SHARE`;
  const row = rows[0];
  if (!row || row.gone) return null;
  const deleted = await tx.$queryRaw<{ one: number }[]>`SELECT 1 AS one FROM deleted_users WHERE user_id = ${senderId}::uuid`;
  return deleted.length > 0 ? null : row.body;
}

export const messageNotificationHandlers = {
  'messaging.message.sent': async (event: EventEnvelope<'messaging.message.sent'>, tx: Tx): Promise<void> => {
    const conversationId = uuidOf(event, 'conversationId', event.payload.conversationId);
    const senderId = uuidOf(event, 'senderId', event.payload.senderId);
    // The recipients' notification streams first, then the message: the order an erasure takes its
    // locks in (UserErasure.forget), so the two wait for each other but never deadlock.
    await lockNotificationStreams(tx, event.payload.recipientIds);
    const text = await currentText(tx, uuidOf(event, 'messageId', event.payload.messageId), senderId);
    if (text === null) return;
    const recipients = await recipientsToTell(tx, event, conversationId, senderId);
    if (recipients.length === 0) return;
    const senderName = (await new KnownUserRepository(tx).names([senderId])).get(senderId) || 'Someone';
    const title = (
      event.payload.conversationTitle ? `${senderName} in ${event.payload.conversationTitle}` : `New message from ${senderName}`
    ).slice(0, 200);
    const stored = await new NotificationRepository(tx).upsertCoalesced(recipients, { conversationId, title, body: previewOf(text) });
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
