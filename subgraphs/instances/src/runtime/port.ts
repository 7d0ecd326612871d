import type { LogStream, MachineVersionRecord, RuntimeDriver } from '../domain';

/** What a driver needs to know to run one instance. */
export interface InstanceSpec {
  instanceId: string;
  ownerId: string;
  host: string;
  /** The allocated port: the process listens on it (env PORT); a container's port is published on it. */
  port: number;
  /** The machine version the instance runs. */
  machine: MachineVersionRecord;
}

/** One line a workload wrote, stamped when the driver read it. */
export interface CapturedLine {
  stream: LogStream;
  line: string;
  at: Date;
}

/** How a workload ended. `exitCode` is 128 + the signal's number when a signal ended it; null when unknown. */
export interface WorkloadExit {
  exitCode: number | null;
  signal: string | null;
  /** Set when the runtime knows why it ended beyond its code, e.g. killed for exceeding its memory limit. */
  reason?: string | null;
}

/** The failure reason of a workload its memory limit killed (the same words for every runtime). */
export function memoryKillReason(limitMb: number | null): string {
  return `It was killed for exceeding its memory limit${limitMb === null ? '' : ` of ${limitMb} MiB`}.`;
}

/** A workload this service started (or re-attached to) and watches. */
export interface Workload {
  /** The driver's handle: a process id or a container id. */
  ref: string;
  /** Lines as the workload writes them, in order; ends once it has exited. A slow reader slows the workload's output. */
  logs: AsyncIterable<CapturedLine>;
  /** Settles once the workload has exited; never rejects. */
  exited: Promise<WorkloadExit>;
  /** Stops watching without stopping the workload (the service is shutting down; Docker keeps it running). */
  detach(): void;
}

/** What the driver knows of a workload right now; `missing` when there is nothing under that handle. */
export type WorkloadState =
  { state: 'running' } | { state: 'exited'; exitCode: number | null; reason?: string | null } | { state: 'missing' };

/**
 * The port every runtime driver implements. Drivers never decide statuses: the supervisor does, from
 * what they report. Every method is idempotent where it can be (stopping a stopped workload, removing
 * a removed one, are no-ops), because after a crash the supervisor repeats what it may have done.
 */
export interface InstanceRuntime {
  readonly driver: RuntimeDriver;
  /**
   * Prepares the instance before its first start (its volume; its container for Docker). Returns the
   * handle to keep (a container id) or null when the handle only exists once started (a process id).
   */
  create(spec: InstanceSpec, existingRef: string | null): Promise<string | null>;
  /** Starts it and watches it. Throws RuntimeError when it cannot start at all. */
  start(spec: InstanceSpec, ref: string | null): Promise<Workload>;
  /** Re-attaches to a workload started before this service process did (null when that is impossible). */
  attach(spec: InstanceSpec, ref: string): Promise<Workload | null>;
  /** Asks it to stop (SIGTERM), kills it after `graceMs`; resolves once it is gone. */
  stop(spec: InstanceSpec, ref: string, graceMs: number): Promise<void>;
  /** Releases whatever the instance holds (container; process group leftovers), and its volume when asked. */
  remove(spec: InstanceSpec, ref: string | null, options: { deleteVolume: boolean }): Promise<void>;
  inspect(spec: InstanceSpec, ref: string): Promise<WorkloadState>;
  /** Bytes the instance's volume holds; null when it has none. */
  volumeSizeBytes(spec: InstanceSpec): Promise<number | null>;
}

/** A workload could not be started, for a reason the owner can read (it becomes the failure reason). */
export class RuntimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeError';
  }
}
