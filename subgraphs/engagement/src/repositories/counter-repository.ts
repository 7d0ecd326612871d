import type { Db } from '../db';
import { isUuid, targetKey, type TargetRef } from '../domain';

/** One target's totals by metric (comments, reactions:<KIND>, feedback, feedback_sum, views). */
export type Totals = Map<string, number>;

/** Reads the exact totals the database triggers keep (see the migration that creates engagement_counters). */
export class CounterRepository {
  constructor(private readonly db: Db) {}

  /** Every metric of every target in one query, keyed by `targetKey`. */
  async totalsOf(targets: readonly TargetRef[]): Promise<Map<string, Totals>> {
    const valid = targets.filter((t) => isUuid(t.id));
    const result = new Map<string, Totals>();
    if (valid.length === 0) return result;
    const rows = await this.db.$queryRaw<{ target_type: string; target_id: string; metric: string; value: bigint }[]>`
      SELECT k.target_type::text AS target_type, k.target_id, k.metric, k.value
      FROM engagement_counters k
      JOIN unnest(${valid.map((t) => t.type)}::text[], ${valid.map((t) => t.id)}::uuid[]) AS t(target_type, target_id)
        ON k.target_type::text = t.target_type AND k.target_id = t.target_id
      WHERE k.value > 0`;
    for (const row of rows) {
      const key = targetKey(row.target_type as TargetRef['type'], row.target_id);
      let totals = result.get(key);
      if (!totals) result.set(key, (totals = new Map()));
      totals.set(row.metric, Number(row.value));
    }
    return result;
  }
}
