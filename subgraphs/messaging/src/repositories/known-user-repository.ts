import type { Db, Tx } from '../db';

export interface KnownUserChange {
  userId: string;
  name?: string;
  role?: string;
  status?: 'ACTIVE' | 'SUSPENDED' | 'DELETED';
}

/**
 * Messaging's copy of users, from accounts' events (it cannot read accounts' database): who exists
 * (a conversation may only include them), their name (notification titles) and role (admin
 * announcements by role). Works on the service's client or inside a handler's transaction.
 */
export class KnownUserRepository {
  constructor(private readonly db: Tx | Db) {}

  /**
   * Applies what an event says, unless a later event was applied already (events of one user keep
   * their order on the bus; this guards a replayed dead letter). A deletion is final.
   */
  async apply(change: KnownUserChange, occurredAt: Date): Promise<void> {
    const name = change.name ?? null;
    const role = change.role ?? null;
    const status = change.status ?? null;
    await this.db.$executeRaw`
      INSERT INTO known_users (user_id, name, role, status, last_event_at)
      VALUES (${change.userId}::uuid, COALESCE(${name}, ''), COALESCE(${role}, 'BUYER'), COALESCE(${status}, 'ACTIVE'), ${occurredAt})
      ON CONFLICT (user_id) DO UPDATE SET
        name = COALESCE(${name}, known_users.name),
        role = COALESCE(${role}, known_users.role),
        status = CASE WHEN known_users.status = 'DELETED' THEN 'DELETED' ELSE COALESCE(${status}, known_users.status) END,
        last_event_at = GREATEST(known_users.last_event_at, EXCLUDED.last_event_at)
      WHERE known_users.last_event_at <= EXCLUDED.last_event_at OR ${status} = 'DELETED'`;
  }

  /** Names by id (for notification titles); unknown users are left out. */
  async names(userIds: readonly string[]): Promise<Map<string, string>> {
    if (userIds.length === 0) return new Map();
    const rows = await this.db.knownUser.findMany({ where: { userId: { in: [...userIds] } }, select: { userId: true, name: true } });
    return new Map(rows.map((r) => [r.userId, r.name]));
  }

  /** Whether the user exists, has not been deleted. */
  async isActive(userId: string): Promise<boolean> {
    const row = await this.db.knownUser.findUnique({ where: { userId }, select: { status: true } });
    return row !== null && row.status !== 'DELETED';
  }

  /** The next recipients of an announcement after `after` (by id): active users, of `role` when given. */
  async recipientsAfter(after: string | null, role: string | null, limit: number): Promise<string[]> {
    const rows = await this.db.knownUser.findMany({
      where: { status: 'ACTIVE', ...(role ? { role } : {}), ...(after ? { userId: { gt: after } } : {}) },
      orderBy: { userId: 'asc' },
      take: limit,
      select: { userId: true },
    });
    return rows.map((r) => r.userId);
  }
}

/** Who blocked whom. */
export class BlockRepository {
  constructor(private readonly db: Db) {}

  async block(blockerId: string, blockedId: string): Promise<void> {
    await this.db.userBlock.createMany({ data: [{ blockerId, blockedId }], skipDuplicates: true });
  }

  async unblock(blockerId: string, blockedId: string): Promise<void> {
    await this.db.userBlock.deleteMany({ where: { blockerId, blockedId } });
  }

  async blockedBy(blockerId: string): Promise<string[]> {
    const rows = await this.db.userBlock.findMany({ where: { blockerId }, orderBy: { createdAt: 'desc' }, select: { blockedId: true } });
    return rows.map((r) => r.blockedId);
  }

  /** Which of the (blocker, blocked) pairs are blocks, in one query. */
  async blocksAmong(pairs: readonly { blockerId: string; blockedId: string }[]): Promise<{ blockerId: string; blockedId: string }[]> {
    if (pairs.length === 0) return [];
    return this.db.$queryRaw<{ blockerId: string; blockedId: string }[]>`
      SELECT b.blocker_id::text AS "blockerId", b.blocked_id::text AS "blockedId"
      FROM user_blocks b
      JOIN unnest(${pairs.map((p) => p.blockerId)}::uuid[], ${pairs.map((p) => p.blockedId)}::uuid[]) AS q(blocker_id, blocked_id)
        ON b.blocker_id = q.blocker_id AND b.blocked_id = q.blocked_id`;
  }

  /** Whether `viewerId` blocked `senderId`. */
  async isBlocked(viewerId: string, senderId: string): Promise<boolean> {
    return (
      (await this.db.userBlock.findUnique({
        where: { blockerId_blockedId: { blockerId: viewerId, blockedId: senderId } },
        select: { blockerId: true },
      })) !== null
    );
  }
}
