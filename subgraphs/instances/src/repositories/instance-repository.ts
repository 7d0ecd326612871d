import { enqueueEvent, isUuid, type EventType } from '@market/platform';
import { Prisma } from '../generated/prisma/client';
import type { Db, Tx } from '../db';
import { DOWN_STATUSES, driverOf, type InstanceRecord, type InstanceStatus, type MachineRecord, type PortPool } from '../domain';
import { MachineRepository } from './machine-repository';
import { assertTransitions } from '../rules/lifecycle';

const instanceSelect = {
  id: true,
  machineId: true,
  machineVersion: true,
  restartCount: true,
  ownerId: true,
  status: true,
  host: true,
  port: true,
  driver: true,
  runtimeRef: true,
  failureReason: true,
  exitCode: true,
  startedAt: true,
  stoppedAt: true,
  removedAt: true,
  statusChangedAt: true,
  uptimeMs: true,
  downtimeMs: true,
  deleteVolume: true,
  releasedAt: true,
  createdAt: true,
  updatedAt: true,
} as const;

type InstanceRow = Omit<InstanceRecord, 'uptimeMs' | 'downtimeMs'> & { uptimeMs: bigint | number; downtimeMs: bigint | number };

function toInstance(row: InstanceRow): InstanceRecord {
  return { ...row, uptimeMs: Number(row.uptimeMs), downtimeMs: Number(row.downtimeMs) };
}

const newestFirst = [{ createdAt: 'desc' as const }, { id: 'desc' as const }];

export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === 'P2002';
}

/** What a transition writes besides the status (timestamps follow from the status itself). */
export interface TransitionChanges {
  runtimeRef?: string | null;
  failureReason?: string | null;
  exitCode?: number | null;
  /** REMOVED only: delete the volume when the runtime is released. */
  deleteVolume?: boolean;
  /** REMOVED only: the runtime was already released (the process is gone, the volume dealt with). */
  released?: boolean;
  /** Restarts made by the restart policy in a row. */
  restartCount?: number;
}

export interface Transition {
  instance: InstanceRecord;
  previousStatus: InstanceStatus;
}

const eventType = (status: InstanceStatus) => `instances.instance.${status.toLowerCase()}` as EventType & `instances.instance.${string}`;

function transitionPayload(instance: InstanceRecord, machineName: string, previousStatus: InstanceStatus | null) {
  return {
    instanceId: instance.id,
    ownerId: instance.ownerId,
    machineId: instance.machineId,
    machineName,
    status: instance.status,
    previousStatus,
    host: instance.host,
    port: instance.port,
    failureReason: instance.failureReason,
    exitCode: instance.exitCode,
  };
}

/**
 * Moves the instances `which` selects from one of the `from` statuses to `to`, in ONE statement: the
 * rows are locked, the status checked and written together, so two writers can never both move the
 * same instance out of the same status. The time spent in the status left is added to uptime or
 * downtime. Each moved instance gets its `instances.instance.<status>` event in the same transaction.
 */
