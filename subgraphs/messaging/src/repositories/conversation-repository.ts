import type { Db, Tx } from '../db';
import type { ConversationRecord, InboxUpdateRecord, MessageRecord, ParticipantRecord, ReadReceiptRecord } from '../domain';
import { appendInboxUpdates } from './inbox-repository';
import { appendMessage, type AppendOutcome } from './message-repository';

const conversationSelect = {
  id: true,
  createdAt: true,
  lastMessageAt: true,
  title: true,
  isGroup: true,
  creatorId: true,
  contextKind: true,
  contextId: true,
} as const;

export type StartOutcome =
  /** `message` is the first message, when one was given. */
  | { kind: 'started'; conversation: ConversationRecord; message: MessageRecord | null; inbox: InboxUpdateRecord[] }
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
      SELECT p.user_id::text AS "userId", c.id::text AS id, c.created_at AS "createdAt", c.last_message_at AS "lastMessageAt",
             c.title, c.is_group AS "isGroup", c.creator_id::text AS "creatorId", c.context_kind AS "contextKind", c.context_id::text AS "contextId"
      FROM conversation_participants p
      JOIN conversations c ON c.id = p.conversation_id
      WHERE p.user_id = ANY(${[...userIds]}::uuid[]) AND p.left_at IS NULL
      ORDER BY c.last_activity_at DESC, c.id DESC`;
  }

  /**
   * Which of these users cannot be in a conversation with `me`: unknown to messaging (accounts never
   * announced them: no such user, or not yet verified), deleted, or blocked by `me` or blocking `me`.
   */
  async unavailableAmong(me: string, userIds: readonly string[]): Promise<string[]> {
    if (userIds.length === 0) return [];
    const rows = await this.db.$queryRaw<{ userId: string }[]>`
      SELECT u.id::text AS "userId" FROM unnest(${[...userIds]}::uuid[]) AS u(id)
      WHERE NOT EXISTS (SELECT 1 FROM known_users k WHERE k.user_id = u.id AND k.status <> 'DELETED')
         OR EXISTS (SELECT 1 FROM deleted_users d WHERE d.user_id = u.id)
         OR EXISTS (SELECT 1 FROM user_blocks b
                    WHERE (b.blocker_id = ${me}::uuid AND b.blocked_id = u.id) OR (b.blocker_id = u.id AND b.blocked_id = ${me}::uuid))`;
    return rows.map((r) => r.userId);
  }

  /** The member row of a user in a conversation (left or not), with the conversation; null when either is missing. */
  async membership(conversationId: string, userId: string) {
    return this.db.conversationParticipant.findUnique({
      where: { conversationId_userId: { conversationId, userId } },
      select: { leftAt: true, mutedUntil: true, conversation: { select: conversationSelect } },
    });
  }

  async findById(id: string): Promise<ConversationRecord | null> {
    return this.db.conversation.findUnique({ where: { id }, select: conversationSelect });
  }

  /** Members now (not those who left). */
  async memberCount(conversationId: string): Promise<number> {
    return this.db.conversationParticipant.count({ where: { conversationId, leftAt: null } });
  }

  /**
   * Brings users (back) into a conversation: new members are added, those who left rejoin. Under the
   * conversation's row lock, with the size checked there: false when it would exceed `max`.
   */
  async addMembers(conversationId: string, userIds: readonly string[], max: number): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM conversations WHERE id = ${conversationId}::uuid FOR UPDATE`;
      const current = await tx.conversationParticipant.findMany({ where: { conversationId, leftAt: null }, select: { userId: true } });
      const members = new Set(current.map((p) => p.userId));
      const joining = userIds.filter((id) => !members.has(id));
      if (members.size + joining.length > max) return false;
      for (const userId of joining) {
        await tx.conversationParticipant.upsert({
          where: { conversationId_userId: { conversationId, userId } },
          create: { conversationId, userId },
          update: { leftAt: null },
          select: { userId: true },
        });
      }
      return true;
    });
  }

  /** The member leaves (or is removed); true when they were a member. */
  async leave(conversationId: string, userId: string): Promise<boolean> {
    const left = await this.db.conversationParticipant.updateMany({
      where: { conversationId, userId, leftAt: null },
      data: { leftAt: new Date() },
    });
    return left.count > 0;
  }

  async mute(conversationId: string, userId: string, until: Date | null): Promise<void> {
    await this.db.conversationParticipant.updateMany({ where: { conversationId, userId, leftAt: null }, data: { mutedUntil: until } });
  }

  /** Whether each (conversation, user) is muted now. */
  async mutedAmong(pairs: readonly ParticipantRecord[], now: Date): Promise<ParticipantRecord[]> {
    if (pairs.length === 0) return [];
    return this.db.$queryRaw<ParticipantRecord[]>`
      SELECT p.conversation_id::text AS "conversationId", p.user_id::text AS "userId"
      FROM conversation_participants p
      JOIN unnest(${pairs.map((p) => p.conversationId)}::uuid[], ${pairs.map((p) => p.userId)}::uuid[]) AS q(conversation_id, user_id)
        ON p.conversation_id = q.conversation_id AND p.user_id = q.user_id
      WHERE p.muted_until IS NOT NULL AND p.muted_until > ${now}`;
  }

  /** How far each member of these conversations read. */
  async readReceipts(conversationIds: readonly string[]): Promise<ReadReceiptRecord[]> {
    if (conversationIds.length === 0) return [];
    return this.db.conversationParticipant.findMany({
      where: { conversationId: { in: [...conversationIds] }, leftAt: null },
      select: { conversationId: true, userId: true, lastReadMessageId: true, readMarkedAt: true },
      orderBy: [{ joinedAt: 'asc' }, { userId: 'asc' }],
    });
  }

  /**
   * Unread messages per (conversation, user): from others, after the user's read marker, not
   * deleted, not from someone the user blocked. One query for all pairs.
   */
  async unreadCounts(pairs: readonly ParticipantRecord[]): Promise<(ParticipantRecord & { count: number })[]> {
    if (pairs.length === 0) return [];
    return this.db.$queryRaw<(ParticipantRecord & { count: number })[]>`
      SELECT p.conversation_id::text AS "conversationId", p.user_id::text AS "userId",
        (SELECT count(*)::int FROM messages m
         WHERE m.conversation_id = p.conversation_id AND m.sender_id <> p.user_id AND m.deleted_at IS NULL
           AND m.created_at > COALESCE(p.last_read_at, '-infinity'::timestamptz)
           AND NOT EXISTS (SELECT 1 FROM user_blocks b WHERE b.blocker_id = p.user_id AND b.blocked_id = m.sender_id)) AS count
      FROM conversation_participants p
      JOIN unnest(${pairs.map((p) => p.conversationId)}::uuid[], ${pairs.map((p) => p.userId)}::uuid[]) AS q(conversation_id, user_id)
        ON p.conversation_id = q.conversation_id AND p.user_id = q.user_id
      WHERE p.left_at IS NULL`;
  }

  /** Unread messages per user over all their conversations that are not muted now. */
  async totalUnread(userIds: readonly string[], now: Date): Promise<{ userId: string; count: number }[]> {
    if (userIds.length === 0) return [];
    return this.db.$queryRaw<{ userId: string; count: number }[]>`
      SELECT u.id::text AS "userId",
        (SELECT count(*)::int FROM conversation_participants p
         JOIN messages m ON m.conversation_id = p.conversation_id
           AND m.created_at > COALESCE(p.last_read_at, '-infinity'::timestamptz)
         WHERE p.user_id = u.id AND p.left_at IS NULL AND (p.muted_until IS NULL OR p.muted_until <= ${now})
           AND m.sender_id <> u.id AND m.deleted_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM user_blocks b WHERE b.blocker_id = u.id AND b.blocked_id = m.sender_id)) AS count
      FROM unnest(${[...userIds]}::uuid[]) AS u(id)`;
  }

  /**
   * Moves the member's read marker up to the message (the newest without one; never back), with
   * the members' READ inbox update, and marks the conversation's MESSAGE notification read.
   * Null when the member is not in it or the message is not of this conversation.
   */
  async markRead(
    conversationId: string,
    userId: string,
    upTo: { id: string } | null,
  ): Promise<{ moved: boolean; inbox: InboxUpdateRecord[]; notificationIds: string[] } | null> {
    return this.db.$transaction(async (tx) => {
      const target = upTo
        ? await tx.message.findFirst({ where: { id: upTo.id, conversationId }, select: { id: true, createdAt: true } })
        : await tx.message.findFirst({
            where: { conversationId },
            orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
            select: { id: true, createdAt: true },
          });
      if (upTo && !target) return null;
      const member = await tx.conversationParticipant.findUnique({
        where: { conversationId_userId: { conversationId, userId } },
        select: { leftAt: true },
      });
      if (!member || member.leftAt) return null;
      const notificationIds = (
        await tx.$queryRaw<{ id: string }[]>`
          UPDATE notifications SET read_at = now()
          WHERE recipient_id = ${userId}::uuid AND conversation_id = ${conversationId}::uuid AND read_at IS NULL
          RETURNING id::text AS id`
      ).map((r) => r.id);
      if (!target) return { moved: false, inbox: [], notificationIds };
      const moved = await tx.$executeRaw`
        UPDATE conversation_participants
        SET last_read_at = ${target.createdAt}, last_read_message_id = ${target.id}::uuid, read_marked_at = now()
        WHERE conversation_id = ${conversationId}::uuid AND user_id = ${userId}::uuid
          AND (last_read_at IS NULL OR last_read_at < ${target.createdAt})`;
      if (moved === 0) return { moved: false, inbox: [], notificationIds };
      const inbox = await appendInboxUpdates(tx, { kind: 'READ', conversationId, messageId: target.id, actorId: userId });
      return { moved: true, inbox, notificationIds };
    });
  }

  /**
   * Creates a conversation with its participants and, when given, its first message, in one
   * transaction. A two-person conversation carries its pair key: when that pair already has one,
   * the unique index refuses the insert and the caller is told to use the existing conversation.
   */
  async start(input: {
    participantIds: readonly string[];
    pairKey: string | null;
    creatorId: string;
    title: string | null;
    isGroup: boolean;
    context: { kind: string; id: string } | null;
    firstMessage: { senderId: string; body: string } | null;
  }): Promise<StartOutcome> {
    try {
      return await this.db.$transaction(async (tx) => {
        const created = await tx.conversation.create({
          data: {
            pairKey: input.pairKey,
            creatorId: input.creatorId,
            title: input.title,
            isGroup: input.isGroup,
            contextKind: input.context?.kind ?? null,
            contextId: input.context?.id ?? null,
            participants: { createMany: { data: input.participantIds.map((userId) => ({ userId })) } },
          },
          select: conversationSelect,
        });
        if (!input.firstMessage) return { kind: 'started', conversation: created, message: null, inbox: [] } as const;
        const sent = await appendMessage(tx, created.id, input.firstMessage.senderId, input.firstMessage.body);
        if (sent.kind !== 'sent') throw new Error(`first message of a new conversation was refused (${sent.kind})`);
        return {
          kind: 'started',
          conversation: { ...created, lastMessageAt: sent.message.createdAt },
          message: sent.message,
          inbox: sent.inbox,
        } as const;
      });
    } catch (err) {
      if (isUniqueViolation(err)) return { kind: 'pairTaken' };
      throw err;
    }
  }

  /** Appends a message to an existing conversation (see `appendMessage`), in its own transaction. */
  /** `attachmentIds`: the sender's unsent uploads into this conversation, attached in the same transaction (or nothing is sent). */
  async send(
    conversationId: string,
    senderId: string,
    body: string,
    attachmentIds: readonly string[] = [],
  ): Promise<AppendOutcome | { kind: 'attachmentsTaken' }> {
    // Writers of one conversation queue on its row lock while holding pooled connections: a burst
    // into one busy conversation waits for a connection longer than Prisma's 2 s default.
    try {
      return await this.db.$transaction(
        async (tx: Tx) => {
          const outcome = await appendMessage(tx, conversationId, senderId, body);
          if (outcome.kind !== 'sent' || attachmentIds.length === 0) return outcome;
          const attached = await tx.messageAttachment.updateMany({
            where: { id: { in: [...attachmentIds] }, conversationId, uploaderId: senderId, messageId: null },
            data: { messageId: outcome.message.id },
          });
          // Another message of theirs took one of them meanwhile: this one is not sent.
          if (attached.count !== attachmentIds.length) throw new AttachmentsTaken();
          return outcome;
        },
        { maxWait: 10_000, timeout: 15_000 },
      );
    } catch (err) {
      if (err instanceof AttachmentsTaken) return { kind: 'attachmentsTaken' };
      throw err;
    }
  }
}

class AttachmentsTaken extends Error {}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === 'P2002';
}
