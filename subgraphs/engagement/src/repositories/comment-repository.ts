import { randomUUID } from 'node:crypto';
import { Prisma } from '../generated/prisma/client';
import type { Db, Tx } from '../db';
import {
  isUuid,
  type CommentRecord,
  type Position,
  type PostRecord,
  type PostStatus,
  type TargetRef,
  type TargetType,
  type Viewer,
} from '../domain';
import { visibleComments } from './visibility';

export const commentSelect = {
  id: true,
  targetType: true,
  targetId: true,
  postId: true,
  parentId: true,
  authorId: true,
  body: true,
  status: true,
  createdAt: true,
  updatedAt: true,
  deletedAt: true,
} as const;

interface CommentRow {
  id: string;
  target_type: TargetType;
  target_id: string;
  post_id: string | null;
  parent_id: string | null;
  author_id: string;
  body: string;
  status: PostStatus;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

const COLUMNS = Prisma.sql`c.id, c.target_type::text AS target_type, c.target_id, c.post_id, c.parent_id, c.author_id, c.body,
  c.status::text AS status, c.created_at, c.updated_at, c.deleted_at`;

const fromRow = (r: CommentRow): CommentRecord => ({
  id: r.id,
  targetType: r.target_type,
  targetId: r.target_id,
  postId: r.post_id,
  parentId: r.parent_id,
  authorId: r.author_id,
  body: r.body,
  status: r.status,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  deletedAt: r.deleted_at,
});

/** Unpublished comments are seen by their author and admins only (the target's rule is the caller's). */
function ownOrPublished(viewer: Viewer): Prisma.Sql {
  const everything = viewer?.isAdmin ?? false;
  const viewerId = viewer?.userId ?? null;
  return Prisma.sql`(c.status = 'PUBLISHED' OR ${everything} OR c.author_id = ${viewerId}::uuid)`;
}

function afterPosition(after: Position | null): Prisma.Sql {
  if (!after) return Prisma.sql`TRUE`;
  return Prisma.sql`(c.created_at, c.id) > (${after.createdAt}::timestamptz, ${after.id}::uuid)`;
}

export class CommentRepository {
  constructor(private readonly db: Db) {}

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.$transaction(fn);
  }

  /** The comments among `ids` the viewer may see (see `canSeeComment`); deleted ones as placeholders. */
  async findVisibleByIds(ids: readonly string[], viewer: Viewer): Promise<CommentRecord[]> {
    return this.db.comment.findMany({
      where: { id: { in: ids.filter(isUuid) }, ...visibleComments(viewer) },
      select: commentSelect,
    });
  }

  /**
   * For each target, its first `limit` top-level comments (oldest first) after `after`: one query
   * for any number of targets, the window function doing per target what LIMIT cannot. A deleted
   * comment stays as a placeholder while it has a reply the viewer sees, so the thread reads on.
   */
  async findPageByTargets(targets: readonly TargetRef[], limit: number, after: Position | null, viewer: Viewer): Promise<CommentRecord[]> {
    const valid = targets.filter((t) => isUuid(t.id));
    if (valid.length === 0) return [];
    const types = valid.map((t) => t.type);
    const ids = valid.map((t) => t.id);
    const rows = await this.db.$queryRaw<CommentRow[]>`
      SELECT * FROM (
        SELECT ${COLUMNS}, row_number() OVER (PARTITION BY c.target_type, c.target_id ORDER BY c.created_at, c.id) AS n
        FROM comments c
        JOIN unnest(${types}::text[], ${ids}::uuid[]) AS t(target_type, target_id)
          ON c.target_type::text = t.target_type AND c.target_id = t.target_id
        WHERE c.parent_id IS NULL
          AND ${ownOrPublished(viewer)}
          AND ${afterPosition(after)}
          AND (c.deleted_at IS NULL OR EXISTS (
            SELECT 1 FROM comments r WHERE r.parent_id = c.id AND r.deleted_at IS NULL
              AND (r.status = 'PUBLISHED' OR ${viewer?.isAdmin ?? false} OR r.author_id = ${viewer?.userId ?? null}::uuid)))
      ) page
      WHERE n <= ${limit}
      ORDER BY target_type, target_id, created_at, id`;
    return rows.map(fromRow);
  }