async function transitionWhere(
  tx: Tx,
  which: Prisma.Sql,
  from: readonly InstanceStatus[],
  to: InstanceStatus,
  changes: TransitionChanges,
): Promise<Transition[]> {
  assertTransitions(from, to);
  const has = (key: keyof TransitionChanges) => changes[key] !== undefined;
  const elapsed = Prisma.sql`GREATEST(0, floor(extract(epoch FROM (now() - i.status_changed_at)) * 1000))::bigint`;
  const rows = await tx.$queryRaw<(InstanceRow & { previousStatus: InstanceStatus; machineName: string })[]>`
    WITH prev AS (SELECT id, status FROM instances WHERE ${which} FOR UPDATE)
    UPDATE instances i SET
      status = ${to}::"InstanceStatus",
      uptime_ms = i.uptime_ms + CASE WHEN i.status = 'RUNNING' THEN ${elapsed} ELSE 0 END,
      downtime_ms = i.downtime_ms + CASE WHEN i.status::text = ANY(${[...DOWN_STATUSES]}::text[]) THEN ${elapsed} ELSE 0 END,
      status_changed_at = now(),
      updated_at = now(),
      runtime_ref = CASE WHEN ${has('runtimeRef')}::boolean THEN ${changes.runtimeRef ?? null}::varchar ELSE i.runtime_ref END,
      failure_reason = CASE WHEN ${has('failureReason')}::boolean THEN left(${changes.failureReason ?? null}::text, 2000) ELSE i.failure_reason END,
      exit_code = CASE WHEN ${has('exitCode')}::boolean THEN ${changes.exitCode ?? null}::int ELSE i.exit_code END,
      restart_count = CASE WHEN ${has('restartCount')}::boolean THEN ${changes.restartCount ?? 0}::int ELSE i.restart_count END,
      started_at = CASE WHEN ${to} = 'RUNNING' AND prev.status <> 'UNHEALTHY' THEN now() ELSE i.started_at END,
      stopped_at = CASE WHEN ${to} IN ('STOPPED', 'FAILED') THEN now() ELSE i.stopped_at END,
      removed_at = CASE WHEN ${to} = 'REMOVED' THEN now() ELSE i.removed_at END,
      delete_volume = CASE WHEN ${to} = 'REMOVED' THEN ${changes.deleteVolume ?? false}::boolean ELSE i.delete_volume END,
      released_at = CASE WHEN ${to} = 'REMOVED' AND ${changes.released ?? false}::boolean THEN now() ELSE i.released_at END
    FROM prev, machines m
    WHERE i.id = prev.id AND m.id = i.machine_id AND i.status::text = ANY(${[...from]}::text[])
    RETURNING i.id::text AS id, i.machine_id::text AS "machineId", i.machine_version AS "machineVersion", i.restart_count AS "restartCount", i.owner_id::text AS "ownerId", i.status::text AS status,
      i.host, i.port, i.driver::text AS driver, i.runtime_ref AS "runtimeRef", i.failure_reason AS "failureReason",
      i.exit_code AS "exitCode", i.started_at AS "startedAt", i.stopped_at AS "stoppedAt", i.removed_at AS "removedAt",
      i.status_changed_at AS "statusChangedAt", i.uptime_ms AS "uptimeMs", i.downtime_ms AS "downtimeMs",
      i.delete_volume AS "deleteVolume", i.released_at AS "releasedAt", i.created_at AS "createdAt", i.updated_at AS "updatedAt", prev.status::text AS "previousStatus", m.name AS "machineName"`;
  const moved: Transition[] = [];
  for (const { previousStatus, machineName, ...row } of rows) {
    const instance = toInstance(row);
    await enqueueEvent(tx, eventType(to), instance.id, transitionPayload(instance, machineName, previousStatus));
    moved.push({ instance, previousStatus });
  }
  return moved;
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
   * The lowest port of the pool no instance on the host holds, or null when all are taken. A removed
   * instance holds its port until its process or container is released (it may still be bound).
   * Ports are per host, across machines, so the pool has its own lock (an advisory one per host).
   */
  async lowestFreePort(pool: PortPool): Promise<number | null> {
    await this.tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`instances.ports:${pool.host}`}))`;
    const [row] = await this.tx.$queryRaw<{ port: number }[]>`
      SELECT p::int AS port FROM generate_series(${pool.first}::int, ${pool.last}::int) AS p
      WHERE NOT EXISTS (
        SELECT 1 FROM instances i WHERE i.host = ${pool.host} AND i.port = p AND (i.status <> 'REMOVED' OR i.released_at IS NULL))
      ORDER BY p LIMIT 1`;
    return row?.port ?? null;
  }

  /** Inserts the instance REQUESTED and publishes `instances.instance.requested`. */
  async insert(input: { machine: MachineRecord; ownerId: string; host: string; port: number }): Promise<InstanceRecord> {
    const instance = toInstance(
      await this.tx.instance.create({
        data: {
          machineId: input.machine.id,
          ownerId: input.ownerId,
          host: input.host,
          port: input.port,
          machineVersion: input.machine.version,
          driver: driverOf(input.machine),
        },
        select: instanceSelect,
      }),
    );
    await enqueueEvent(this.tx, 'instances.instance.requested', instance.id, transitionPayload(instance, input.machine.name, null));
    return instance;
  }

  /** REQUESTED → STARTING in the allocation's transaction: a new instance is started at once. */
  async start(id: string): Promise<InstanceRecord | null> {
    const [moved] = await transitionWhere(this.tx, Prisma.sql`id = ${id}::uuid`, ['REQUESTED'], 'STARTING', {});
    return moved?.instance ?? null;
  }
}

export class InstanceRepository {
  constructor(private readonly db: Db) {}

  async findByIds(ids: readonly string[]): Promise<InstanceRecord[]> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return [];
    const rows = await this.db.instance.findMany({ where: { id: { in: valid } }, select: instanceSelect });
    return rows.map(toInstance);
  }

  async findById(id: string): Promise<InstanceRecord | null> {
    const [found] = await this.findByIds([id]);
    return found ?? null;
  }

  /** Instances of many owners in one query, newest first. */
  async findByOwners(ownerIds: readonly string[], options: { includeRemoved: boolean }): Promise<InstanceRecord[]> {
    const valid = ownerIds.filter(isUuid);
    if (valid.length === 0) return [];
    const rows = await this.db.instance.findMany({
      where: { ownerId: { in: valid }, ...(options.includeRemoved ? {} : { status: { not: 'REMOVED' } }) },
      select: instanceSelect,
      orderBy: newestFirst,
    });
    return rows.map(toInstance);
  }

  /** The instances of one host in some statuses (what the reconciler compares with what runs). */
  async findOnHost(host: string, statuses: readonly InstanceStatus[]): Promise<InstanceRecord[]> {
    const rows = await this.db.instance.findMany({ where: { host, status: { in: [...statuses] } }, select: instanceSelect });
    return rows.map(toInstance);
  }

  /** Removed instances of the host whose process, container or volume is still to release. */
  async findUnreleased(host: string): Promise<InstanceRecord[]> {
    const rows = await this.db.instance.findMany({ where: { host, status: 'REMOVED', releasedAt: null }, select: instanceSelect });
    return rows.map(toInstance);
  }

  /** Runs one allocation in one transaction (all or nothing). */
  allocate<T>(work: (statements: AllocationStatements) => Promise<T>): Promise<T> {
    // Allocations of one machine queue on its lock, each holding a pooled connection while it waits.
    return this.db.$transaction((tx) => work(new AllocationStatements(tx)), { maxWait: 15_000, timeout: 15_000 });
  }

  /** Moves one instance from one of `from` to `to` (see transitionWhere); null when it was in none of them. */
  async transition(
    id: string,
    from: readonly InstanceStatus[],
    to: InstanceStatus,
    changes: TransitionChanges = {},
  ): Promise<Transition | null> {
    if (!isUuid(id)) return null;
    // Like allocations, a transition may wait for a pooled connection behind a burst of them.
    const [moved] = await this.db.$transaction((tx) => transitionWhere(tx, Prisma.sql`id = ${id}::uuid`, from, to, changes), {
      maxWait: 15_000,
      timeout: 15_000,
    });
    return moved ?? null;
  }

  /** Records that a removed instance's runtime (and volume, if asked) is released, which frees its port. */
  async markReleased(id: string): Promise<void> {
    await this.db.instance.updateMany({
      where: { id, status: 'REMOVED', releasedAt: null },
      data: { releasedAt: new Date(), runtimeRef: null },
    });
  }

  /**
   * Takes (or renews) the lease on supervising an instance for `ttlMs`: true when `holder` has it now.
   * One row per instance; a lease expired by its holder's silence can be taken by anyone.
   */
  async acquireLease(id: string, holder: string, ttlMs: number): Promise<boolean> {
    if (!isUuid(id)) return false;
    const rows = await this.db.$queryRaw<{ holder: string }[]>`
      INSERT INTO instance_leases (instance_id, holder, expires_at)
      SELECT id, ${holder}, now() + ${ttlMs}::int * interval '1 millisecond' FROM instances WHERE id = ${id}::uuid
      ON CONFLICT (instance_id) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
        WHERE instance_leases.holder = EXCLUDED.holder OR instance_leases.expires_at < now()
      RETURNING holder`;
    return rows.length > 0;
  }

  /** Extends the leases `holder` still has on these instances; the ids it no longer holds are returned. */
  async renewLeases(ids: readonly string[], holder: string, ttlMs: number): Promise<string[]> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return [];
    const renewed = await this.db.$queryRaw<{ id: string }[]>`
      UPDATE instance_leases SET expires_at = now() + ${ttlMs}::int * interval '1 millisecond'
      WHERE holder = ${holder} AND instance_id = ANY(${valid}::uuid[]) RETURNING instance_id::text AS id`;
    const kept = new Set(renewed.map((r) => r.id));
    return valid.filter((id) => !kept.has(id));
  }

  /** Gives a lease up (the workload no longer runs here), so another replica may start it at once. */
  async releaseLease(id: string, holder: string): Promise<void> {
    if (!isUuid(id)) return;
    await this.db.$executeRaw`DELETE FROM instance_leases WHERE instance_id = ${id}::uuid AND holder = ${holder}`;
  }

  /** Records the handle of an instance whose runtime has one before it starts (a container). */
  async setRuntimeRef(id: string, runtimeRef: string | null): Promise<void> {
    await this.db.instance.updateMany({ where: { id }, data: { runtimeRef } });
  }

  /**
   * Removes every live instance of a user (their account is gone), volumes included, with an event
   * each; the runtime releases them once this commits. Returns the removed instances.
   */
  static async removeAllOfOwner(tx: Tx, ownerId: string): Promise<InstanceRecord[]> {
    if (!isUuid(ownerId)) return [];
    const live = ['REQUESTED', 'STARTING', 'RUNNING', 'UNHEALTHY', 'STOPPING', 'STOPPED', 'FAILED'] as const;
    const moved = await transitionWhere(tx, Prisma.sql`owner_id = ${ownerId}::uuid AND status <> 'REMOVED'`, live, 'REMOVED', {
      deleteVolume: true,
    });
    // What their workloads wrote is theirs too.
    await tx.$executeRaw`DELETE FROM instance_log_lines WHERE instance_id IN (SELECT id FROM instances WHERE owner_id = ${ownerId}::uuid)`;
    return moved.map((m) => m.instance);
  }
}
