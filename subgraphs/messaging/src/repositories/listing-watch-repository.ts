import { Prisma } from '../generated/prisma/client';
import type { Db } from '../db';
import { PUBLIC_LISTING_STATUSES, type KnownListingRecord, type Viewer, type WatchRecord } from '../domain';

const knownListingSelect = {
  listingId: true,
  ownerId: true,
  title: true,
  kind: true,
  status: true,
  price: true,
  pricePerNight: true,
  currency: true,
  deletedAt: true,
} as const;

/** Advisory lock space of one user's watches (any constant int4): counting and adding a watch is one step. */
const WATCHES_LOCK_SPACE = 730_417_002;

export type WatchOutcome =
  | { kind: 'watching'; watch: WatchRecord }
  /** The user already watches `limit` listings; nothing changed. */
  | { kind: 'limitReached'; limit: number }
  /** The listing was deleted meanwhile. */
  | { kind: 'notFound' };

/** Who watches which listing, and what messaging knows of the listings (read side). */
export class ListingWatchRepository {
  constructor(private readonly db: Db) {}

  async findKnown(listingId: string): Promise<KnownListingRecord | null> {
    const row = await this.db.knownListing.findUnique({ where: { listingId }, select: knownListingSelect });
    return row as KnownListingRecord | null;
  }

  /**
   * Adds the watch unless the user already has it (then returns it unchanged) or already watches
   * `limit` listings. The user's watches are locked for the transaction, so two concurrent calls
   * cannot both take the last place, and each new watch is stamped after the user's newest (the
   * watch list's order is the order of the calls); the insert names a listing that is not deleted,
   * checked in the same statement.
   */
  async watch(userId: string, listingId: string, limit: number): Promise<WatchOutcome> {
    return this.db.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${WATCHES_LOCK_SPACE}::int, hashtext(${userId}))`;
      const existing = await tx.listingWatch.findUnique({
        where: { userId_listingId: { userId, listingId } },
        select: { userId: true, listingId: true, createdAt: true },
      });
      if (existing) return { kind: 'watching', watch: existing } as const;
      if ((await tx.listingWatch.count({ where: { userId } })) >= limit) return { kind: 'limitReached', limit } as const;
      const [created] = await tx.$queryRaw<WatchRecord[]>`
        INSERT INTO listing_watches (user_id, listing_id, created_at)
        SELECT ${userId}::uuid, k.listing_id,
               GREATEST(clock_timestamp(), (SELECT max(w.created_at) + interval '1 millisecond' FROM listing_watches w WHERE w.user_id = ${userId}::uuid))
        FROM known_listings k WHERE k.listing_id = ${listingId}::uuid AND k.deleted_at IS NULL
        ON CONFLICT DO NOTHING
        RETURNING user_id::text AS "userId", listing_id::text AS "listingId", created_at AS "createdAt"`;
      return created ? ({ kind: 'watching', watch: created } as const) : ({ kind: 'notFound' } as const);
    });
  }

  /** Removes the watch if there is one. */
  async unwatch(userId: string, listingId: string): Promise<void> {
    await this.db.listingWatch.deleteMany({ where: { userId, listingId } });
  }

  /**
   * The listings this viewer watches and may see now (listings' rule: public statuses for everyone,
   * the others for the owner and admins), most recently watched first.
   */
  async watchedBy(viewer: Viewer, first: number): Promise<WatchRecord[]> {
    const visible = viewer.isAdmin
      ? Prisma.empty
      : Prisma.sql`AND (k.status = ANY(${[...PUBLIC_LISTING_STATUSES]}::text[]) OR k.owner_id = ${viewer.userId}::uuid)`;
    return this.db.$queryRaw<WatchRecord[]>`
      SELECT w.user_id::text AS "userId", w.listing_id::text AS "listingId", w.created_at AS "createdAt"
      FROM listing_watches w
      JOIN known_listings k ON k.listing_id = w.listing_id
      WHERE w.user_id = ${viewer.userId}::uuid AND k.deleted_at IS NULL ${visible}
      ORDER BY w.created_at DESC, w.listing_id DESC
      LIMIT ${first}`;
  }

  /** Which of these listings the user watches, in one query. */
  async watchedAmong(userId: string, listingIds: readonly string[]): Promise<string[]> {
    if (listingIds.length === 0) return [];
    const rows = await this.db.listingWatch.findMany({
      where: { userId, listingId: { in: [...listingIds] } },
      select: { listingId: true },
    });
    return rows.map((r) => r.listingId);
  }

  /** How many users watch each of these listings (listings nobody watches are left out), in one query. */
  async watcherCounts(listingIds: readonly string[]): Promise<{ listingId: string; count: number }[]> {
    if (listingIds.length === 0) return [];
    const rows = await this.db.listingWatch.groupBy({
      by: ['listingId'],
      where: { listingId: { in: [...listingIds] } },
      _count: { _all: true },
    });
    return rows.map((r) => ({ listingId: r.listingId, count: r._count._all }));
  }
}
