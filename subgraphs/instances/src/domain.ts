import type { Role } from '@market/platform';

export interface EnvVar {
  name: string;
  value: string;
}

/** A catalog entry: what runs, with which limits, for whom. */
export interface MachineRecord {
  id: string;
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
  createdAt: Date;
}

export const INSTANCE_STATUSES = ['REQUESTED', 'STARTING', 'RUNNING', 'STOPPING', 'STOPPED', 'FAILED', 'REMOVED'] as const;
export type InstanceStatus = (typeof INSTANCE_STATUSES)[number];

export interface InstanceRecord {
  id: string;
  machineId: string;
  ownerId: string;
  status: InstanceStatus;
  host: string;
  port: number;
  failureReason: string | null;
  exitCode: number | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A user of the accounts subgraph, known here by id only. */
export interface UserRef {
  id: string;
}

/** The ports instances are handed out from, on one host; both ends inclusive. */
export interface PortPool {
  host: string;
  first: number;
  last: number;
}

export interface QuotaExceededOutcome {
  kind: 'quotaExceeded';
  machine: MachineRecord;
  limit: number;
}

export interface CapacityExhaustedOutcome {
  kind: 'capacityExhausted';
  machine: MachineRecord;
  capacity: number;
}

export interface NoPortAvailableOutcome {
  kind: 'noPortAvailable';
  host: string;
}

/** What asking for an instance can lead to, besides a fault. */
export type AllocationOutcome =
  | { kind: 'allocated'; instance: InstanceRecord }
  | QuotaExceededOutcome
  | CapacityExhaustedOutcome
  | NoPortAvailableOutcome;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids come from clients; one that is not a uuid names nothing (and must never reach a uuid column). */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}
