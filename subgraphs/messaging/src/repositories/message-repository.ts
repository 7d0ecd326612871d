import { enqueueEvent } from '@market/platform';
import { Prisma } from '../generated/prisma/client';
import type { Db, Tx } from '../db';
import { DELETED_MESSAGE_BODY, previewOf, type InboxUpdateRecord, type MessageRecord, type StreamPosition } from '../domain';
import { appendInboxUpdates } from './inbox-repository';

const messageSelect = {
  id: true,
  conversationId: true,
  senderId: true,
  body: true,
  createdAt: true,
  removedAt: true,
  editedAt: true,
  deletedAt: true,
} as const;

/** The columns of a MessageRecord, for raw queries over `messages m`. */
export const MESSAGE_COLUMNS = Prisma.sql`m.id::text AS id, m.conversation_id::text AS "conversationId", m.sender_id::text AS "senderId",
  m.body, m.created_at AS "createdAt", m.removed_at AS "removedAt", m.edited_at AS "editedAt", m.deleted_at AS "deletedAt"`;

/** Hides the messages of users the viewer blocked (nothing hidden for a null viewer: an admin's read). */
export function notBlockedBy(viewerId: string | null) {
  return viewerId
    ? Prisma.sql`AND NOT EXISTS (SELECT 1 FROM user_blocks ub WHERE ub.blocker_id = ${viewerId}::uuid AND ub.blocked_id = m.sender_id)`
    : Prisma.empty;
}

export type AppendOutcome =
  { kind: 'sent'; message: MessageRecord; inbox: InboxUpdateRecord[] } | { kind: 'notFound' } | { kind: 'notParticipant' };

/**
 * Appends a message inside the caller's transaction. The conversation row is locked and updated
 * first: that checks the sender takes part, serializes the writers of one conversation, and picks a
 * `created_at` strictly after the previous message's (never before the conversation's own). So
 * within a conversation creation order is commit order, and a reader holding the newest
 * (created_at, id) it has seen never misses a later message.
 *
 * The sender's participant row is locked too, after the conversation's (the order the erasure of a
 * deleted account follows): a sender whose account is being deleted either sends before leaving
 * (and the erasure, waiting on the conversation, then removes the message) or is refused (the lock,
 * once granted, rechecks `left_at` on the row the erasure committed).
 *
 * In the same transaction: every member's inbox stream gets the update (`inboxUpdated`), and a
 * `messaging.message.sent` event goes to the outbox for the members' notifications.
 */
export async function appendMessage(tx: Tx, conversationId: string, senderId: string, body: string): Promise<AppendOutcome> {
  const stamped = await tx.$queryRaw<{ at: Date; title: string | null }[]>`
    WITH stamp AS (
      SELECT c.id, GREATEST(clock_timestamp(), c.created_at, c.last_message_at + interval '1 millisecond') AS at
      FROM conversations c
      JOIN conversation_participants p ON p.conversation_id = c.id AND p.user_id = ${senderId}::uuid AND p.left_at IS NULL
      WHERE c.id = ${conversationId}::uuid
      FOR UPDATE OF c, p
    )
    UPDATE conversations c SET last_message_at = stamp.at, last_activity_at = stamp.at
    FROM stamp WHERE c.id = stamp.id
    RETURNING c.last_message_at AS at, c.title`;
  const row = stamped[0];
  if (!row) {
    const exists = await tx.conversation.findUnique({ where: { id: conversationId }, select: { id: true } });
    return { kind: exists ? 'notParticipant' : 'notFound' };
  }
  const message = await tx.message.create({
    data: { conversationId, senderId, body, createdAt: row.at },
    select: messageSelect,
  });
  // The sender has read everything up to their own message.
  await tx.conversationParticipant.update({
    where: { conversationId_userId: { conversationId, userId: senderId } },
    data: { lastReadAt: row.at, lastReadMessageId: message.id, readMarkedAt: row.at },
    select: { userId: true },
  });
  const inbox = await appendInboxUpdates(tx, { kind: 'MESSAGE_ADDED', conversationId, messageId: message.id, actorId: senderId });
  // The members whose streams got it, but the sender (members who blocked the sender got no update,
  // and would get no notification either).
  const recipientIds = inbox.map((u) => u.userId).filter((id) => id !== senderId);
  if (recipientIds.length > 0) {
    await enqueueEvent(tx, 'messaging.message.sent', conversationId, {
      messageId: message.id,
      conversationId,
      senderId,
      recipientIds,
      preview: previewOf(body),
      conversationTitle: row.title,
      sentAt: row.at.toISOString(),
    });
  }
  return { kind: 'sent', message, inbox };
}

