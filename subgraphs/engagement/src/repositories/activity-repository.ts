import type { Db } from '../db';
import { isUuid, type ActivityRecord, type ActivityVisibility } from '../domain';

type Totals = Omit<ActivityRecord, 'visibility' | 'months'>;

/** Activity profiles, counted from engagement's own tables (no other domain's database is read). */
export class ActivityRepository {
  constructor(private readonly db: Db) {}

  async visibilityOf(userIds: readonly string[]): Promise<Map<string, ActivityVisibility>> {
    const rows = await this.db.userSetting.findMany({ where: { userId: { in: userIds.filter(isUuid) } } });
    return new Map(rows.map((r) => [r.userId, r.activityVisibility]));
  }

  async setVisibility(userId: string, visibility: ActivityVisibility): Promise<ActivityVisibility> {
    const row = await this.db.userSetting.upsert({
      where: { userId },
      create: { userId, activityVisibility: visibility },
      update: { activityVisibility: visibility },
    });
    return row.activityVisibility;
  }

  /** Totals for one user in one statement. */
  async totalsOf(userId: string): Promise<Totals> {
    const [row] = await this.db.$queryRaw<
      {
        posts: bigint;
        comments: bigint;
        reactions_given: bigint;
        reactions_received: bigint;
        views_received: bigint;
        reviews_written: bigint;
        reviews_received: bigint;
        last_active_at: Date | null;
      }[]
    >`
      SELECT
        (SELECT count(*) FROM posts WHERE author_id = ${userId}::uuid AND status = 'PUBLISHED') AS posts,
        (SELECT count(*) FROM comments WHERE author_id = ${userId}::uuid AND status = 'PUBLISHED' AND deleted_at IS NULL) AS comments,
        (SELECT count(*) FROM reactions WHERE user_id = ${userId}::uuid) AS reactions_given,
        (SELECT count(*) FROM reactions r JOIN posts p ON p.id = r.post_id WHERE p.author_id = ${userId}::uuid) AS reactions_received,
        (SELECT count(*) FROM view_days WHERE owner_id = ${userId}::uuid) AS views_received,
        (SELECT count(*) FROM reviews WHERE author_id = ${userId}::uuid) AS reviews_written,
        (SELECT count(*) FROM reviews WHERE subject_id = ${userId}::uuid) AS reviews_received,
        (SELECT max(at) FROM (
          SELECT max(created_at) AS at FROM posts WHERE author_id = ${userId}::uuid
          UNION ALL SELECT max(created_at) FROM comments WHERE author_id = ${userId}::uuid
          UNION ALL SELECT max(updated_at) FROM reactions WHERE user_id = ${userId}::uuid
          UNION ALL SELECT max(updated_at) FROM feedback WHERE author_id = ${userId}::uuid
          UNION ALL SELECT max(created_at) FROM reviews WHERE author_id = ${userId}::uuid
        ) a) AS last_active_at`;
    return {
      posts: Number(row!.posts),
      comments: Number(row!.comments),
      reactionsGiven: Number(row!.reactions_given),
      reactionsReceived: Number(row!.reactions_received),
      viewsReceived: Number(row!.views_received),
      reviewsWritten: Number(row!.reviews_written),
      reviewsReceived: Number(row!.reviews_received),
      lastActiveAt: row!.last_active_at,
    };
  }

  /** Posts, comments and reactions per UTC month, the 12 latest months with any, newest first. */
  async monthsOf(userId: string): Promise<ActivityRecord['months']> {
    const rows = await this.db.$queryRaw<{ month: string; posts: bigint; comments: bigint; reactions: bigint }[]>`
      SELECT to_char(date_trunc('month', at AT TIME ZONE 'UTC'), 'YYYY-MM') AS month,
             count(*) FILTER (WHERE kind = 'p') AS posts,
             count(*) FILTER (WHERE kind = 'c') AS comments,
             count(*) FILTER (WHERE kind = 'r') AS reactions
      FROM (
        SELECT 'p' AS kind, created_at AS at FROM posts WHERE author_id = ${userId}::uuid AND status = 'PUBLISHED'
        UNION ALL SELECT 'c', created_at FROM comments WHERE author_id = ${userId}::uuid AND status = 'PUBLISHED' AND deleted_at IS NULL
        UNION ALL SELECT 'r', created_at FROM reactions WHERE user_id = ${userId}::uuid
      ) a
      GROUP BY 1 ORDER BY 1 DESC LIMIT 12`;
    return rows.map((r) => ({ month: r.month, posts: Number(r.posts), comments: Number(r.comments), reactions: Number(r.reactions) }));
  }
}
