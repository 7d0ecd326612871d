import type { Db, Tx } from '../db';
import type { ConnectionRecord } from '../domain';
import { publishConnectionChanged, publishConnectionRemoved, publishFollowChanged } from '../events/published';

const connectionSelect = {
  id: true,
  requesterId: true,
  addresseeId: true,
  status: true,
  createdAt: true,
  acceptedAt: true,
} as const;

const between = (a: string, b: string) => ({
  OR: [
    { requesterId: a, addresseeId: b },
    { requesterId: b, addresseeId: a },
  ],
});

/** Connections and follows; every change publishes its event in the same transaction. */
export class ConnectionRepository {
  constructor(private readonly db: Db) {}

  async findBetween(a: string, b: string, tx: Tx | Db = this.db): Promise<ConnectionRecord | null> {
    return tx.connection.findFirst({ where: between(a, b), select: connectionSelect });
  }

  /**
   * Asks `addresseeId` to connect. If they had already asked the requester, that request is
   * accepted instead; if the two are connected or the request exists, it is returned unchanged.
   * The unique index on the unordered pair settles two users asking each other at the same time.
   */
  async request(requesterId: string, addresseeId: string): Promise<ConnectionRecord> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.$transaction(async (tx) => {
          const existing = await this.findBetween(requesterId, addresseeId, tx);
          if (existing?.status === 'PENDING' && existing.addresseeId === requesterId) {
            return (await this.acceptIn(tx, existing.id, requesterId)) ?? existing;
          }
          if (existing) return existing;
          const created = await tx.connection.create({ data: { requesterId, addresseeId }, select: connectionSelect });
          await publishConnectionChanged(tx, 'requested', created);
          return created;
        });
      } catch (err) {
        if ((err as { code?: string }).code !== 'P2002' || attempt >= 2) throw err;
      }
    }
  }

  /** Accepts a pending request sent to `addresseeId`; null when there is no such request. */
  async accept(id: string, addresseeId: string): Promise<ConnectionRecord | null> {
    return this.db.$transaction((tx) => this.acceptIn(tx, id, addresseeId));
  }

  private async acceptIn(tx: Tx, id: string, addresseeId: string): Promise<ConnectionRecord | null> {
    const accepted = await tx.connection.updateMany({
      where: { id, addresseeId, status: 'PENDING' },
      data: { status: 'ACCEPTED', acceptedAt: new Date() },
    });
    if (accepted.count === 0) return null;
    const connection = await tx.connection.findUniqueOrThrow({ where: { id }, select: connectionSelect });
    await publishConnectionChanged(tx, 'accepted', connection);
    return connection;
  }

  async findForParty(id: string, userId: string): Promise<ConnectionRecord | null> {
    return this.db.connection.findFirst({
      where: { id, OR: [{ requesterId: userId }, { addresseeId: userId }] },
      select: connectionSelect,
    });
  }

  /** Deletes a pending request sent to `addresseeId`; false when there is no such request. */
  async decline(id: string, addresseeId: string): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      const pending = await tx.connection.findFirst({ where: { id, addresseeId, status: 'PENDING' }, select: connectionSelect });
      if (!pending) return false;
      const deleted = await tx.connection.deleteMany({ where: { id, status: 'PENDING' } });
      if (deleted.count === 0) return false;
      await publishConnectionChanged(tx, 'declined', pending);
      return true;
    });
  }

  /**
   * Ends the connection between the two users, or withdraws `userId`'s own pending request; a
   * request sent TO `userId` is declined, not removed. False when there is nothing to remove.
   */
  async remove(userId: string, otherId: string): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      const existing = await this.findBetween(userId, otherId, tx);
      if (!existing || (existing.status === 'PENDING' && existing.requesterId !== userId)) return false;
      const deleted = await tx.connection.deleteMany({ where: { id: existing.id } });
      if (deleted.count === 0) return false;
      await publishConnectionRemoved(tx, existing, userId);
      return true;
    });
  }

  async listAccepted(userId: string, limit: number): Promise<ConnectionRecord[]> {
    return this.db.connection.findMany({
      where: { status: 'ACCEPTED', OR: [{ requesterId: userId }, { addresseeId: userId }] },
      orderBy: [{ acceptedAt: 'desc' }, { id: 'desc' }],
      take: limit,
      select: connectionSelect,
    });
  }

  async listPending(userId: string, direction: 'INCOMING' | 'OUTGOING', limit: number): Promise<ConnectionRecord[]> {
    return this.db.connection.findMany({
      where: { status: 'PENDING', ...(direction === 'INCOMING' ? { addresseeId: userId } : { requesterId: userId }) },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit,
      select: connectionSelect,
    });
  }

  /** Ids of the users connected to both. */
  async mutual(a: string, b: string, limit: number): Promise<string[]> {
    const rows = await this.db.$queryRaw<{ id: string }[]>`
      WITH mine AS (
        SELECT CASE WHEN requester_id = ${a}::uuid THEN addressee_id ELSE requester_id END AS id
        FROM connections WHERE status = 'ACCEPTED' AND (requester_id = ${a}::uuid OR addressee_id = ${a}::uuid)
      ), theirs AS (
        SELECT CASE WHEN requester_id = ${b}::uuid THEN addressee_id ELSE requester_id END AS id
        FROM connections WHERE status = 'ACCEPTED' AND (requester_id = ${b}::uuid OR addressee_id = ${b}::uuid)
      )
      SELECT mine.id::text AS id FROM mine JOIN theirs ON theirs.id = mine.id ORDER BY mine.id LIMIT ${limit}::int`;
    return rows.map((r) => r.id);
  }

  /** True when this created the follow (following twice changes nothing and publishes nothing). */
  async follow(followerId: string, followeeId: string): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      const created = await tx.follow.createMany({ data: [{ followerId, followeeId }], skipDuplicates: true });
      if (created.count === 0) return false;
      await publishFollowChanged(tx, 'followed', { followerId, followeeId });
      return true;
    });
  }

  async unfollow(followerId: string, followeeId: string): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      const deleted = await tx.follow.deleteMany({ where: { followerId, followeeId } });
      if (deleted.count === 0) return false;
      await publishFollowChanged(tx, 'unfollowed', { followerId, followeeId });
      return true;
    });
  }

  async followees(followerId: string, limit: number): Promise<string[]> {
    const rows = await this.db.follow.findMany({
      where: { followerId },
      orderBy: { createdAt: 'desc' },
      take: limit,
      select: { followeeId: true },
    });
    return rows.map((r) => r.followeeId);
  }

  async followers(followeeId: string, limit: number): Promise<string[]> {
    const rows = await this.db.follow.findMany({
      where: { followeeId },
      orderBy: { createdAt: 'desc' },
      take: limit,
      select: { followerId: true },
    });
    return rows.map((r) => r.followerId);
  }
}
