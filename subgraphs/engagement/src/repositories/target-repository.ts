import type { Db, Tx } from '../db';
import { isUuid, targetKey, type TargetRef, type TargetType } from '../domain';

/** A listing or machine as engagement knows it from its owner's events. */
export interface ReplicaRecord {
  targetType: TargetType;
  targetId: string;
  ownerId: string | null;
  status: string;
}

const replicaSelect = { targetType: true, targetId: true, ownerId: true, status: true } as const;

export class TargetRepository {
  constructor(private readonly db: Db) {}

  /** The replicas among `refs` (posts are not replicas: they live in this database). */
  async findReplicas(refs: readonly TargetRef[]): Promise<ReplicaRecord[]> {
    const wanted = refs.filter((r) => r.type !== 'POST' && isUuid(r.id));
    if (wanted.length === 0) return [];
    return this.db.targetReplica.findMany({
      where: { OR: wanted.map((r) => ({ targetType: r.type, targetId: r.id })) },
      select: replicaSelect,
    });
  }

  /**
   * Records what an event says about a listing or machine; an event older than what is known
   * (a lower version) changes nothing. Returns false when it was stale.
   */
  static async upsertReplica(tx: Tx, replica: ReplicaRecord & { version: number }): Promise<boolean> {
    const rows = await tx.$executeRaw`
      INSERT INTO target_replicas (target_type, target_id, owner_id, status, version, updated_at)
      VALUES (${replica.targetType}::target_type, ${replica.targetId}::uuid, ${replica.ownerId}::uuid, ${replica.status}, ${replica.version}, now())
      ON CONFLICT (target_type, target_id) DO UPDATE
        SET owner_id = EXCLUDED.owner_id, status = EXCLUDED.status, version = EXCLUDED.version, updated_at = now()
        WHERE target_replicas.version <= EXCLUDED.version AND target_replicas.status <> 'DELETED'`;
    return rows > 0;
  }
}

export const replicaKey = (r: ReplicaRecord) => targetKey(r.targetType, r.targetId);
