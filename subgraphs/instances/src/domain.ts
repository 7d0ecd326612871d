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

/** Which driver runs an instance: a Docker container from the machine's image, or a local process from its command. */
export type RuntimeDriver = 'DOCKER' | 'PROCESS';

export interface InstanceRecord {
  id: string;
  machineId: string;
  ownerId: string;
  status: InstanceStatus;
  host: string;
  port: number;
  driver: RuntimeDriver;
  /** The driver's handle while it has one: a process id or a container id. */
  runtimeRef: string | null;
  failureReason: string | null;
  exitCode: number | null;
  startedAt: Date | null;
  stoppedAt: Date | null;
  removedAt: Date | null;
  /** When the current status began. */
  statusChangedAt: Date;
  /** Time spent RUNNING before the current status. */
  uptimeMs: number;
  /** Time spent meant to run but not running (REQUESTED, STARTING, FAILED) before the current status. */
  downtimeMs: number;
  /** REMOVED only: its volume goes too. */
  deleteVolume: boolean;
  /** REMOVED only: when its process or container (and volume, if asked) were released; null while pending. */
  releasedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** One line an instance wrote; its id orders the lines of an instance and is the cursor clients resume from. */
export interface InstanceLogLineRecord {
  id: string;
  instanceId: string;
  stream: LogStream;
  line: string;
  at: Date;
}

export type LogStream = 'STDOUT' | 'STDERR';

/** Statuses in which an instance is meant to have a live process or container. */
export const LIVE_STATUSES: readonly InstanceStatus[] = ['STARTING', 'RUNNING', 'STOPPING'];

/** Statuses whose time counts as downtime: the owner asked for it to run and it does not (yet). */
export const DOWN_STATUSES: readonly InstanceStatus[] = ['REQUESTED', 'STARTING', 'FAILED'];

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

/** One page of an instance's log lines, oldest first. */
export interface InstanceLogLinePage {
  lines: InstanceLogLineRecord[];
  hasNextPage: boolean;
}
