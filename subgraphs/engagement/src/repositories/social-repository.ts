import type { Db, Tx } from '../db';
import { isUuid, type PostRecord } from '../domain';

/** A position in the ranked feed: the moment the first page was read, the group, the score and the id. */
export interface FeedPosition {
  asOf: Date;
  tier: number;
  score: number;
  id: string;
}

interface FeedRow {
  id: string;
  author_id: string;
  listing_id: string | null;
  body: string;
  status: PostRecord['status'];
  created_at: Date;
  updated_at: Date;
  tier: number;
  score: number;
}

/** The social graph as accounts' events describe it, and what is read from it. */
export class SocialRepository {
  constructor(private readonly db: Db) {}

  /** An accepted connection, stored both ways. */
  static async connect(tx: Tx, a: string, b: string): Promise<void> {
    await tx.socialConnection.createMany({
      data: [
        { userId: a, otherId: b },
        { userId: b, otherId: a },
      ],
      skipDuplicates: true,
    });
  }

  static async disconnect(tx: Tx, a: string, b: string): Promise<void> {
    await tx.socialConnection.deleteMany({
      where: {
        OR: [
          { userId: a, otherId: b },
          { userId: b, otherId: a },
        ],
      },
    });
  }

  static async follow(tx: Tx, followerId: string, followeeId: string): Promise<void> {
    await tx.socialFollow.createMany({ data: [{ followerId, followeeId }], skipDuplicates: true });
  }

  static async unfollow(tx: Tx, followerId: string, followeeId: string): Promise<void> {
    await tx.socialFollow.deleteMany({ where: { followerId, followeeId } });
  }

  /** Which of `others` are connected to `userId`. */
  async connectedAmong(userId: string, others: readonly string[]): Promise<Set<string>> {
    const rows = await this.db.socialConnection.findMany({
      where: { userId, otherId: { in: others.filter(isUuid) } },
      select: { otherId: true },
    });
    return new Set(rows.map((r) => r.otherId));
  }

  /**
   * One page of the ranked feed (see `Query.feed` in the schema for the formula). Only posts
   * created by `asOf` take part and only engagement given by then boosts them, so every page of
   * one reading ranks the same posts the same way: keyset pagination on (tier, score, id) then
   * neither skips nor repeats a post when others are posted, commented or reacted to meanwhile.
   */
  async rankedPage(
    viewerId: string | null,
    limit: number,
    after: FeedPosition | null,
    asOf: Date,
  ): Promise<(PostRecord & { position: FeedPosition })[]> {
    const rows = await this.db.$queryRaw<FeedRow[]>`
      WITH engagement AS (
        SELECT target_id AS post_id, sum(weight) AS n FROM (
          SELECT c.target_id, 2 AS weight FROM comments c
          WHERE c.target_type = 'POST' AND c.status = 'PUBLISHED' AND c.deleted_at IS NULL AND c.created_at <= ${asOf}
          UNION ALL
          SELECT r.target_id, 1 FROM reactions r WHERE r.target_type = 'POST' AND r.created_at <= ${asOf}
        ) e GROUP BY target_id
      ),
      close AS (
        SELECT other_id AS author_id FROM social_connections WHERE user_id = ${viewerId}::uuid
        UNION SELECT followee_id FROM social_follows WHERE follower_id = ${viewerId}::uuid
      ),
      ranked AS (
        SELECT p.id, p.author_id, p.listing_id, p.body, p.status::text AS status, p.created_at, p.updated_at,
               (CASE WHEN p.author_id IN (SELECT author_id FROM close) THEN 1 ELSE 0 END)::int AS tier,
               (extract(epoch FROM p.created_at) + 21600 * ln(1 + coalesce(e.n, 0)))::float8 AS score
        FROM posts p LEFT JOIN engagement e ON e.post_id = p.id
        WHERE p.status = 'PUBLISHED' AND p.created_at <= ${asOf}
      )
      SELECT * FROM ranked
      WHERE ${after === null}
         OR (tier, score, id) < (${after?.tier ?? 0}::int, ${String(after?.score ?? 0)}::float8, ${after?.id ?? '00000000-0000-0000-0000-000000000000'}::uuid)
      ORDER BY tier DESC, score DESC, id DESC
      LIMIT ${limit}`;
    return rows.map((r) => ({
      id: r.id,
      authorId: r.author_id,
      listingId: r.listing_id,
      body: r.body,
      status: r.status,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      position: { asOf, tier: r.tier, score: r.score, id: r.id },
    }));
  }

  /** People connected to the user's connections, not to the user, most shared connections first. */
  async peopleYouMayKnow(userId: string, limit: number): Promise<{ userId: string; mutual: number }[]> {
    const rows = await this.db.$queryRaw<{ user_id: string; mutual: bigint }[]>`
      SELECT second.other_id AS user_id, count(*) AS mutual
      FROM social_connections first
      JOIN social_connections second ON second.user_id = first.other_id
      WHERE first.user_id = ${userId}::uuid AND second.other_id <> ${userId}::uuid
        AND NOT EXISTS (SELECT 1 FROM social_connections c WHERE c.user_id = ${userId}::uuid AND c.other_id = second.other_id)
      GROUP BY second.other_id
      ORDER BY mutual DESC, user_id
      LIMIT ${limit}`;
    return rows.map((r) => ({ userId: r.user_id, mutual: Number(r.mutual) }));
  }
}
