import { z } from 'zod';
import type { Db } from '../db';
import { enqueueEvent, isUuid, type Role } from '@market/platform';
import type { EnvVar, MachineRecord } from '../domain';

const machineSelect = {
  id: true,
  name: true,
  description: true,
  image: true,
  command: true,
  exposedPort: true,
  environment: true,
  volumeMountPath: true,
  cpuLimit: true,
  memoryLimitMb: true,
  maxInstancesPerUser: true,
  capacity: true,
  allowedRoles: true,
  createdAt: true,
} as const;

const storedEnvironment = z.array(z.object({ name: z.string(), value: z.string() }));

type MachineRow = Omit<MachineRecord, 'environment'> & { environment: unknown };

function toMachine(row: MachineRow): MachineRecord {
  return { ...row, environment: storedEnvironment.parse(row.environment) };
}

export interface NewMachine {
  name: string;
  description: string | null;
  image: string | null;
  command: string[];
  exposedPort: number | null;
  environment: EnvVar[];
  volumeMountPath: string | null;
  cpuLimit: number | null;
  memoryLimitMb: number | null;
  maxInstancesPerUser: number;
  capacity: number;
  allowedRoles: Role[];
}

export class MachineRepository {
  // A transaction will do as well: allocation reads the machine it has locked.
  constructor(private readonly db: Pick<Db, 'machine'> | Db) {}

  async findByIds(ids: readonly string[]): Promise<MachineRecord[]> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return [];
    const rows = await this.db.machine.findMany({ where: { id: { in: valid } }, select: machineSelect });
    return rows.map(toMachine);
  }

  async list(): Promise<MachineRecord[]> {
    const rows = await this.db.machine.findMany({ select: machineSelect, orderBy: { name: 'asc' } });
    return rows.map(toMachine);
  }

  /**
   * Returns null when the name is taken (the unique indexes decide, not a prior read). The machine
   * and its `instances.machine.upserted` event (other domains learn the catalog from it) commit together.
   */
  async create(input: NewMachine): Promise<MachineRecord | null> {
    if (!('$transaction' in this.db)) throw new Error('MachineRepository.create runs on the client, not inside a transaction');
    try {
      const environment = input.environment.map(({ name, value }) => ({ name, value }));
      return await this.db.$transaction(async (tx) => {
        const machine = toMachine(await tx.machine.create({ data: { ...input, environment }, select: machineSelect }));
        await enqueueEvent(tx, 'instances.machine.upserted', machine.id, { machineId: machine.id, name: machine.name });
        return machine;
      });
    } catch (err) {
      if ((err as { code?: string }).code === 'P2002') return null;
      throw err;
    }
  }
}
