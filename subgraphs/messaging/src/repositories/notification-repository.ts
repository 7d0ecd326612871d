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
} as const;

export interface NewNotificationRow {
  recipientId: string;
  kind: NotificationKind;
  title: string;
  body: string;
  dedupeKey?: string;
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
             n.read_at AS "readAt", n.created_at AS "createdAt"
      FROM unnest(${[...recipientIds]}::uuid[]) AS r(id)
      CROSS JOIN LATERAL (
        SELECT n.id, n.recipient_id, n.kind, n.title, n.body, n.read_at, n.created_at
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
   * Run it inside a transaction (an event handler's): each recipient's stream is locked until the
   * commit, and `created_at` is stamped strictly after that recipient's newest notification. So per
   * recipient creation order is commit order, and a client holding the cursor of the newest
   * notification it has seen never misses one committed later (`latestFor` with `after`).
   * Recipients are locked in id order, so two transactions never wait for each other in a cycle.
   */
  async createAll(inputs: readonly NewNotificationRow[]): Promise<NotificationRecord[]> {
    const stored: NotificationRecord[] = [];
    const byRecipient = [...inputs].sort((a, b) => (a.recipientId < b.recipientId ? -1 : a.recipientId > b.recipientId ? 1 : 0));
    for (const input of byRecipient) {
      await this.db.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`messaging.notifications:${input.recipientId}`}, 0))`;
      const rows = await this.db.$queryRaw<NotificationRecord[]>`
        INSERT INTO notifications (id, recipient_id, dedupe_key, kind, title, body, created_at)
        SELECT gen_random_uuid(), ${input.recipientId}::uuid, ${input.dedupeKey ?? null}, ${input.kind}::"NotificationKind",
               ${input.title}, ${input.body},
               GREATEST(clock_timestamp(), (SELECT max(created_at) + interval '1 millisecond' FROM notifications WHERE recipient_id = ${input.recipientId}::uuid))
        ON CONFLICT DO NOTHING
        RETURNING id::text AS id, recipient_id::text AS "recipientId", kind::text AS kind, title, body,
                  read_at AS "readAt", created_at AS "createdAt"`;
      stored.push(...rows);
    }
    return stored;
  }

  /** Marks a notification read once; a second call keeps the first time. */
  async markRead(id: string): Promise<NotificationRecord | null> {
    await this.db.notification.updateMany({ where: { id, readAt: null }, data: { readAt: new Date() } });
    return this.findById(id);
  }
}
