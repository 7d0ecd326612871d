import type { Db, Tx } from '../db';
import { isUuid, type InstanceRecord, type MachineRecord, type PortPool } from '../domain';
import { MachineRepository } from './machine-repository';

const instanceSelect = {
  id: true,
  machineId: true,
  ownerId: true,
  status: true,
  host: true,
  port: true,
  failureReason: true,
  exitCode: true,
  createdAt: true,
  updatedAt: true,
} as const;

const newestFirst = [{ createdAt: 'desc' as const }, { id: 'desc' as const }];

export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === 'P2002';
}

/**
 * The statements of one allocation, bound to its transaction. The caller takes the machine's lock
 * first: every allocation of that machine then runs one after another, so the counts it reads stay
 * true until it commits.
 */
export class AllocationStatements {
  constructor(private readonly tx: Tx) {}

  /** Locks the machine's row until the transaction ends and reads it; null when there is none. */
  async lockMachine(machineId: string): Promise<MachineRecord | null> {
    if (!isUuid(machineId)) return null;
    // A stuck lock holder fails the waiting allocations instead of queueing them forever.
    await this.tx.$executeRaw`SET LOCAL lock_timeout = '5s'`;
    const locked = await this.tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM machines WHERE id = ${machineId}::uuid FOR UPDATE`;
    if (locked.length === 0) return null;
    const [machine] = await new MachineRepository(this.tx).findByIds([machineId]);
    return machine ?? null;
  }

  /** Instances of the machine that hold a slot (every status but REMOVED): the owner's and everyone's. */
  async heldSlots(machineId: string, ownerId: string): Promise<{ owner: number; total: number }> {
    const [row] = await this.tx.$queryRaw<{ owner: number; total: number }[]>`
      SELECT count(*) FILTER (WHERE owner_id = ${ownerId}::uuid)::int AS owner, count(*)::int AS total
      FROM instances WHERE machine_id = ${machineId}::uuid AND status <> 'REMOVED'`;
    return row ?? { owner: 0, total: 0 };
  }

  /**
   * The lowest port of the pool no live instance on the host holds, or null when all are taken.
   * Ports are per host, across machines, so the pool has its own lock (an advisory one per host).
   */
  async lowestFreePort(pool: PortPool): Promise<number | null> {
    await this.tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`instances.ports:${pool.host}`}))`;
    const [row] = await this.tx.$queryRaw<{ port: number }[]>`
      SELECT p::int AS port FROM generate_series(${pool.first}::int, ${pool.last}::int) AS p
      WHERE NOT EXISTS (
        SELECT 1 FROM instances i WHERE i.host = ${pool.host} AND i.port = p AND i.status <> 'REMOVED')
      ORDER BY p LIMIT 1`;
    return row?.port ?? null;
  }

  async insert(input: { machine: MachineRecord; ownerId: string; host: string; port: number }): Promise<InstanceRecord> {
    return this.tx.instance.create({
      data: {
        machineId: input.machine.id,
        ownerId: input.ownerId,
        host: input.host,
        port: input.port,
        driver: input.machine.image ? 'DOCKER' : 'PROCESS',
      },
      select: instanceSelect,
    });
  }
}

export class InstanceRepository {
  constructor(private readonly db: Db) {}

  async findByIds(ids: readonly string[]): Promise<InstanceRecord[]> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return [];
    return this.db.instance.findMany({ where: { id: { in: valid } }, select: instanceSelect });
  }

  /** Instances of many owners in one query, newest first. */
  async findByOwners(ownerIds: readonly string[], options: { includeRemoved: boolean }): Promise<InstanceRecord[]> {
    const valid = ownerIds.filter(isUuid);
    if (valid.length === 0) return [];
    return this.db.instance.findMany({
      where: { ownerId: { in: valid }, ...(options.includeRemoved ? {} : { status: { not: 'REMOVED' } }) },
      select: instanceSelect,
      orderBy: newestFirst,
    });
  }

  /** Runs one allocation in one transaction (all or nothing). */
  allocate<T>(work: (statements: AllocationStatements) => Promise<T>): Promise<T> {
    // Allocations of one machine queue on its lock, each holding a pooled connection while it waits.
    return this.db.$transaction((tx) => work(new AllocationStatements(tx)), { maxWait: 15_000, timeout: 15_000 });
  }

  /** Marks the instance REMOVED unless it already is; null when it was (or does not exist). */
  async markRemoved(id: string): Promise<InstanceRecord | null> {
    const [row] = await this.db.instance.updateManyAndReturn({
      where: { id, status: { not: 'REMOVED' } },
      data: { status: 'REMOVED', removedAt: new Date() },
      select: instanceSelect,
    });
    return row ?? null;
  }

  /** Removes every live instance of a user (their account is gone); returns how many. */
  static async removeAllOfOwner(tx: Tx, ownerId: string): Promise<number> {
    if (!isUuid(ownerId)) return 0;
    const { count } = await tx.instance.updateMany({
      where: { ownerId, status: { not: 'REMOVED' } },
      data: { status: 'REMOVED', removedAt: new Date() },
    });
    return count;
  }
}
