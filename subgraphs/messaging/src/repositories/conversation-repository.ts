import type { Db, Tx } from '../db';
import type { ConversationRecord, MessageRecord, ParticipantRecord } from '../domain';
import { appendMessage, type AppendOutcome } from './message-repository';

const conversationSelect = { id: true, createdAt: true, lastMessageAt: true } as const;

export type StartOutcome =
  /** `message` is the first message, when one was given. */
  | { kind: 'started'; conversation: ConversationRecord; message: MessageRecord | null }
  /** Another request created this pair's conversation first; use that one. */
  | { kind: 'pairTaken' };

export class ConversationRepository {
  constructor(private readonly db: Db) {}

  /**
   * Conversations by id in one query. With `participantId`, only those that user takes part in and
   * has not left (the filter is part of the SQL, so nothing the caller may not see is even read).
   */
  async findByIds(ids: readonly string[], participantId: string | null): Promise<ConversationRecord[]> {
    if (ids.length === 0) return [];
    return this.db.conversation.findMany({
      where: {
        id: { in: [...ids] },
        ...(participantId ? { participants: { some: { userId: participantId, leftAt: null } } } : {}),
      },
      select: conversationSelect,
    });
  }

  async findByPairKey(pairKey: string): Promise<ConversationRecord | null> {
    return this.db.conversation.findUnique({ where: { pairKey }, select: conversationSelect });
  }

  /** Those taking part now: someone who left (deleted their account) is no longer listed. */
  async participantsOf(conversationIds: readonly string[]): Promise<ParticipantRecord[]> {
    if (conversationIds.length === 0) return [];
    return this.db.conversationParticipant.findMany({
      where: { conversationId: { in: [...conversationIds] }, leftAt: null },
      select: { conversationId: true, userId: true },
      orderBy: [{ joinedAt: 'asc' }, { userId: 'asc' }],
    });
  }

  /** Which of the (conversation, user) pairs are participations of someone who has not left, in one query. */
  async participations(pairs: readonly ParticipantRecord[]): Promise<ParticipantRecord[]> {
    if (pairs.length === 0) return [];
    return this.db.$queryRaw<ParticipantRecord[]>`
      SELECT p.conversation_id::text AS "conversationId", p.user_id::text AS "userId"
      FROM conversation_participants p
      JOIN unnest(${pairs.map((p) => p.conversationId)}::uuid[], ${pairs.map((p) => p.userId)}::uuid[]) AS q(conversation_id, user_id)
        ON p.conversation_id = q.conversation_id AND p.user_id = q.user_id
      WHERE p.left_at IS NULL`;
  }

  async exists(id: string): Promise<boolean> {
    return (await this.db.conversation.findUnique({ where: { id }, select: { id: true } })) !== null;
  }

  /** Every conversation of each user (not those they left), most recent activity first, in one query. */
  async listForUsers(userIds: readonly string[]): Promise<(ConversationRecord & { userId: string })[]> {
    if (userIds.length === 0) return [];
    return this.db.$queryRaw<(ConversationRecord & { userId: string })[]>`
      SELECT p.user_id::text AS "userId", c.id::text AS id, c.created_at AS "createdAt", c.last_message_at AS "lastMessageAt"
      FROM conversation_participants p
      JOIN conversations c ON c.id = p.conversation_id
      WHERE p.user_id = ANY(${[...userIds]}::uuid[]) AND p.left_at IS NULL
      ORDER BY c.last_activity_at DESC, c.id DESC`;
  }

  /** Which of these users deleted their account. */
  async deletedUsersAmong(userIds: readonly string[]): Promise<string[]> {
    if (userIds.length === 0) return [];
    const rows = await this.db.deletedUser.findMany({ where: { userId: { in: [...userIds] } }, select: { userId: true } });
    return rows.map((r) => r.userId);
  }

  /**
   * Creates a conversation with its participants and, when given, its first message, in one
   * transaction. A two-person conversation carries its pair key: when that pair already has one,
   * the unique index refuses the insert and the caller is told to use the existing conversation.
   */
  async start(input: {
    participantIds: readonly string[];
    pairKey: string | null;
    firstMessage: { senderId: string; body: string } | null;
  }): Promise<StartOutcome> {
    try {
      return await this.db.$transaction(async (tx) => {
        const created = await tx.conversation.create({
          data: {
            pairKey: input.pairKey,
            participants: { createMany: { data: input.participantIds.map((userId) => ({ userId })) } },
          },
          select: conversationSelect,
        });
        if (!input.firstMessage) return { kind: 'started', conversation: created, message: null } as const;
        const sent = await appendMessage(tx, created.id, input.firstMessage.senderId, input.firstMessage.body);
        if (sent.kind !== 'sent') throw new Error(`first message of a new conversation was refused (${sent.kind})`);
        return { kind: 'started', conversation: { ...created, lastMessageAt: sent.message.createdAt }, message: sent.message } as const;
      });
    } catch (err) {
      if (isUniqueViolation(err)) return { kind: 'pairTaken' };
      throw err;
    }
  }

  /** Appends a message to an existing conversation (see `appendMessage`), in its own transaction. */
  async send(conversationId: string, senderId: string, body: string): Promise<AppendOutcome> {
    return this.db.$transaction((tx: Tx) => appendMessage(tx, conversationId, senderId, body));
  }
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === 'P2002';
}