  /** For each parent, its first `limit` replies (oldest first) after `after`; deleted replies are gone from view. */
  async findRepliesPage(parentIds: readonly string[], limit: number, after: Position | null, viewer: Viewer): Promise<CommentRecord[]> {
    const ids = parentIds.filter(isUuid);
    if (ids.length === 0) return [];
    const rows = await this.db.$queryRaw<CommentRow[]>`
      SELECT * FROM (
        SELECT ${COLUMNS}, row_number() OVER (PARTITION BY c.parent_id ORDER BY c.created_at, c.id) AS n
        FROM comments c
        WHERE c.parent_id = ANY(${ids}::uuid[]) AND c.deleted_at IS NULL
          AND ${ownOrPublished(viewer)}
          AND ${afterPosition(after)}
      ) page
      WHERE n <= ${limit}
      ORDER BY parent_id, created_at, id`;
    return rows.map(fromRow);
  }

  /** Published, undeleted replies per parent. */
  async countReplies(parentIds: readonly string[]): Promise<{ parentId: string; count: number }[]> {
    const groups = await this.db.comment.groupBy({
      by: ['parentId'],
      where: { parentId: { in: parentIds.filter(isUuid) }, status: 'PUBLISHED', deletedAt: null },
      _count: { _all: true },
    });
    return groups.map((g) => ({ parentId: g.parentId as string, count: g._count._all }));
  }

  /**
   * Adds the comment only if, at that moment, the target takes comments (a published post, a known
   * listing or machine) and the parent (if any) is a live top-level comment of the same target: in
   * one statement, so a post hidden or a parent deleted at the same moment cannot receive it. Null
   * when it was not added.
   */
  async create(
    input: { target: TargetRef; parentId: string | null; authorId: string; body: string; status: PostStatus },
    tx?: Tx,
  ): Promise<CommentRecord | null> {
    const { target, parentId } = input;
    if (!isUuid(target.id) || (parentId !== null && !isUuid(parentId))) return null;
    const postId = target.type === 'POST' ? target.id : null;
    const rows = await (tx ?? this.db).$queryRaw<CommentRow[]>`
      INSERT INTO comments AS c (id, target_type, target_id, post_id, parent_id, author_id, body, status)
      SELECT ${randomUUID()}::uuid, ${target.type}::target_type, ${target.id}::uuid, ${postId}::uuid, ${parentId}::uuid,
             ${input.authorId}::uuid, ${input.body}, ${input.status}::post_status
      WHERE (CASE WHEN ${target.type} = 'POST'
               THEN EXISTS (SELECT 1 FROM posts p WHERE p.id = ${target.id}::uuid AND p.status = 'PUBLISHED')
               ELSE EXISTS (SELECT 1 FROM target_replicas r WHERE r.target_type = ${target.type}::target_type
                              AND r.target_id = ${target.id}::uuid AND r.status <> 'DELETED') END)
        AND (${parentId}::uuid IS NULL OR EXISTS (
              SELECT 1 FROM comments p WHERE p.id = ${parentId}::uuid AND p.parent_id IS NULL AND p.deleted_at IS NULL
                AND p.status = 'PUBLISHED' AND p.target_type = ${target.type}::target_type AND p.target_id = ${target.id}::uuid))
      RETURNING ${COLUMNS}`;
    const row = rows[0];
    return row ? fromRow(row) : null;
  }

  /** A comment with what deciding about it needs: its post's author and status when it is on a post. */
  async findWithPost(id: string, tx?: Tx): Promise<(CommentRecord & { post: Pick<PostRecord, 'authorId' | 'status'> | null }) | null> {
    if (!isUuid(id)) return null;
    return (tx ?? this.db).comment.findUnique({
      where: { id },
      select: { ...commentSelect, post: { select: { authorId: true, status: true } } },
    });
  }

  /**
   * Changes the body if `authorId` wrote the comment and it is not deleted; null otherwise. `hold`
   * (moderation held the new text) also sets a published comment to HELD.
   */
  async updateBody(id: string, authorId: string, body: string, options: { hold: boolean; tx: Tx }): Promise<CommentRecord | null> {
    const { tx, hold } = options;
    const rows = await tx.$queryRaw<CommentRow[]>`
      UPDATE comments AS c SET body = ${body}, updated_at = now(),
        status = CASE WHEN ${hold} AND c.status = 'PUBLISHED' THEN 'HELD'::post_status ELSE c.status END
      WHERE c.id = ${id}::uuid AND c.author_id = ${authorId}::uuid AND c.deleted_at IS NULL
      RETURNING ${COLUMNS}`;
    const row = rows[0];
    return row ? fromRow(row) : null;
  }

  /**
   * Soft delete: the text goes, the row stays as a placeholder so its replies keep their place
   * (readers see it only while it has replies). True when it was live.
   */
  async softDelete(id: string): Promise<boolean> {
    const { count } = await this.db.comment.updateMany({ where: { id, deletedAt: null }, data: { deletedAt: new Date(), body: '' } });
    return count > 0;
  }
}
