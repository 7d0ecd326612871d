import type { Db, Tx } from '../db';
import type { InboxUpdateKind, InboxUpdateRecord } from '../domain';

const INBOX_COLUMNS = `user_id::text AS "userId", seq::int AS seq, kind, conversation_id::text AS "conversationId",
  message_id::text AS "messageId", actor_id::text AS "actorId", created_at AS "createdAt"`;

/**
 * Writes one inbox update for every current member of the conversation, inside the caller's
 * transaction. Each member's number comes from their `inbox_heads` row, bumped under its row lock
 * (taken in user id order, the same in every transaction): a user's updates are numbered in commit
 * order, so `inboxUpdates(after: n)` never misses one committed later.
 *
 * A message from a user a member blocked is not news to that member: no MESSAGE_* update for them.
 */
export async function appendInboxUpdates(
  tx: Tx,
  update: { kind: InboxUpdateKind; conversationId: string; messageId: string | null; actorId: string },
): Promise<InboxUpdateRecord[]> {
  const hideBlocked = update.kind !== 'READ';
  return tx.$queryRawUnsafe<InboxUpdateRecord[]>(
    `WITH members AS (
       SELECT p.user_id FROM conversation_participants p
       WHERE p.conversation_id = $1::uuid AND p.left_at IS NULL
         AND NOT ($5 AND EXISTS (SELECT 1 FROM user_blocks b WHERE b.blocker_id = p.user_id AND b.blocked_id = $4::uuid))
       ORDER BY p.user_id
     ), heads AS (
       INSERT INTO inbox_heads (user_id, seq) SELECT user_id, 1 FROM members ORDER BY user_id
       ON CONFLICT (user_id) DO UPDATE SET seq = inbox_heads.seq + 1
       RETURNING user_id, seq
     )
     INSERT INTO inbox_updates (user_id, seq, kind, conversation_id, message_id, actor_id, created_at)
     SELECT h.user_id, h.seq, $2, $1::uuid, $3::uuid, $4::uuid, clock_timestamp() FROM heads h
     RETURNING ${INBOX_COLUMNS}`,
    update.conversationId,
    update.kind,
    update.messageId,
    update.actorId,
    hideBlocked,
  );
}

/** How long inbox updates are kept for catch-up (the schema documents 7 days). */
export const INBOX_RETENTION_DAYS = 7;

export class InboxRepository {
  constructor(private readonly db: Db) {}

  /** The user's updates after `after` (their number), oldest first; without it, the newest `first`, oldest first. */
  async page(userId: string, after: number | null, first: number): Promise<InboxUpdateRecord[]> {
    if (after !== null) {
      return this.db.$queryRawUnsafe<InboxUpdateRecord[]>(
        `SELECT ${INBOX_COLUMNS} FROM inbox_updates WHERE user_id = $1::uuid AND seq > $2 ORDER BY seq LIMIT $3`,
        userId,
        after,
        first,
      );
    }
    const rows = await this.db.$queryRawUnsafe<InboxUpdateRecord[]>(
      `SELECT ${INBOX_COLUMNS} FROM inbox_updates WHERE user_id = $1::uuid ORDER BY seq DESC LIMIT $2`,
      userId,
      first,
    );
    return rows.reverse();
  }

  /**
   * Deletes updates older than the retention, at most `limit` per call. Any replica may run it at
   * the same time as another: the rows are claimed with SKIP LOCKED, so none is deleted twice.
   */
  async purge(now: Date, limit: number): Promise<number> {
    const cutoff = new Date(now.getTime() - INBOX_RETENTION_DAYS * 86_400_000);
    return this.db.$executeRaw`
      DELETE FROM inbox_updates u USING (
        SELECT user_id, seq FROM inbox_updates WHERE created_at < ${cutoff} ORDER BY created_at LIMIT ${limit} FOR UPDATE SKIP LOCKED
      ) old
      WHERE u.user_id = old.user_id AND u.seq = old.seq`;
  }
}
