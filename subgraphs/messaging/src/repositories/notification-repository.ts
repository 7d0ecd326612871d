import { Prisma } from '../generated/prisma/client';
import type { Tx } from '../db';
import type { NotificationKind, NotificationRecord, StreamPosition } from '../domain';

const notificationSelect = {
  id: true,
  recipientId: true,
  kind: true,
  title: true,
  body: true,
  readAt: true,
  createdAt: true,
  count: true,
  conversationId: true,
} as const;

export interface NewNotificationRow {
  recipientId: string;
  kind: NotificationKind;
  title: string;
  body: string;
  dedupeKey?: string;
}

/** Advisory lock space of the recipients' notification streams (any constant int4). */
const STREAM_LOCK_SPACE = 730_417_001;
/**
 * Recipients share this many stream locks. A transaction locks one per distinct bucket, so telling
 * 50,000 watchers of a listing takes at most 1,024 locks (PostgreSQL's shared lock table holds about
 * 64 per connection), at the price of some writers of unrelated recipients waiting for each other.
 */
const STREAM_LOCK_BUCKETS = 1024;
/** Recipients per INSERT of a fan-out. */
const FAN_OUT_CHUNK = 1_000;

/**
 * Locks the notification streams of these recipients until the transaction ends, in bucket order
 * (the same order in every transaction, so two never wait for each other in a cycle). Whoever
 * stamps a notification or erases a recipient's notifications holds the recipient's lock.
 */
export async function lockNotificationStreams(tx: Tx, recipientIds: readonly string[]): Promise<void> {
  if (recipientIds.length === 0) return;
  await tx.$executeRaw`
    SELECT pg_advisory_xact_lock(${STREAM_LOCK_SPACE}::int, s.bucket)
    FROM (
      SELECT DISTINCT hashtext(lower(r.id)) & ${STREAM_LOCK_BUCKETS - 1}::int AS bucket
      FROM unnest(${[...recipientIds]}::text[]) AS r(id)
      ORDER BY bucket
    ) s`;
}

/** Works on the service's client or inside a transaction (an event handler's). */
export class NotificationRepository {
  constructor(private readonly db: Tx) {}

  /** Notifications by id in one query, only those addressed to `recipientId`. */
  async findByIds(ids: readonly string[], recipientId: string): Promise<NotificationRecord[]> {
    if (ids.length === 0) return [];
    return this.db.notification.findMany({ where: { id: { in: [...ids] }, recipientId }, select: notificationSelect });
  }

  async findById(id: string): Promise<NotificationRecord | null> {
    return this.db.notification.findUnique({ where: { id }, select: notificationSelect });
  }

  /**
   * One page of each recipient's notifications, in one query: the newest `first`, newest first; or,
   * with `after`, the first `first` created after that position, oldest first (one index range scan
   * on (recipient_id, created_at, id) either way).
   */
  async latestFor(
    recipientIds: readonly string[],
    options: { unreadOnly: boolean; first: number; after: StreamPosition | null },
  ): Promise<NotificationRecord[]> {
    if (recipientIds.length === 0) return [];
    const unread = options.unreadOnly ? Prisma.sql`AND n.read_at IS NULL` : Prisma.empty;
    const after = options.after
      ? Prisma.sql`AND (n.created_at, n.id) > (${options.after.createdAt}::timestamptz, ${options.after.id}::uuid)`
      : Prisma.empty;
    const order = options.after ? Prisma.sql`n.created_at, n.id` : Prisma.sql`n.created_at DESC, n.id DESC`;
    return this.db.$queryRaw<NotificationRecord[]>`
      SELECT n.id::text AS id, n.recipient_id::text AS "recipientId", n.kind::text AS kind, n.title, n.body,
             n.read_at AS "readAt", n.created_at AS "createdAt", n.count, n.conversation_id::text AS "conversationId"
      FROM unnest(${[...recipientIds]}::uuid[]) AS r(id)
      CROSS JOIN LATERAL (
        SELECT n.id, n.recipient_id, n.kind, n.title, n.body, n.read_at, n.created_at, n.count, n.conversation_id
        FROM notifications n
        WHERE n.recipient_id = r.id ${unread} ${after}
        ORDER BY ${order}
        LIMIT ${options.first}
      ) n
      ORDER BY ${order}`;
  }

