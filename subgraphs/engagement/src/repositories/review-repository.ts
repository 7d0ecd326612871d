import type { Db, Tx } from '../db';
import { isUuid, type RatingSummary, type ReviewDirection, type ReviewRecord } from '../domain';

interface ReviewRow {
  id: string;
  stay_id: string;
  direction: ReviewDirection;
  author_id: string | null;
  subject_id: string | null;
  listing_id: string;
  rating: number;
  body: string;
  created_at: Date;
}

const fromRow = (r: ReviewRow): ReviewRecord => ({
  id: r.id,
  stayId: r.stay_id,
  direction: r.direction,
  authorId: r.author_id,
  subjectId: r.subject_id,
  listingId: r.listing_id,
  rating: Number(r.rating),
  body: r.body,
  createdAt: r.created_at,
});

export interface CompletedStayRecord {
  stayId: string;
  listingId: string;
  hostId: string | null;
  guestId: string | null;
  completedAt: Date;
  reviewsCloseAt: Date;
}

/**
 * Reviews after completed stays. The visibility rule lives in the queries (`VISIBLE`): a review is
 * public once the other side's review exists or the stay's review window has closed; until then
 * only its author sees it. Time is the database's `now()`, the same clock for every replica.
 */
export class ReviewRepository {
  constructor(private readonly db: Db) {}

  /** Records a completed stay (once: a redelivered or repeated completion changes nothing). */
  static async recordCompletedStay(tx: Tx, stay: CompletedStayRecord): Promise<void> {
    await tx.completedStay.createMany({ data: [stay], skipDuplicates: true });
  }

  async findStay(stayId: string): Promise<CompletedStayRecord | null> {
    if (!isUuid(stayId)) return null;
    return this.db.completedStay.findUnique({ where: { stayId } });
  }

  /**
   * Writes the review if the window is still open at the database's clock and this side has not
   * reviewed: one statement, so two concurrent attempts leave one. Null when refused.
   */
  async create(input: {
    stayId: string;
    direction: ReviewDirection;
    authorId: string;
    subjectId: string | null;
    rating: number;
    body: string;
  }): Promise<ReviewRecord | null> {
    const rows = await this.db.$queryRaw<ReviewRow[]>`
      INSERT INTO reviews (id, stay_id, direction, author_id, subject_id, listing_id, rating, body)
      SELECT gen_random_uuid(), s.stay_id, ${input.direction}::review_direction, ${input.authorId}::uuid, ${input.subjectId}::uuid,
             s.listing_id, ${input.rating}, ${input.body}
      FROM completed_stays s WHERE s.stay_id = ${input.stayId}::uuid AND s.reviews_close_at > now()
      ON CONFLICT (stay_id, direction) DO NOTHING
      RETURNING id, stay_id, direction::text AS direction, author_id, subject_id, listing_id, rating, body, created_at`;
    const row = rows[0];
    return row ? fromRow(row) : null;
  }

  /** Guests' visible reviews of the given listings, newest first, at most `limit` each, in one query. */
  async findVisibleByListings(listingIds: readonly string[], limit: number, viewerId: string | null): Promise<ReviewRecord[]> {
    const ids = listingIds.filter(isUuid);
    if (ids.length === 0) return [];
    const rows = await this.db.$queryRaw<ReviewRow[]>`
      SELECT * FROM (
        SELECT r.id, r.stay_id, r.direction::text AS direction, r.author_id, r.subject_id, r.listing_id, r.rating, r.body, r.created_at,
               row_number() OVER (PARTITION BY r.listing_id ORDER BY r.created_at DESC, r.id DESC) AS n
        FROM reviews r JOIN completed_stays s ON s.stay_id = r.stay_id
        WHERE r.listing_id = ANY(${ids}::uuid[]) AND r.direction = 'GUEST_REVIEWS_HOST'
          AND (s.reviews_close_at <= now() OR r.author_id = ${viewerId}::uuid
               OR EXISTS (SELECT 1 FROM reviews o WHERE o.stay_id = r.stay_id AND o.direction <> r.direction))
      ) visible WHERE n <= ${limit}
      ORDER BY listing_id, created_at DESC, id DESC`;
    return rows.map(fromRow);
  }

  /** Hosts' visible reviews of the given guests, newest first. */
  async findVisibleAboutGuests(guestIds: readonly string[], viewerId: string | null): Promise<ReviewRecord[]> {
    const ids = guestIds.filter(isUuid);
    if (ids.length === 0) return [];
    const rows = await this.db.$queryRaw<ReviewRow[]>`
      SELECT r.id, r.stay_id, r.direction::text AS direction, r.author_id, r.subject_id, r.listing_id, r.rating, r.body, r.created_at
      FROM reviews r JOIN completed_stays s ON s.stay_id = r.stay_id
      WHERE r.subject_id = ANY(${ids}::uuid[]) AND r.direction = 'HOST_REVIEWS_GUEST'
        AND (s.reviews_close_at <= now() OR r.author_id = ${viewerId}::uuid
             OR EXISTS (SELECT 1 FROM reviews o WHERE o.stay_id = r.stay_id AND o.direction <> r.direction))
      ORDER BY r.created_at DESC, r.id DESC`;
    return rows.map(fromRow);
  }

  /** Average and count of the visible guest reviews per listing (the public rating: nobody's own pending review counts). */
  async ratingsOf(listingIds: readonly string[]): Promise<Map<string, RatingSummary>> {
    const ids = listingIds.filter(isUuid);
    const result = new Map<string, RatingSummary>();
    if (ids.length === 0) return result;
    const rows = await this.db.$queryRaw<{ listing_id: string; average: number; count: bigint }[]>`
      SELECT r.listing_id, round(avg(r.rating)::numeric, 2)::float8 AS average, count(*) AS count
      FROM reviews r JOIN completed_stays s ON s.stay_id = r.stay_id
      WHERE r.listing_id = ANY(${ids}::uuid[]) AND r.direction = 'GUEST_REVIEWS_HOST'
        AND (s.reviews_close_at <= now() OR EXISTS (SELECT 1 FROM reviews o WHERE o.stay_id = r.stay_id AND o.direction <> r.direction))
      GROUP BY r.listing_id`;
    for (const row of rows) result.set(row.listing_id, { average: Number(row.average), count: Number(row.count) });
    return result;
  }

  async findVisibleByIds(ids: readonly string[], viewerId: string | null): Promise<ReviewRecord[]> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return [];
    const rows = await this.db.$queryRaw<ReviewRow[]>`
      SELECT r.id, r.stay_id, r.direction::text AS direction, r.author_id, r.subject_id, r.listing_id, r.rating, r.body, r.created_at
      FROM reviews r JOIN completed_stays s ON s.stay_id = r.stay_id
      WHERE r.id = ANY(${valid}::uuid[])
        AND (s.reviews_close_at <= now() OR r.author_id = ${viewerId}::uuid
             OR EXISTS (SELECT 1 FROM reviews o WHERE o.stay_id = r.stay_id AND o.direction <> r.direction))`;
    return rows.map(fromRow);
  }
}