export type ChangeOutcome =
  | { kind: 'changed'; message: MessageRecord; inbox: InboxUpdateRecord[] }
  | { kind: 'unchanged'; message: MessageRecord }
  | { kind: 'notFound' }
  | { kind: 'notSender' }
  | { kind: 'deleted'; message: MessageRecord };

export class MessageRepository {
  constructor(private readonly db: Db) {}

  /**
   * Messages by id in one query. With `participantId`, only messages of conversations that user
   * takes part in.
   */
  async findByIds(ids: readonly string[], participantId: string | null): Promise<MessageRecord[]> {
    if (ids.length === 0) return [];
    return this.db.message.findMany({
      where: {
        id: { in: [...ids] },
        ...(participantId ? { conversation: { participants: { some: { userId: participantId, leftAt: null } } } } : {}),
      },
      select: messageSelect,
    });
  }

  async findById(id: string): Promise<MessageRecord | null> {
    return this.db.message.findUnique({ where: { id }, select: messageSelect });
  }

  /**
   * The newest `last` messages of each conversation (older than `before`, when given: a message id
   * of that conversation or a position), returned oldest first, in one query: one index range scan on
   * (conversation_id, created_at, id) per conversation. A `before` id that is not a message of that
   * conversation yields nothing. Messages of users `viewerId` blocked are left out.
   */
  async latestOf(
    conversationIds: readonly string[],
    last: number,
    before: { id: string } | StreamPosition | null,
    viewerId: string | null,
  ): Promise<MessageRecord[]> {
    if (conversationIds.length === 0) return [];
    const olderThan = !before
      ? Prisma.empty
      : 'createdAt' in before
        ? Prisma.sql`AND (m.created_at, m.id) < (${before.createdAt}::timestamptz, ${before.id}::uuid)`
        : Prisma.sql`AND (m.created_at, m.id) < (SELECT b.created_at, b.id FROM messages b WHERE b.id = ${before.id}::uuid AND b.conversation_id = c.id)`;
    return this.db.$queryRaw<MessageRecord[]>`
      SELECT ${MESSAGE_COLUMNS}
      FROM unnest(${[...conversationIds]}::uuid[]) AS c(id)
      CROSS JOIN LATERAL (
        SELECT m.* FROM messages m
        WHERE m.conversation_id = c.id ${olderThan} ${notBlockedBy(viewerId)}
        ORDER BY m.created_at DESC, m.id DESC
        LIMIT ${last}
      ) m
      ORDER BY m.conversation_id, m.created_at, m.id`;
  }

  /**
   * The first `first` messages of each conversation sent after the position `after` (from the
   * start without it), oldest first, in one query. Messages are stamped strictly increasing in
   * commit order within a conversation (`appendMessage`), so nothing committed after the message
   * at `after` is skipped.
   */
  async after(
    conversationIds: readonly string[],
    first: number,
    after: StreamPosition | null,
    viewerId: string | null,
  ): Promise<MessageRecord[]> {
    if (conversationIds.length === 0) return [];
    const newerThan = after ? Prisma.sql`AND (m.created_at, m.id) > (${after.createdAt}::timestamptz, ${after.id}::uuid)` : Prisma.empty;
    return this.db.$queryRaw<MessageRecord[]>`
      SELECT ${MESSAGE_COLUMNS}
      FROM unnest(${[...conversationIds]}::uuid[]) AS c(id)
      CROSS JOIN LATERAL (
        SELECT m.* FROM messages m
        WHERE m.conversation_id = c.id ${newerThan} ${notBlockedBy(viewerId)}
        ORDER BY m.created_at, m.id
        LIMIT ${first}
      ) m
      ORDER BY m.conversation_id, m.created_at, m.id`;
  }

