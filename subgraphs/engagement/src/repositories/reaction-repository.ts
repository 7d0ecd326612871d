import { randomUUID } from 'node:crypto';
import type { Db } from '../db';
import { isUuid, type ReactionCountRecord, type ReactionKind, type ReactionRecord, type Viewer } from '../domain';
import { visiblePosts } from './visibility';

const reactionSelect = { id: true, postId: true, userId: true, kind: true, createdAt: true } as const;

interface ReactionRow {
  id: string;
  post_id: string;
  user_id: string;
  kind: ReactionKind;
  created_at: Date;
}

export class ReactionRepository {
  constructor(private readonly db: Db) {}

  /** The reactions among `ids` whose post the viewer may see. */
  async findVisibleByIds(ids: readonly string[], viewer: Viewer): Promise<ReactionRecord[]> {
    return this.db.reaction.findMany({
      where: { id: { in: ids.filter(isUuid) }, post: visiblePosts(viewer) },
      select: reactionSelect,
    });
  }

  async findByPosts(postIds: readonly string[]): Promise<ReactionRecord[]> {
    return this.db.reaction.findMany({
      where: { postId: { in: postIds.filter(isUuid) } },
      select: reactionSelect,
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
  }

  async countByPosts(postIds: readonly string[]): Promise<ReactionCountRecord[]> {
    const groups = await this.db.reaction.groupBy({
      by: ['postId', 'kind'],
      where: { postId: { in: postIds.filter(isUuid) } },
      _count: { _all: true },
    });
    return groups.map((g) => ({ postId: g.postId, kind: g.kind, count: g._count._all }));
  }

  /** One user's reactions to the given posts. */
  async findByUserOnPosts(userId: string, postIds: readonly string[]): Promise<ReactionRecord[]> {
    return this.db.reaction.findMany({
      where: { userId, postId: { in: postIds.filter(isUuid) } },
      select: reactionSelect,
    });
  }

  /**
   * Sets the user's reaction to a published post: inserts it, or changes the kind of the one they
   * have (the unique (post_id, user_id) key decides, so concurrent calls leave one row). Null when
   * the post does not exist or is not published.
   */
  async upsertOnPublishedPost(input: { postId: string; userId: string; kind: ReactionKind }): Promise<ReactionRecord | null> {
    if (!isUuid(input.postId)) return null;
    const rows = await this.db.$queryRaw<ReactionRow[]>`
      INSERT INTO reactions (id, post_id, user_id, kind, updated_at)
      SELECT ${randomUUID()}::uuid, p.id, ${input.userId}::uuid, ${input.kind}::reaction_kind, now()
      FROM posts p WHERE p.id = ${input.postId}::uuid AND p.status = 'PUBLISHED'
      ON CONFLICT (post_id, user_id) DO UPDATE SET kind = EXCLUDED.kind, updated_at = EXCLUDED.updated_at
      RETURNING id, post_id, user_id, kind::text AS kind, created_at`;
    const row = rows[0];
    return row ? { id: row.id, postId: row.post_id, userId: row.user_id, kind: row.kind, createdAt: row.created_at } : null;
  }

  async deleteByUserOnPost(userId: string, postId: string): Promise<boolean> {
    if (!isUuid(postId)) return false;
    const { count } = await this.db.reaction.deleteMany({ where: { postId, userId } });
    return count > 0;
  }
}
