import type { Role } from '@market/platform';

export interface EnvVar {
  name: string;
  value: string;
}

export type HealthCheckKind = 'HTTP' | 'TCP';

/** How the supervisor tells that a workload serves: an HTTP GET answering 2xx/3xx, or a TCP connect, on its port. */
export interface HealthCheck {
  kind: HealthCheckKind;
  /** HTTP only: the path asked for. */
  path: string | null;
  /** Between probes once RUNNING (and between attempts while STARTING). */
  intervalMs: number;
  /** One probe's time limit. */
  timeoutMs: number;
  /** How long a start may take to pass its first probe before the instance is FAILED. */
  startTimeoutMs: number;
  /** Failed probes in a row that make a RUNNING instance UNHEALTHY. */
  failureThreshold: number;
}

export type RestartPolicy = 'NEVER' | 'ON_FAILURE' | 'ALWAYS';

/** What runs: the part of a machine each version freezes, and what a runtime driver is given. */
export interface MachineWorkload {
  image: string | null;
  /** A directory of the repository with a Dockerfile, built on the engine when the image is not there. */
  buildContext: string | null;
  command: string[];
  exposedPort: number | null;
  environment: EnvVar[];
  volumeMountPath: string | null;
  cpuLimit: number | null;
  memoryLimitMb: number | null;
  healthCheck: HealthCheck | null;
  restartPolicy: RestartPolicy;
  maxRestarts: number;
}

export const WORKLOAD_FIELDS = [
  'image',
  'buildContext',
  'command',
  'exposedPort',
  'environment',
  'volumeMountPath',
  'cpuLimit',
  'memoryLimitMb',
  'healthCheck',
  'restartPolicy',
  'maxRestarts',
] as const satisfies readonly (keyof MachineWorkload)[];

/** A catalog entry: what runs (its current version), with which limits, for whom. */
export interface MachineRecord extends MachineWorkload {
  id: string;
  name: string;
  description: string | null;
  maxInstancesPerUser: number;
  capacity: number;
  allowedRoles: Role[];
  /** Bumped by every edit of the workload; instances keep the version they were created with. */
  version: number;
  /** Retired: no new instances. */
  retiredAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** One version of a machine's workload: what its instances of that version run. */
export interface MachineVersionRecord extends MachineWorkload {
  id: string;
  name: string;
  version: number;
}

/** Image or build context → Docker; a command alone → a local process. */
export function driverOf(workload: Pick<MachineWorkload, 'image' | 'buildContext'>): RuntimeDriver {
  return workload.image || workload.buildContext ? 'DOCKER' : 'PROCESS';
}

export const INSTANCE_STATUSES = ['REQUESTED', 'STARTING', 'RUNNING', 'STOPPING', 'STOPPED', 'FAILED', 'REMOVED', 'UNHEALTHY'] as const;
export type InstanceStatus = (typeof INSTANCE_STATUSES)[number];

/** Which driver runs an instance: a Docker container from the machine's image, or a local process from its command. */
export type RuntimeDriver = 'DOCKER' | 'PROCESS';

export interface InstanceRecord {
  id: string;
  machineId: string;
  /** The machine version it runs. */
  machineVersion: number;
  /** Restarts its machine's restart policy made in a row. */
  restartCount: number;
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
export const LIVE_STATUSES: readonly InstanceStatus[] = ['STARTING', 'RUNNING', 'UNHEALTHY', 'STOPPING'];

/** Statuses whose time counts as downtime: the owner asked for it to run and it does not (yet). */
export const DOWN_STATUSES: readonly InstanceStatus[] = ['REQUESTED', 'STARTING', 'FAILED', 'UNHEALTHY'];

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

export interface MachineRetiredOutcome {
  kind: 'machineRetired';
  machine: MachineRecord;
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
  | NoPortAvailableOutcome
  | MachineRetiredOutcome;

/** One page of an instance's log lines, oldest first. */
export interface InstanceLogLinePage {
  lines: InstanceLogLineRecord[];
  hasNextPage: boolean;
  /** Whether the page started after a cursor. */
  hasPreviousPage: boolean;
}
