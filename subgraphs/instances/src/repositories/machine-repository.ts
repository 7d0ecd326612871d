import { z } from 'zod';
import { enqueueEvent, isUuid, type Role } from '@market/platform';
import { Prisma } from '../generated/prisma/client';
import type { Db, Tx } from '../db';
import { WORKLOAD_FIELDS, type EnvVar, type MachineRecord, type MachineVersionRecord, type MachineWorkload } from '../domain';

const machineSelect = {
  id: true,
  name: true,
  description: true,
  image: true,
  buildContext: true,
  command: true,
  exposedPort: true,
  environment: true,
  volumeMountPath: true,
  cpuLimit: true,
  memoryLimitMb: true,
  healthCheck: true,
  restartPolicy: true,
  maxRestarts: true,
  maxInstancesPerUser: true,
  capacity: true,
  allowedRoles: true,
  version: true,
  retiredAt: true,
  createdAt: true,
  updatedAt: true,
} as const;

const storedEnvironment = z.array(z.object({ name: z.string(), value: z.string() }));
const storedHealthCheck = z
  .object({
    kind: z.enum(['HTTP', 'TCP']),
    path: z.string().nullable(),
    intervalMs: z.number().int(),
    timeoutMs: z.number().int(),
    startTimeoutMs: z.number().int(),
    failureThreshold: z.number().int(),
  })
  .nullable();
/** A version's frozen workload, as machine_versions.spec holds it. */
const storedWorkload = z.object({
  image: z.string().nullable(),
  buildContext: z.string().nullable().default(null),
  command: z.array(z.string()),
  exposedPort: z.number().int().nullable(),
  environment: storedEnvironment,
  volumeMountPath: z.string().nullable(),
  cpuLimit: z.number().nullable(),
  memoryLimitMb: z.number().int().nullable(),
  healthCheck: storedHealthCheck.default(null),
  restartPolicy: z.enum(['NEVER', 'ON_FAILURE', 'ALWAYS']).default('NEVER'),
  maxRestarts: z.number().int().default(3),
});

type MachineRow = Omit<MachineRecord, 'environment' | 'healthCheck'> & { environment: unknown; healthCheck: unknown };

function toMachine(row: MachineRow): MachineRecord {
  return { ...row, environment: storedEnvironment.parse(row.environment), healthCheck: storedHealthCheck.parse(row.healthCheck ?? null) };
}

export function workloadOf(machine: MachineWorkload): MachineWorkload {
  return Object.fromEntries(WORKLOAD_FIELDS.map((k) => [k, machine[k]])) as unknown as MachineWorkload;
}

export interface NewMachine extends MachineWorkload {
  name: string;
  description: string | null;
  maxInstancesPerUser: number;
  capacity: number;
  allowedRoles: Role[];
}

/** An edit: only the fields given change. */
export type MachineChanges = Partial<Omit<NewMachine, 'name'>>;

const json = (value: unknown) => JSON.parse(JSON.stringify(value)) as object;

function toColumns(input: Partial<NewMachine>) {
  const { environment, healthCheck, ...rest } = input;
  return {
    ...rest,
    ...(environment === undefined ? {} : { environment: environment.map(({ name, value }: EnvVar) => ({ name, value })) }),
    // Prisma writes SQL NULL into a Json? column only as DbNull; undefined leaves it alone.
    ...(healthCheck === undefined ? {} : { healthCheck: healthCheck === null ? Prisma.DbNull : json(healthCheck) }),
  };
}

export class MachineRepository {
  // A transaction will do as well: allocation reads the machine it has locked.
  constructor(private readonly db: Pick<Db, 'machine' | 'machineVersion'> & Partial<Pick<Db, '$transaction'>>) {}

