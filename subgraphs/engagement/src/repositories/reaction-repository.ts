import { randomUUID } from 'node:crypto';
import type { Db } from '../db';
import { isUuid, type ReactionKind, type ReactionRecord, type TargetRef, type TargetType, type Viewer } from '../domain';
import { visiblePosts } from './visibility';

const reactionSelect = { id: true, targetType: true, targetId: true, postId: true, userId: true, kind: true, createdAt: true } as const;

interface ReactionRow {
  id: string;
  target_type: TargetType;
  target_id: string;
  post_id: string | null;
  user_id: string;
  kind: ReactionKind;
  created_at: Date;
}

export class ReactionRepository {
  constructor(private readonly db: Db) {}

  /** The reactions among `ids` whose post (when on a post) the viewer may see. */
  async findVisibleByIds(ids: readonly string[], viewer: Viewer): Promise<ReactionRecord[]> {
    return this.db.reaction.findMany({
      where: {
        id: { in: ids.filter(isUuid) },
        ...(!viewer?.isAdmin && { OR: [{ postId: null }, { post: { is: visiblePosts(viewer) } }] }),
      },
      select: reactionSelect,
    });
  }

  async findByTargets(targets: readonly TargetRef[]): Promise<ReactionRecord[]> {
    const valid = targets.filter((t) => isUuid(t.id));
    if (valid.length === 0) return [];
    return this.db.reaction.findMany({
      where: { OR: valid.map((t) => ({ targetType: t.type, targetId: t.id })) },
      select: reactionSelect,
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
  }

  /** One user's reactions to the given targets. */
  async findByUserOnTargets(userId: string, targets: readonly TargetRef[]): Promise<ReactionRecord[]> {
    const valid = targets.filter((t) => isUuid(t.id));
    if (valid.length === 0) return [];
    return this.db.reaction.findMany({
      where: { userId, OR: valid.map((t) => ({ targetType: t.type, targetId: t.id })) },
      select: reactionSelect,
    });
  }

  /**
   * Sets the user's reaction to a target that takes reactions (a published post, a known listing or
   * machine): inserts it, or changes the kind of the one they have (the unique (target, user) key
   * decides, so concurrent calls leave one row). Null when the target does not take it.
   */
  async upsert(input: { target: TargetRef; userId: string; kind: ReactionKind }): Promise<ReactionRecord | null> {
    const { target } = input;
    if (!isUuid(target.id)) return null;
    const postId = target.type === 'POST' ? target.id : null;
    const rows = await this.db.$queryRaw<ReactionRow[]>`
      INSERT INTO reactions (id, target_type, target_id, post_id, user_id, kind, updated_at)
      SELECT ${randomUUID()}::uuid, ${target.type}::target_type, ${target.id}::uuid, ${postId}::uuid, ${input.userId}::uuid,
             ${input.kind}::reaction_kind, now()
      WHERE (CASE WHEN ${target.type} = 'POST'
               THEN EXISTS (SELECT 1 FROM posts p WHERE p.id = ${target.id}::uuid AND p.status = 'PUBLISHED')
               ELSE EXISTS (SELECT 1 FROM target_replicas r WHERE r.target_type = ${target.type}::target_type
                              AND r.target_id = ${target.id}::uuid AND r.status <> 'DELETED') END)
      ON CONFLICT (target_type, target_id, user_id) DO UPDATE SET kind = EXCLUDED.kind, updated_at = EXCLUDED.updated_at
      RETURNING id, target_type::text AS target_type, target_id, post_id, user_id, kind::text AS kind, created_at`;
    const row = rows[0];
    return row
      ? {
          id: row.id,
          targetType: row.target_type,
          targetId: row.target_id,
          postId: row.post_id,
          userId: row.user_id,
          kind: row.kind,
          createdAt: row.created_at,
        }
      : null;
  }

  async deleteByUserOnTarget(userId: string, target: TargetRef): Promise<boolean> {
    if (!isUuid(target.id)) return false;
    const { count } = await this.db.reaction.deleteMany({ where: { targetType: target.type, targetId: target.id, userId } });
    return count > 0;
  }
}
