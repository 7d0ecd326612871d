import { Prisma } from '../generated/prisma/client';
import type { Tx } from '../db';
import type { NotificationKind, NotificationRecord } from '../domain';

const notificationSelect = {
  id: true,
  recipientId: true,
  kind: true,
  title: true,
  body: true,
  readAt: true,
  createdAt: true,
} as const;

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

  /** The newest `first` notifications of each recipient, newest first, in one query. */
  async latestFor(recipientIds: readonly string[], options: { unreadOnly: boolean; first: number }): Promise<NotificationRecord[]> {
    if (recipientIds.length === 0) return [];
    const unread = options.unreadOnly ? Prisma.sql`AND n.read_at IS NULL` : Prisma.empty;
    return this.db.$queryRaw<NotificationRecord[]>`
      SELECT n.id::text AS id, n.recipient_id::text AS "recipientId", n.kind::text AS kind, n.title, n.body,
             n.read_at AS "readAt", n.created_at AS "createdAt"
      FROM unnest(${[...recipientIds]}::uuid[]) AS r(id)
      CROSS JOIN LATERAL (
        SELECT n.id, n.recipient_id, n.kind, n.title, n.body, n.read_at, n.created_at
        FROM notifications n
        WHERE n.recipient_id = r.id ${unread}
        ORDER BY n.created_at DESC, n.id DESC
        LIMIT ${options.first}
      ) n
      ORDER BY n.created_at DESC, n.id DESC`;
  }

  /**
   * Stores a notification. With a dedupe key, a second notification for the same fact is dropped
   * (the unique index decides); returns whether one was stored.
   */
  async create(input: {
    recipientId: string;
    kind: NotificationKind;
    title: string;
    body: string;
    dedupeKey?: string;
  }): Promise<boolean> {
    const { count } = await this.db.notification.createMany({ data: [input], skipDuplicates: true });
    return count === 1;
  }

  /** Marks a notification read once; a second call keeps the first time. */
  async markRead(id: string): Promise<NotificationRecord | null> {
    await this.db.notification.updateMany({ where: { id, readAt: null }, data: { readAt: new Date() } });
    return this.findById(id);
  }
}