  async findByIds(ids: readonly string[]): Promise<MachineRecord[]> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return [];
    const rows = await this.db.machine.findMany({ where: { id: { in: valid } }, select: machineSelect });
    return rows.map(toMachine);
  }

  /** The catalog by name; retired machines only when asked. */
  async list(options: { includeRetired: boolean } = { includeRetired: true }): Promise<MachineRecord[]> {
    const rows = await this.db.machine.findMany({
      where: options.includeRetired ? {} : { retiredAt: null },
      select: machineSelect,
      orderBy: { name: 'asc' },
    });
    return rows.map(toMachine);
  }

  /** The workload of one version of a machine (what an instance created at that version runs). */
  async findVersion(machineId: string, version: number): Promise<MachineVersionRecord | null> {
    if (!isUuid(machineId)) return null;
    const [machine, row] = await Promise.all([
      this.db.machine.findUnique({ where: { id: machineId }, select: { id: true, name: true } }),
      this.db.machineVersion.findUnique({ where: { machineId_version: { machineId, version } }, select: { spec: true } }),
    ]);
    if (!machine || !row) return null;
    return { id: machine.id, name: machine.name, version, ...storedWorkload.parse(row.spec) };
  }

  /**
   * Returns null when the name is taken (the unique indexes decide, not a prior read). Version 1 and
   * the `instances.machine.upserted` event (other domains learn the catalog from it) commit with it.
   */
  async create(input: NewMachine): Promise<MachineRecord | null> {
    if (!('$transaction' in this.db)) throw new Error('MachineRepository.create runs on the client, not inside a transaction');
    try {
      return await this.transaction(async (tx) => {
        const created = toMachine(await tx.machine.create({ data: toColumns(input) as never, select: machineSelect }));
        await tx.machineVersion.create({ data: { machineId: created.id, version: 1, spec: json(workloadOf(created)) } });
        await enqueueEvent(tx, 'instances.machine.upserted', created.id, { machineId: created.id, name: created.name });
        return created;
      });
    } catch (err) {
      if ((err as { code?: string }).code === 'P2002') return null;
      throw err;
    }
  }

  /**
   * Edits a machine under its row lock: when the workload changes, the version goes up by one and the
   * new workload is frozen as that version (instances already created keep theirs). Null when there is none.
   */
  async update(id: string, changes: MachineChanges): Promise<MachineRecord | null> {
    if (!isUuid(id)) return null;
    return this.transaction(async (tx) => {
      const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM machines WHERE id = ${id}::uuid FOR UPDATE`;
      if (locked.length === 0) return null;
      const [current] = await new MachineRepository(tx).findByIds([id]);
      if (!current) return null;
      const next = { ...current, ...changes } as MachineRecord;
      const workloadChanged = JSON.stringify(workloadOf(next)) !== JSON.stringify(workloadOf(current));
      const version = current.version + (workloadChanged ? 1 : 0);
      const updated = toMachine(
        await tx.machine.update({ where: { id }, data: { ...toColumns(changes), version } as never, select: machineSelect }),
      );
      if (workloadChanged) await tx.machineVersion.create({ data: { machineId: id, version, spec: json(workloadOf(updated)) } });
      return updated;
    });
  }

  /** Retires a machine (no new instances); already retired stays as it was. Null when there is none. */
  async retire(id: string): Promise<MachineRecord | null> {
    if (!isUuid(id)) return null;
    await this.db.machine.updateMany({ where: { id, retiredAt: null }, data: { retiredAt: new Date() } });
    const [machine] = await this.findByIds([id]);
    return machine ?? null;
  }

  /**
   * Deletes a retired machine that runs nothing any more: its versions and its REMOVED instances (with
   * their log lines) go with it, and `instances.machine.deleted` commits with the delete, so other
   * domains drop what they hold about it (engagement its comments, reactions and feedback). The row
   * lock keeps a concurrent edit or allocation out until the outcome is decided.
   */
  async delete(
    id: string,
  ): Promise<{ kind: 'deleted' } | { kind: 'not-found' } | { kind: 'not-retired' } | { kind: 'in-use'; instances: number }> {
    if (!isUuid(id)) return { kind: 'not-found' };
    return this.transaction(async (tx) => {
      const locked = await tx.$queryRaw<{ retired: boolean }[]>`
        SELECT retired_at IS NOT NULL AS retired FROM machines WHERE id = ${id}::uuid FOR UPDATE`;
      if (locked.length === 0) return { kind: 'not-found' as const };
      if (!locked[0]!.retired) return { kind: 'not-retired' as const };
      const live = await tx.instance.count({ where: { machineId: id, status: { not: 'REMOVED' } } });
      if (live > 0) return { kind: 'in-use' as const, instances: live };
      await tx.instance.deleteMany({ where: { machineId: id } });
      await tx.machine.delete({ where: { id } });
      await enqueueEvent(tx, 'instances.machine.deleted', id, { machineId: id });
      return { kind: 'deleted' as const };
    });
  }

  private transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    if (!this.db.$transaction) throw new Error('MachineRepository: writes need the database client, not a transaction');
    return this.db.$transaction((tx) => work(tx));
  }
}
