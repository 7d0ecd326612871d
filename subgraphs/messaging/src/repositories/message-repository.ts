import { Prisma } from '../generated/prisma/client';
import type { Db, Tx } from '../db';
import type { MessageRecord, StreamPosition } from '../domain';

const messageSelect = { id: true, conversationId: true, senderId: true, body: true, createdAt: true, removedAt: true } as const;

export type AppendOutcome =
  | { kind: 'sent'; message: MessageRecord }
  | { kind: 'notFound' }
  | { kind: 'notParticipant' };

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
 */
export async function appendMessage(tx: Tx, conversationId: string, senderId: string, body: string): Promise<AppendOutcome> {
  const stamped = await tx.$queryRaw<{ at: Date }[]>`
    WITH stamp AS (
      SELECT c.id, GREATEST(clock_timestamp(), c.created_at, c.last_message_at + interval '1 millisecond') AS at
      FROM conversations c
      JOIN conversation_participants p ON p.conversation_id = c.id AND p.user_id = ${senderId}::uuid AND p.left_at IS NULL
      WHERE c.id = ${conversationId}::uuid
      FOR UPDATE OF c, p
    )
    UPDATE conversations c SET last_message_at = stamp.at, last_activity_at = stamp.at
    FROM stamp WHERE c.id = stamp.id
    RETURNING c.last_message_at AS at`;
  const at = stamped[0]?.at;
  if (!at) {
    const exists = await tx.conversation.findUnique({ where: { id: conversationId }, select: { id: true } });
    return { kind: exists ? 'notParticipant' : 'notFound' };
  }
  const message = await tx.message.create({
    data: { conversationId, senderId, body, createdAt: at },
    select: messageSelect,
  });
  await tx.conversationParticipant.update({
    where: { conversationId_userId: { conversationId, userId: senderId } },
    data: { lastReadAt: at },
    select: { userId: true },
  });
  return { kind: 'sent', message };
}

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

  /**
   * The newest `last` messages of each conversation (older than the message `before`, when given),
   * returned oldest first, in one query: one index range scan on (conversation_id, created_at, id) per
   * conversation. A `before` that is not a message of that conversation yields nothing.
   */
  async latestOf(conversationIds: readonly string[], last: number, before: string | null): Promise<MessageRecord[]> {
    if (conversationIds.length === 0) return [];
    const olderThan = before
      ? Prisma.sql`AND (m.created_at, m.id) < (SELECT b.created_at, b.id FROM messages b WHERE b.id = ${before}::uuid AND b.conversation_id = c.id)`
      : Prisma.empty;
    return this.db.$queryRaw<MessageRecord[]>`
      SELECT m.id::text AS id, m.conversation_id::text AS "conversationId", m.sender_id::text AS "senderId",
             m.body, m.created_at AS "createdAt", m.removed_at AS "removedAt"
      FROM unnest(${[...conversationIds]}::uuid[]) AS c(id)
      CROSS JOIN LATERAL (
        SELECT m.id, m.conversation_id, m.sender_id, m.body, m.created_at, m.removed_at
        FROM messages m
        WHERE m.conversation_id = c.id ${olderThan}
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
  async after(conversationIds: readonly string[], first: number, after: StreamPosition | null): Promise<MessageRecord[]> {
    if (conversationIds.length === 0) return [];
    const newerThan = after
      ? Prisma.sql`AND (m.created_at, m.id) > (${after.createdAt}::timestamptz, ${after.id}::uuid)`
      : Prisma.empty;
    return this.db.$queryRaw<MessageRecord[]>`
      SELECT m.id::text AS id, m.conversation_id::text AS "conversationId", m.sender_id::text AS "senderId",
             m.body, m.created_at AS "createdAt", m.removed_at AS "removedAt"
      FROM unnest(${[...conversationIds]}::uuid[]) AS c(id)
      CROSS JOIN LATERAL (
        SELECT m.id, m.conversation_id, m.sender_id, m.body, m.created_at, m.removed_at
        FROM messages m
        WHERE m.conversation_id = c.id ${newerThan}
        ORDER BY m.created_at, m.id
        LIMIT ${first}
      ) m
      ORDER BY m.conversation_id, m.created_at, m.id`;
  }
}
