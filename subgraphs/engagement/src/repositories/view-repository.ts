import type { Db } from '../db';
import type { TargetType } from '../domain';

/** One recordView call: who (a user or a hashed device id) viewed what. */
export interface ViewInput {
  targetType: TargetType;
  targetId: string;
  /** "u:<user id>" or "d:<sha-256 of the device id>". */
  viewer: string;
  userId: string | null;
  isAdmin: boolean;
}

/** What became of one view in a batch. */
export type ViewOutcome = 'COUNTED' | 'REPEAT' | 'NOT_FOUND';

export class ViewRepository {
  constructor(private readonly db: Db) {}

  /**
   * Writes a batch of views in one statement. Each view counts only for a target its viewer may
   * see (the same rule as reading it: a published post or the author's own, a listing not private
   * or the owner's, a known machine) and only once per viewer, target and UTC day (the primary key;
   * the trigger on view_days adds it to the target's `views` total).
   */
  async record(views: readonly ViewInput[]): Promise<ViewOutcome[]> {
    if (views.length === 0) return [];
    const rows = await this.db.$queryRaw<{ i: number; counted: boolean }[]>`
      WITH input AS (
        SELECT * FROM unnest(${views.map((v) => v.targetType)}::text[], ${views.map((v) => v.targetId)}::uuid[],
                             ${views.map((v) => v.viewer)}::text[], ${views.map((v) => v.userId)}::uuid[],
                             ${views.map((v) => v.isAdmin)}::boolean[])
          WITH ORDINALITY AS v(target_type, target_id, viewer, user_id, is_admin, i)
      ),
      visible AS (
        SELECT DISTINCT ON (v.target_type, v.target_id, v.viewer) v.*, coalesce(p.author_id, r.owner_id) AS owner_id
        FROM input v
        LEFT JOIN posts p ON v.target_type = 'POST' AND p.id = v.target_id
        LEFT JOIN target_replicas r ON v.target_type <> 'POST' AND r.target_type::text = v.target_type AND r.target_id = v.target_id
        WHERE (p.id IS NOT NULL AND (p.status = 'PUBLISHED' OR v.is_admin OR p.author_id = v.user_id))
           OR (r.target_id IS NOT NULL AND r.status <> 'DELETED'
               AND (r.status NOT IN ('DRAFT', 'ARCHIVED') OR v.is_admin OR r.owner_id = v.user_id))
        ORDER BY v.target_type, v.target_id, v.viewer, v.i
      ),
      inserted AS (
        INSERT INTO view_days (target_type, target_id, day, viewer, user_id, owner_id)
        SELECT target_type::target_type, target_id, (now() AT TIME ZONE 'UTC')::date, viewer, user_id, owner_id FROM visible
        ON CONFLICT DO NOTHING
        RETURNING target_type::text AS target_type, target_id, viewer
      )
      SELECT v.i::int AS i, EXISTS (
        SELECT 1 FROM inserted n JOIN visible s ON s.target_type = n.target_type AND s.target_id = n.target_id AND s.viewer = n.viewer
        WHERE s.i = v.i) AS counted
      FROM input v
      WHERE EXISTS (SELECT 1 FROM visible s WHERE s.target_type = v.target_type AND s.target_id = v.target_id AND s.viewer = v.viewer)`;
    const byIndex = new Map(rows.map((r) => [Number(r.i), r.counted]));
    return views.map((_, index) => {
      const counted = byIndex.get(index + 1);
      return counted === undefined ? 'NOT_FOUND' : counted ? 'COUNTED' : 'REPEAT';
    });
  }
}