  /**
   * Stores notifications and returns those stored: with a dedupe key, a second notification for
   * the same fact is dropped (the unique index decides).
   *
   * Run it inside a transaction (an event handler's): the recipients' streams are locked until the
   * commit (`lockNotificationStreams`), and `created_at` is stamped strictly after that recipient's
   * newest notification. So per recipient creation order is commit order, and a client holding the
   * cursor of the newest notification it has seen never misses one committed later (`latestFor`
   * with `after`). Nothing is stored for a deleted user.
   */
  async createAll(inputs: readonly NewNotificationRow[]): Promise<NotificationRecord[]> {
    const stored: NotificationRecord[] = [];
    await lockNotificationStreams(
      this.db,
      inputs.map((i) => i.recipientId),
    );
    for (const input of inputs) {
      const rows = await this.db.$queryRaw<NotificationRecord[]>`
        INSERT INTO notifications (id, recipient_id, dedupe_key, kind, title, body, created_at)
        SELECT gen_random_uuid(), ${input.recipientId}::uuid, ${input.dedupeKey ?? null}, ${input.kind}::"NotificationKind",
               ${input.title}, ${input.body},
               GREATEST(clock_timestamp(), (SELECT max(created_at) + interval '1 millisecond' FROM notifications WHERE recipient_id = ${input.recipientId}::uuid))
        WHERE NOT EXISTS (SELECT 1 FROM deleted_users d WHERE d.user_id = ${input.recipientId}::uuid)
        ON CONFLICT DO NOTHING
        RETURNING id::text AS id, recipient_id::text AS "recipientId", kind::text AS kind, title, body,
                  read_at AS "readAt", created_at AS "createdAt", count, conversation_id::text AS "conversationId"`;
      stored.push(...rows);
    }
    return stored;
  }

  /**
   * The same notification for many distinct recipients (a listing's watchers), stamped and
   * deduplicated like `createAll` (each one's dedupe key is `dedupePrefix` + the recipient id), in
   * one INSERT per 1,000 recipients instead of one per recipient. Run it inside a transaction.
   */
  async createForEach(
    recipientIds: readonly string[],
    content: { kind: NotificationKind; title: string; body: string },
    dedupePrefix: string,
  ): Promise<NotificationRecord[]> {
    const recipients = [...new Set(recipientIds.map((id) => id.toLowerCase()))];
    await lockNotificationStreams(this.db, recipients);
    const stored: NotificationRecord[] = [];
    for (let i = 0; i < recipients.length; i += FAN_OUT_CHUNK) {
      const chunk = recipients.slice(i, i + FAN_OUT_CHUNK);
      stored.push(
        ...(await this.db.$queryRaw<NotificationRecord[]>`
          INSERT INTO notifications (id, recipient_id, dedupe_key, kind, title, body, created_at)
          SELECT gen_random_uuid(), r.id, ${dedupePrefix} || r.id::text, ${content.kind}::"NotificationKind", ${content.title}, ${content.body},
                 GREATEST(clock_timestamp(), (SELECT max(n.created_at) + interval '1 millisecond' FROM notifications n WHERE n.recipient_id = r.id))
          FROM unnest(${chunk}::uuid[]) AS r(id)
          WHERE NOT EXISTS (SELECT 1 FROM deleted_users d WHERE d.user_id = r.id)
          ON CONFLICT DO NOTHING
          RETURNING id::text AS id, recipient_id::text AS "recipientId", kind::text AS kind, title, body,
                    read_at AS "readAt", created_at AS "createdAt", count, conversation_id::text AS "conversationId"`),
      );
    }
    return stored;
  }

  /**
   * The MESSAGE notification of a conversation for each recipient, coalesced: while one is unread it
   * is updated (count + 1, the newest preview) instead of repeated; once read, the next message
   * makes a new one. One statement for all recipients; run it inside a transaction (the recipients'
   * streams are locked like `createAll`).
   */
  async upsertCoalesced(
    recipientIds: readonly string[],
    input: { conversationId: string; title: string; body: string },
  ): Promise<NotificationRecord[]> {
    if (recipientIds.length === 0) return [];
    await lockNotificationStreams(this.db, recipientIds);
    const key = `message:${input.conversationId}`;
    return this.db.$queryRaw<NotificationRecord[]>`
      INSERT INTO notifications (id, recipient_id, coalesce_key, conversation_id, kind, title, body, created_at)
      SELECT gen_random_uuid(), r.id, ${key}, ${input.conversationId}::uuid, 'MESSAGE'::"NotificationKind", ${input.title}, ${input.body},
             GREATEST(clock_timestamp(), (SELECT max(n.created_at) + interval '1 millisecond' FROM notifications n WHERE n.recipient_id = r.id))
      FROM unnest(${[...recipientIds]}::uuid[]) AS r(id)
      WHERE NOT EXISTS (SELECT 1 FROM deleted_users d WHERE d.user_id = r.id)
      ON CONFLICT (recipient_id, coalesce_key) WHERE read_at IS NULL AND coalesce_key IS NOT NULL
      DO UPDATE SET count = notifications.count + 1, title = EXCLUDED.title, body = EXCLUDED.body
      RETURNING id::text AS id, recipient_id::text AS "recipientId", kind::text AS kind, title, body,
                read_at AS "readAt", created_at AS "createdAt", count, conversation_id::text AS "conversationId"`;
  }

  /** Marks every unread notification of the recipient read; how many were. */
  async markAllRead(recipientId: string): Promise<number> {
    return this.db.$executeRaw`UPDATE notifications SET read_at = now() WHERE recipient_id = ${recipientId}::uuid AND read_at IS NULL`;
  }

  async unreadCount(recipientId: string): Promise<number> {
    return this.db.notification.count({ where: { recipientId, readAt: null } });
  }

  /** Marks a notification read once; a second call keeps the first time. */
  async markRead(id: string): Promise<NotificationRecord | null> {
    await this.db.notification.updateMany({ where: { id, readAt: null }, data: { readAt: new Date() } });
    return this.findById(id);
  }
}
