import { randomUUID } from 'node:crypto';
import type { Db, Tx } from '../db';
import { isUuid, type CommentRecord, type Position, type PostRecord, type PostStatus, type Viewer } from '../domain';
import { visibleComments } from './visibility';

const commentSelect = { id: true, postId: true, authorId: true, body: true, status: true, createdAt: true } as const;

interface CommentRow {
  id: string;
  post_id: string;
  author_id: string;
  body: string;
  status: PostStatus;
  created_at: Date;
}

const fromRow = (r: CommentRow): CommentRecord => ({
  id: r.id,
  postId: r.post_id,
  authorId: r.author_id,
  body: r.body,
  status: r.status,
  createdAt: r.created_at,
});

export class CommentRepository {
  constructor(private readonly db: Db) {}

  /** The comments among `ids` the viewer may see (see `canSeeComment`). */
  async findVisibleByIds(ids: readonly string[], viewer: Viewer): Promise<CommentRecord[]> {
    return this.db.comment.findMany({
      where: { id: { in: ids.filter(isUuid) }, ...visibleComments(viewer) },
      select: commentSelect,
    });
  }

  /**
   * For each post, its first `limit` comments (oldest first) after `after`: one query for any number
   * of posts, the window function doing per post what LIMIT cannot. Unpublished comments only for
   * their author and admins.
   */
  async findPageByPosts(postIds: readonly string[], limit: number, after: Position | null, viewer: Viewer = null): Promise<CommentRecord[]> {
    const ids = postIds.filter(isUuid);
    if (ids.length === 0) return [];
    const afterAt = after?.createdAt ?? null;
    const afterId = after?.id ?? null;
    const everything = viewer?.isAdmin ?? false;
    const viewerId = viewer?.userId ?? null;
    const rows = await this.db.$queryRaw<CommentRow[]>`
      SELECT id, post_id, author_id, body, status, created_at FROM (
        SELECT c.id, c.post_id, c.author_id, c.body, c.status::text AS status, c.created_at,
               row_number() OVER (PARTITION BY c.post_id ORDER BY c.created_at, c.id) AS n
        FROM comments c
        WHERE c.post_id = ANY(${ids}::uuid[])
          AND (c.status = 'PUBLISHED' OR ${everything} OR c.author_id = ${viewerId}::uuid)
          AND (${afterAt}::timestamptz IS NULL OR (c.created_at, c.id) > (${afterAt}::timestamptz, ${afterId}::uuid))
      ) page
      WHERE n <= ${limit}
      ORDER BY post_id, created_at, id`;
    return rows.map(fromRow);
  }

  /** Published comments per post: held and removed ones are not part of the conversation others see. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.$transaction(fn);
  }

  async countByPosts(postIds: readonly string[]): Promise<{ postId: string; count: number }[]> {
    const groups = await this.db.comment.groupBy({
      by: ['postId'],
      where: { postId: { in: postIds.filter(isUuid) }, status: 'PUBLISHED' },
      _count: { _all: true },
    });
    return groups.map((g) => ({ postId: g.postId, count: g._count._all }));
  }

  /**
   * Adds the comment only if the post exists and is published, in one statement, so a post hidden
   * at the same moment cannot receive it. Null when it was not added. `status` is moderation's verdict
   * on the text; `tx` lets moderation open a case in the same transaction.
   */
  async createOnPublishedPost(
    input: { postId: string; authorId: string; body: string; status?: PostStatus },
    tx?: Tx,
  ): Promise<CommentRecord | null> {
    if (!isUuid(input.postId)) return null;
    const rows = await (tx ?? this.db).$queryRaw<CommentRow[]>`
      INSERT INTO comments (id, post_id, author_id, body, status)
      SELECT ${randomUUID()}::uuid, p.id, ${input.authorId}::uuid, ${input.body}, ${input.status ?? 'PUBLISHED'}::post_status
      FROM posts p WHERE p.id = ${input.postId}::uuid AND p.status = 'PUBLISHED'
      RETURNING id, post_id, author_id, body, status::text AS status, created_at`;
    const row = rows[0];
    return row ? fromRow(row) : null;
  }

  /** A comment with what deciding about it needs: who wrote its post and whether it is visible. */
  async findWithPost(id: string): Promise<(CommentRecord & { post: Pick<PostRecord, 'authorId' | 'status'> }) | null> {
    if (!isUuid(id)) return null;
    return this.db.comment.findUnique({
      where: { id },
      select: { ...commentSelect, post: { select: { authorId: true, status: true } } },
    });
  }

  async delete(id: string): Promise<boolean> {
    const { count } = await this.db.comment.deleteMany({ where: { id } });
    return count > 0;
  }
}
