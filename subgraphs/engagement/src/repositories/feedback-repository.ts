import { randomUUID } from 'node:crypto';
import type { Db, Tx } from '../db';
import { isUuid, type FeedbackRecord, type PostStatus, type TargetRef, type TargetType, type Viewer } from '../domain';
import { visibleFeedback } from './visibility';

const feedbackSelect = {
  id: true,
  targetType: true,
  targetId: true,
  postId: true,
  authorId: true,
  rating: true,
  body: true,
  status: true,
  createdAt: true,
  updatedAt: true,
} as const;

interface FeedbackRow {
  id: string;
  target_type: TargetType;
  target_id: string;
  post_id: string | null;
  author_id: string;
  rating: number;
  body: string;
  status: PostStatus;
  created_at: Date;
  updated_at: Date;
}

const fromRow = (r: FeedbackRow): FeedbackRecord => ({
  id: r.id,
  targetType: r.target_type,
  targetId: r.target_id,
  postId: r.post_id,
  authorId: r.author_id,
  rating: Number(r.rating),
  body: r.body,
  status: r.status,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export class FeedbackRepository {
  constructor(private readonly db: Db) {}

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.$transaction(fn);
  }

  async findVisibleByIds(ids: readonly string[], viewer: Viewer): Promise<FeedbackRecord[]> {
    return this.db.feedback.findMany({ where: { id: { in: ids.filter(isUuid) }, ...visibleFeedback(viewer) }, select: feedbackSelect });
  }

  /** For each target, its latest `limit` published entries (and the viewer's own), newest first, in one query. */
  async findLatestByTargets(targets: readonly TargetRef[], limit: number, viewer: Viewer): Promise<FeedbackRecord[]> {
    const valid = targets.filter((t) => isUuid(t.id));
    if (valid.length === 0) return [];
    const rows = await this.db.$queryRaw<FeedbackRow[]>`
      SELECT * FROM (
        SELECT f.id, f.target_type::text AS target_type, f.target_id, f.post_id, f.author_id, f.rating, f.body,
               f.status::text AS status, f.created_at, f.updated_at,
               row_number() OVER (PARTITION BY f.target_type, f.target_id ORDER BY f.updated_at DESC, f.id DESC) AS n
        FROM feedback f
        JOIN unnest(${valid.map((t) => t.type)}::text[], ${valid.map((t) => t.id)}::uuid[]) AS t(target_type, target_id)
          ON f.target_type::text = t.target_type AND f.target_id = t.target_id
        WHERE (f.status = 'PUBLISHED' OR ${viewer?.isAdmin ?? false} OR f.author_id = ${viewer?.userId ?? null}::uuid)
      ) latest
      WHERE n <= ${limit}
      ORDER BY target_type, target_id, updated_at DESC, id DESC`;
    return rows.map(fromRow);
  }

  /**
   * Writes the user's one feedback on a target that takes it (as comments do), replacing what they
   * gave before. `hold` holds it for review; feedback under review or removed stays so when
   * rewritten (an edit does not release it). Null when the target does not take feedback now.
   */
  async upsert(
    input: { target: TargetRef; authorId: string; rating: number; body: string; hold: boolean },
    tx: Tx,
  ): Promise<FeedbackRecord | null> {
    const { target } = input;
    if (!isUuid(target.id)) return null;
    const postId = target.type === 'POST' ? target.id : null;
    const status = input.hold ? 'HELD' : 'PUBLISHED';
    const rows = await tx.$queryRaw<FeedbackRow[]>`
      INSERT INTO feedback AS f (id, target_type, target_id, post_id, author_id, rating, body, status)
      SELECT ${randomUUID()}::uuid, ${target.type}::target_type, ${target.id}::uuid, ${postId}::uuid, ${input.authorId}::uuid,
             ${input.rating}, ${input.body}, ${status}::post_status
      WHERE (CASE WHEN ${target.type} = 'POST'
               THEN EXISTS (SELECT 1 FROM posts p WHERE p.id = ${target.id}::uuid AND p.status = 'PUBLISHED')
               ELSE EXISTS (SELECT 1 FROM target_replicas r WHERE r.target_type = ${target.type}::target_type
                              AND r.target_id = ${target.id}::uuid AND r.status <> 'DELETED') END)
      ON CONFLICT (target_type, target_id, author_id) DO UPDATE
        SET rating = EXCLUDED.rating, body = EXCLUDED.body, updated_at = now(),
            status = CASE WHEN f.status = 'PUBLISHED' THEN EXCLUDED.status ELSE f.status END
      RETURNING f.id, f.target_type::text AS target_type, f.target_id, f.post_id, f.author_id, f.rating, f.body,
                f.status::text AS status, f.created_at, f.updated_at`;
    const row = rows[0];
    return row ? fromRow(row) : null;
  }
}
