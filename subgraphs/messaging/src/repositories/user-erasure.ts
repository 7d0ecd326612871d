import type { Tx } from '../db';
import { REMOVED_MESSAGE_BODY } from '../domain';
import { lockNotificationStreams } from './notification-repository';

/** What a deleted account leaves behind in messaging. */
export interface ErasureSummary {
  notificationsDeleted: number;
  watchesDeleted: number;
  messagesRemoved: number;
  attachmentsDeleted: number;
  conversationsLeft: number;
  /** Conversations nobody takes part in any more, deleted with their messages. */
  conversationsDeleted: number;
}

/** What `accounts.user.deleted` means here; run inside the event's transaction. */
export class UserErasure {
  constructor(private readonly tx: Tx) {}

  /**
   * Forgets a deleted user: their notifications and watches go; the text of their messages is
   * replaced by a placeholder (the messages keep their place, so the others' replies keep their
   * context, and their sender, whom accounts now shows as "Deleted user"); they leave every
   * conversation; a conversation nobody is left in is deleted. The user is remembered as deleted,
   * so no notification is stored for them afterwards (a late booking event, say) and nobody starts a
   * new conversation with them. Running it twice changes nothing the second time.
   *
   * Order matters against a concurrent `sendMessage` by the same user (their last access token lives
   * a few minutes). Like `appendMessage`, the erasure locks the conversations first (in id order),
   * then the participant rows: a message being sent is committed before the erasure goes on, and
   * its later statements see it; a message sent after it waits, then finds its sender gone.
   */
  async forget(userId: string): Promise<ErasureSummary> {
    const tx = this.tx;
    // Watch rows before the stream lock, the order a listing's deletion takes them in.
    const watchesDeleted = await tx.$executeRaw`DELETE FROM listing_watches WHERE user_id = ${userId}::uuid`;
    // Serializes with any handler storing a notification for this user right now: it either
    // committed before (and is deleted below) or sees the user deleted when it gets the lock.
    await lockNotificationStreams(tx, [userId]);
    await tx.$executeRaw`INSERT INTO deleted_users (user_id) VALUES (${userId}::uuid) ON CONFLICT DO NOTHING`;
    const notificationsDeleted = await tx.$executeRaw`DELETE FROM notifications WHERE recipient_id = ${userId}::uuid`;
    await tx.$executeRaw`
      SELECT 1 FROM (
        SELECT c.id FROM conversations c
        WHERE c.id IN (SELECT p.conversation_id FROM conversation_participants p WHERE p.user_id = ${userId}::uuid AND p.left_at IS NULL)
        ORDER BY c.id
        FOR UPDATE
      ) locked`;
    const left = await tx.$queryRaw<{ conversationId: string }[]>`
      UPDATE conversation_participants SET left_at = GREATEST(now(), joined_at)
      WHERE user_id = ${userId}::uuid AND left_at IS NULL
      RETURNING conversation_id::text AS "conversationId"`;
    // Their files go with their words (sent or not): without a row nobody is handed a download URL again.
    const attachmentsDeleted = await tx.$executeRaw`DELETE FROM message_attachments WHERE uploader_id = ${userId}::uuid`;
    // Through the user's conversations: messages are indexed by conversation, not by sender.
    const messagesRemoved = await tx.$executeRaw`
      UPDATE messages SET body = ${REMOVED_MESSAGE_BODY}, removed_at = now()
      WHERE conversation_id IN (SELECT p.conversation_id FROM conversation_participants p WHERE p.user_id = ${userId}::uuid)
        AND sender_id = ${userId}::uuid AND removed_at IS NULL`;
    // MESSAGE notifications of the others quote the last message of their conversation: no longer hers.
    await tx.$executeRaw`
      UPDATE notifications SET body = ${REMOVED_MESSAGE_BODY}
      WHERE kind = 'MESSAGE' AND conversation_id = ANY(${left.map((l) => l.conversationId)}::uuid[])`;
    const conversationsDeleted =
      left.length === 0
        ? 0
        : await tx.$executeRaw`
      DELETE FROM conversations c
      WHERE c.id = ANY(${left.map((l) => l.conversationId)}::uuid[])
        AND NOT EXISTS (SELECT 1 FROM conversation_participants p WHERE p.conversation_id = c.id AND p.left_at IS NULL)`;
    return {
      notificationsDeleted,
      watchesDeleted,
      messagesRemoved,
      attachmentsDeleted,
      conversationsLeft: left.length,
      conversationsDeleted,
    };
  }
}