  /** Whether the conversation has a (visible) message before / after a position. */
  async hasBeyond(
    conversationId: string,
    position: StreamPosition,
    direction: 'before' | 'after',
    viewerId: string | null,
  ): Promise<boolean> {
    const compare =
      direction === 'before'
        ? Prisma.sql`(m.created_at, m.id) < (${position.createdAt}::timestamptz, ${position.id}::uuid)`
        : Prisma.sql`(m.created_at, m.id) > (${position.createdAt}::timestamptz, ${position.id}::uuid)`;
    const rows = await this.db.$queryRaw<{ found: boolean }[]>`
      SELECT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = ${conversationId}::uuid AND ${compare} ${notBlockedBy(viewerId)}) AS found`;
    return rows[0]?.found ?? false;
  }

  /** Full-text match within one conversation ('simple' configuration: words as written), newest first. */
  async search(conversationId: string, query: string, first: number, viewerId: string | null): Promise<MessageRecord[]> {
    return this.db.$queryRaw<MessageRecord[]>`
      SELECT ${MESSAGE_COLUMNS}
      FROM messages m
      WHERE m.conversation_id = ${conversationId}::uuid AND m.deleted_at IS NULL AND m.removed_at IS NULL
        AND to_tsvector('simple', m.body) @@ websearch_to_tsquery('simple', ${query})
        ${notBlockedBy(viewerId)}
      ORDER BY m.created_at DESC, m.id DESC
      LIMIT ${first}`;
  }

  /** Edits the sender's own message (not a deleted or removed one), with the members' inbox updates. */
  async edit(messageId: string, senderId: string, body: string): Promise<ChangeOutcome> {
    return this.db.$transaction(async (tx) => {
      const found = await lockMessage(tx, messageId);
      if (!found) return { kind: 'notFound' };
      if (found.senderId !== senderId) return { kind: 'notSender' };
      if (found.deletedAt || found.removedAt) return { kind: 'deleted', message: found };
      if (found.body === body) return { kind: 'unchanged', message: found };
      const message = await tx.message.update({ where: { id: messageId }, data: { body, editedAt: new Date() }, select: messageSelect });
      const inbox = await appendInboxUpdates(tx, {
        kind: 'MESSAGE_EDITED',
        conversationId: message.conversationId,
        messageId,
        actorId: senderId,
      });
      return { kind: 'changed', message, inbox };
    });
  }

  /** Replaces the sender's own message by a tombstone, with the members' inbox updates; a second call changes nothing. */
  async delete(messageId: string, senderId: string): Promise<ChangeOutcome> {
    return this.db.$transaction(async (tx) => {
      const found = await lockMessage(tx, messageId);
      if (!found) return { kind: 'notFound' };
      if (found.senderId !== senderId) return { kind: 'notSender' };
      if (found.deletedAt || found.removedAt) return { kind: 'unchanged', message: found };
      const message = await tx.message.update({
        where: { id: messageId },
        data: { body: DELETED_MESSAGE_BODY, deletedAt: new Date() },
        select: messageSelect,
      });
      const inbox = await appendInboxUpdates(tx, {
        kind: 'MESSAGE_DELETED',
        conversationId: message.conversationId,
        messageId,
        actorId: senderId,
      });
      return { kind: 'changed', message, inbox };
    });
  }
}

/** The message, locked for this transaction (two edits of one message apply one after the other). */
async function lockMessage(tx: Tx, messageId: string): Promise<MessageRecord | null> {
  const rows = await tx.$queryRaw<MessageRecord[]>`SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.id = ${messageId}::uuid FOR UPDATE`;
  return rows[0] ?? null;
}
