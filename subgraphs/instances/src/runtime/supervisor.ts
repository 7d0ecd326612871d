import { randomUUID } from 'node:crypto';
import type { Logger } from '@market/platform';
import { LIVE_STATUSES, type InstanceRecord, type InstanceStatus, type MachineRecord, type MachineVersionRecord } from '../domain';
import type { InstanceFeed } from '../live/instance-feed';
import type { InstanceRepository, Transition, TransitionChanges } from '../repositories/instance-repository';
import type { MachineRepository } from '../repositories/machine-repository';
import type { LogRecorder } from './log-recorder';
import { probe } from './health';
import { RuntimeError, type InstanceRuntime, type InstanceSpec, type Workload, type WorkloadExit } from './port';
import type { RuntimeRegistry } from './index';

export interface SupervisorOptions {
  /** This server runs (and reconciles) the instances of this host. */
  host: string;
  stopGraceMs: number;
  logger: Logger;
  /**
   * How long a replica's lease on supervising an instance lasts without renewal (the reconciler
   * renews it every pass, so it must be well above INSTANCE_RECONCILE_INTERVAL_MS).
   */
  leaseTtlMs?: number;
}

/** A workload this server started or re-attached to, and watches until it exits. */
interface Watched {
  workload: Workload;
  runtime: InstanceRuntime;
  spec: InstanceSpec;
  /** Set before this server stops it: the exit is then the stop's outcome, not a failure. */
  stopRequested: boolean;
  /** Settles once every line it wrote is queued for storage. */
  logsRead: Promise<void>;
  /** How it exited, once it has. */
  exit: WorkloadExit | null;
  /** The health monitor's timer while it is RUNNING or UNHEALTHY with a health check. */
  monitor: NodeJS.Timeout | null;
  /** Failed probes in a row. */
  failures: number;
}

/** What the owner asked for beyond the recorded status. */
interface Intent {
  /** Start again once stopped. */
  restart: boolean;
}

/** The exact reason recorded for instances whose workload vanished while this service was down. */
export const LOST_ON_RESTART = 'lost on restart';
const VOLUME_SIZE_TTL_MS = 10_000;
const DEFAULT_LEASE_TTL_MS = 30_000;
/** Statuses in which a workload this replica watches may keep running. */
const RUN_STATUSES: readonly InstanceStatus[] = ['STARTING', 'RUNNING', 'UNHEALTHY'];
const INTERNAL_START_FAILURE = 'The runtime could not start it (an internal error; the operators have the details).';

/**
 * Makes what runs match what is recorded. Statuses are written by atomic transitions (see
 * InstanceRepository.transition); the supervisor then does the runtime work they call for (start,
 * stop, release), one operation at a time per instance, re-reading the status before each step, so
 * requests that interleave still end with the runtime in the state last recorded. It records what
 * the runtime reports back: running, exited (FAILED with the exit code unless a stop was asked), gone.
 */
export class InstanceSupervisor {
  private readonly watched = new Map<string, Watched>();
  /** The tail of each instance's queue of runtime work. */
  private readonly queues = new Map<string, Promise<void>>();
  /** Instances whose status a request is changing right now (their work is about to be queued). */
  private readonly claimed = new Map<string, number>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly volumeSizes = new Map<string, { at: number; bytes: Promise<number | null> }>();
  private closing = false;
  /** This replica, as the holder of instance leases. */
  readonly replicaId = `${process.pid}:${randomUUID()}`;

  constructor(
    private readonly instances: InstanceRepository,
    private readonly machines: MachineRepository,
    private readonly runtimes: RuntimeRegistry,
    private readonly recorder: LogRecorder,
    private readonly feed: InstanceFeed,
    private readonly options: SupervisorOptions,
  ) {}

  private get logger(): Logger {
    return this.options.logger;
  }

  // ---- what requests use -------------------------------------------------------------------

  /**
   * Writes a transition an owner asked for and, when it happened, queues the runtime work it calls
   * for. Resolves with the transition (null when the status allowed none) without waiting for that work.
   */
  async request(id: string, transition: () => Promise<Transition | null>, intent: Partial<Intent> = {}): Promise<Transition | null> {
    const release = this.claim(id);
    try {
      const moved = await transition();
      if (moved) this.follow(moved.instance, intent);
      return moved;
    } finally {
      release();
    }
  }

  /**
   * Marks an instance as being changed by a request until the returned function is called: the
   * reconciler leaves it alone meanwhile (its runtime work is about to be queued).
   */
  claim(id: string): () => void {
    this.claimed.set(id, (this.claimed.get(id) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.claimed.get(id) ?? 1) - 1;
      if (left === 0) this.claimed.delete(id);
      else this.claimed.set(id, left);
    };
  }

  /** Publishes a status a request wrote and queues the runtime work it calls for. */
  follow(instance: InstanceRecord, intent: Partial<Intent> = {}): void {
    this.feed.publishStatus(instance);
    this.background(instance.id, () => this.converge(instance.id, { restart: intent.restart ?? false }));
  }

  /**
   * Removes an instance: REMOVED is recorded at once (with its event), then its workload is stopped
   * and released (its volume deleted when asked) before this resolves. Its port is handed out again
   * only once that is done. Null when it was already removed.
   */
  async remove(id: string, deleteVolume: boolean, from: readonly InstanceStatus[]): Promise<InstanceRecord | null> {
    return this.serialize(id, async () => {
      const moved = await this.move(id, from, 'REMOVED', { deleteVolume });
      if (!moved) return null;
      try {
        await this.release(moved.instance);
      } catch (err) {
        // Recorded as removed all the same; the reconciler releases it later.
        this.logger.error({ err, instanceId: id }, 'could not release a removed instance yet');
      }
      return (await this.instances.findById(id)) ?? moved.instance;
    });
  }

  /** Bytes in the instance's volume, measured at most every few seconds; null when it has none. */
  volumeSizeBytes(instance: InstanceRecord, machine: MachineRecord): Promise<number | null> {
    if (instance.status === 'REMOVED' && instance.deleteVolume && instance.releasedAt) return Promise.resolve(null);
    if (!this.runtimes.has(instance.driver)) return Promise.resolve(null);
    const cached = this.volumeSizes.get(instance.id);
    if (cached && Date.now() - cached.at < VOLUME_SIZE_TTL_MS) return cached.bytes;
    const bytes = this.runtimes
      .for(instance.driver)
      .volumeSizeBytes(this.specOf(instance, { ...machine, version: instance.machineVersion }))
      .catch((err: unknown) => {
        this.logger.warn({ err, instanceId: instance.id }, 'could not measure an instance volume');
        return null;
      });
    this.volumeSizes.set(instance.id, { at: Date.now(), bytes });
    if (this.volumeSizes.size > 10_000) this.volumeSizes.delete(this.volumeSizes.keys().next().value as string);
    return bytes;
  }

  /** Resolves once no runtime work is under way (tests and shutdown wait for it). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  // ---- what the reconciler uses ------------------------------------------------------------

  /**
   * Compares what is recorded for this host with what runs. A live instance nobody here watches is
   * inspected: re-attached when its workload still runs, FAILED (with its exit code when known) when
   * it is gone: "lost on restart" at start-up. Removed instances not yet released are released;
   * workloads whose instance should no longer run are stopped.
   */
  async reconcile(options: { startup: boolean }): Promise<void> {
    const live = await this.instances.findOnHost(this.options.host, LIVE_STATUSES);
    for (const instance of live) {
      if (this.busy(instance.id) || this.watched.has(instance.id)) continue;
      this.background(instance.id, () => this.check(instance.id, options.startup));
    }
    await this.releaseRemoved();
    const watchedIds = [...this.watched.keys()];
    if (watchedIds.length > 0) {
      const lost = await this.instances.renewLeases(watchedIds, this.replicaId, this.leaseTtlMs);
      if (lost.length > 0) this.logger.warn({ instanceIds: lost }, 'lost the lease on watched instances (renewed too late?)');
      const current = await this.instances.findByIds(watchedIds);
      for (const instance of current) {
        // A stop (or removal) written by another replica: this one holds the workload, so it acts.
        if (!RUN_STATUSES.includes(instance.status) && !this.busy(instance.id)) {
          this.background(instance.id, () => this.converge(instance.id, { restart: false }));
        }
      }
    }
  }

  /** Releases the removed instances of this host whose workload or volume is still there. */
  async releaseRemoved(): Promise<void> {
    const pending = await this.instances.findUnreleased(this.options.host);
    await Promise.all(
      pending.map((instance) =>
        this.serialize(instance.id, async () => {
          const fresh = await this.instances.findById(instance.id);
          if (fresh?.status === 'REMOVED' && !fresh.releasedAt) await this.release(fresh);
        }).catch((err: unknown) => this.logger.error({ err, instanceId: instance.id }, 'could not release a removed instance')),
      ),
    );
  }

  /**
   * Local processes end with this service: they are stopped and recorded STOPPED. Containers keep
   * running (they are re-attached at the next start); only their watch ends.
   */
  async close(): Promise<void> {
    this.closing = true;
    await this.idle();
    for (;;) {
      const processes = [...this.watched].filter(([, w]) => w.runtime.driver === 'PROCESS');
      for (const [id, w] of this.watched) {
        if (w.runtime.driver === 'PROCESS') continue;
        // Its exit is no longer this process's to record (the next one adopts the container).
        w.stopRequested = true;
        this.stopMonitor(w);
        w.workload.detach();
        // Another replica may adopt the container at once.
        await this.instances.releaseLease(id, this.replicaId).catch(() => undefined);
      }
      if (processes.length === 0) break;
      for (const [id] of processes) {
        this.background(id, async () => {
          await this.move(id, RUN_STATUSES, 'STOPPING');
          await this.converge(id, { restart: false });
        });
      }
      await this.idle();
    }
    this.watched.clear();
    await this.recorder.close();
  }

  // ---- the work ----------------------------------------------------------------------------

  private busy(id: string): boolean {
    return this.queues.has(id) || this.claimed.has(id);
  }

  /** Runs `work` after every earlier piece of work on the same instance. */
  private serialize<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(id) ?? Promise.resolve();
    const result = previous.then(work);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(id, tail);
    void tail.then(() => {
      if (this.queues.get(id) === tail) this.queues.delete(id);
    });
    this.inFlight.add(tail);
    void tail.then(() => this.inFlight.delete(tail));
    return result;
  }

  private background(id: string, work: () => Promise<void>): void {
    this.serialize(id, work).catch((err: unknown) => this.logger.error({ err, instanceId: id }, 'instance runtime work failed'));
  }

  private async move(
    id: string,
    from: readonly InstanceStatus[],
    to: InstanceStatus,
    changes: TransitionChanges = {},
  ): Promise<Transition | null> {
    const moved = await this.instances.transition(id, from, to, changes);
    if (moved) this.feed.publishStatus(moved.instance);
    return moved;
  }

  /** Does what the recorded status calls for, step by step, until the runtime matches it. */
  private async converge(id: string, intent: Intent): Promise<void> {
    for (let step = 0; step < 10; step++) {
      const instance = await this.instances.findById(id);
      if (!instance) return;
      const watched = this.watched.get(id);
      switch (instance.status) {
        case 'STARTING': {
          if (!watched) {
            // Exactly one replica starts and watches an instance: the one holding its lease.
            if (!(await this.lease(id))) return;
            const failure = await this.launch(instance);
            if (failure !== null) {
              await this.move(id, ['STARTING'], 'FAILED', { failureReason: failure, exitCode: null, ...this.forgetPid(instance) });
              await this.unlease(id);
              continue;
            }
          }
          const current = this.watched.get(id);
          if (current?.spec.machine.healthCheck) {
            const verdict = await this.awaitHealthy(id, current);
            // It exited (its exit is queued and recorded next) or its status changed: look again later.
            if (verdict === 'exited') return;
            if (verdict === 'moved') continue;
            if (verdict !== 'healthy') {
              const exit = await this.halt(instance, current);
              await this.move(id, ['STARTING'], 'FAILED', {
                failureReason: verdict,
                exitCode: exit?.exitCode ?? null,
                ...this.forgetPid(instance),
              });
              continue;
            }
          }
          const ref = current?.workload.ref ?? instance.runtimeRef;
          if (await this.move(id, ['STARTING'], 'RUNNING', { runtimeRef: ref })) {
            if (current) this.startMonitor(id, current);
            return;
          }
          continue;
        }
        case 'STOPPING': {
          const exit = await this.halt(instance, watched);
          const stopped = await this.move(id, ['STOPPING'], 'STOPPED', { exitCode: exit?.exitCode ?? null, ...this.forgetPid(instance) });
          // The status changed meanwhile: look again.
          if (!stopped) continue;
          if (!intent.restart) return;
          intent.restart = false;
          if (await this.move(id, ['STOPPED'], 'STARTING', { failureReason: null, exitCode: null })) continue;
          return;
        }
        case 'RUNNING':
        case 'UNHEALTHY':
          // Watched here (its exit is handled), or the reconciler's to check.
          return;
        case 'REMOVED':
          if (!instance.releasedAt) await this.release(instance);
          return;
        default:
          // REQUESTED, STOPPED, FAILED: nothing of it may run.
          if (watched) await this.halt(instance, watched);
          return;
      }
    }
    this.logger.warn({ instanceId: id }, 'instance status kept changing; the reconciler will look again');
  }

  /** Starts the instance's workload and watches it; the failure reason when it could not start. */
  private async launch(instance: InstanceRecord): Promise<string | null> {
    if (this.closing) return 'The instances service was shutting down.';
    try {
      const runtime = this.runtimes.for(instance.driver);
      const spec = await this.spec(instance);
      const ref = await runtime.create(spec, instance.runtimeRef);
      if (ref !== null && ref !== instance.runtimeRef) await this.instances.setRuntimeRef(instance.id, ref);
      const workload = await runtime.start(spec, ref);
      this.watch(instance.id, runtime, spec, workload);
      return null;
    } catch (err) {
      if (err instanceof RuntimeError) return err.message;
      this.logger.error({ err, instanceId: instance.id }, 'instance failed to start');
      return INTERNAL_START_FAILURE;
    }
  }

  private watch(id: string, runtime: InstanceRuntime, spec: InstanceSpec, workload: Workload): Watched {
    const watched: Watched = {
      workload,
      runtime,
      spec,
      stopRequested: false,
      logsRead: Promise.resolve(),
      exit: null,
      monitor: null,
      failures: 0,
    };
    void workload.exited.then((exit) => {
      watched.exit = exit;
      this.stopMonitor(watched);
    });
    watched.logsRead = (async () => {
      try {
        for await (const line of workload.logs) await this.recorder.add({ instanceId: id, ...line });
      } catch (err) {
        this.logger.warn({ err, instanceId: id }, 'stopped reading an instance log');
      }
    })();
    this.watched.set(id, watched);
    void workload.exited.then((exit) => this.background(id, () => this.exited(id, watched, exit)));
    return watched;
  }

  /** A watched workload exited: FAILED with its exit code, unless this server stopped it. */
  private async exited(id: string, watched: Watched, exit: WorkloadExit): Promise<void> {
    await watched.logsRead;
    await this.recorder.flush();
    if (this.watched.get(id) === watched) this.watched.delete(id);
    if (watched.stopRequested) return;
    const reason = exit.reason ?? (exit.signal ? `It was killed by ${exit.signal}.` : `It exited with code ${exit.exitCode ?? 'unknown'}.`);
    const failed = await this.move(id, RUN_STATUSES, 'FAILED', {
      failureReason: reason,
      exitCode: exit.exitCode,
      ...(watched.runtime.driver === 'PROCESS' ? { runtimeRef: null } : {}),
    });
    const { restartPolicy, maxRestarts } = watched.spec.machine;
    const restart =
      failed !== null &&
      !this.closing &&
      failed.instance.restartCount < maxRestarts &&
      (restartPolicy === 'ALWAYS' || (restartPolicy === 'ON_FAILURE' && exit.exitCode !== 0));
    if (restart && (await this.move(id, ['FAILED'], 'STARTING', { restartCount: failed.instance.restartCount + 1 }))) {
      // Still this replica's: it starts it again under the lease it holds.
      await this.converge(id, { restart: false });
      return;
    }
    await this.unlease(id);
  }

  // ---- health ------------------------------------------------------------------------------

  /**
   * Probes a starting workload until it passes ('healthy'), exits ('exited'), its status moves on
   * ('moved'), or its start timeout ends (the failure reason).
   */
  private async awaitHealthy(id: string, watched: Watched): Promise<'healthy' | 'exited' | 'moved' | string> {
    const check = watched.spec.machine.healthCheck;
    if (!check) return 'healthy';
    const deadline = Date.now() + check.startTimeoutMs;
    let last: string | null = 'no probe yet';
    for (;;) {
      if (watched.exit) return 'exited';
      last = await probe(watched.spec.host, watched.spec.port, check);
      if (last === null) return 'healthy';
      if (watched.exit) return 'exited';
      if (Date.now() >= deadline) return `Its health check did not pass within ${Math.round(check.startTimeoutMs / 1000)} s (${last}).`;
      await sleep(Math.min(check.intervalMs, 250, Math.max(0, deadline - Date.now())));
      const now = await this.instances.findById(id);
      if (now?.status !== 'STARTING') return 'moved';
    }
  }

  /** Probes a RUNNING workload every interval: UNHEALTHY after `failureThreshold` failures in a row, RUNNING again on a pass. */
  private startMonitor(id: string, watched: Watched): void {
    const check = watched.spec.machine.healthCheck;
    if (!check || watched.monitor || watched.exit || this.closing) return;
    let probing = false;
    watched.monitor = setInterval(() => {
      if (probing || watched.exit || this.busy(id)) return;
      probing = true;
      void probe(watched.spec.host, watched.spec.port, check)
        .then((result) => {
          if (watched.exit || this.watched.get(id) !== watched) return;
          watched.failures = result === null ? 0 : watched.failures + 1;
          if (result === null) {
            this.background(id, async () => void (await this.move(id, ['UNHEALTHY'], 'RUNNING', { failureReason: null })));
          } else if (watched.failures === check.failureThreshold) {
            const reason = `Its health check failed ${check.failureThreshold} time(s) in a row: ${result}.`;
            this.background(id, async () => void (await this.move(id, ['RUNNING'], 'UNHEALTHY', { failureReason: reason })));
          }
        })
        .finally(() => {
          probing = false;
        });
    }, check.intervalMs);
    watched.monitor.unref();
  }

  private stopMonitor(watched: Watched): void {
    if (watched.monitor) clearInterval(watched.monitor);
    watched.monitor = null;
  }

  // ---- leases ------------------------------------------------------------------------------

  private get leaseTtlMs(): number {
    return this.options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
  }

  /** Takes or renews this replica's lease on the instance; false when another replica supervises it. */
  private lease(id: string): Promise<boolean> {
    return this.instances.acquireLease(id, this.replicaId, this.leaseTtlMs);
  }

  private async unlease(id: string): Promise<void> {
    await this.instances
      .releaseLease(id, this.replicaId)
      .catch((err: unknown) => this.logger.warn({ err, instanceId: id }, 'could not give up an instance lease'));
  }

  /** Stops the instance's workload (watched here, or known by its handle); how it exited, when known. */
  private async halt(instance: InstanceRecord, watched: Watched | undefined): Promise<WorkloadExit | null> {
    if (watched) {
      watched.stopRequested = true;
      this.stopMonitor(watched);
      await watched.runtime.stop(watched.spec, watched.workload.ref, this.options.stopGraceMs);
      const exit = await watched.workload.exited;
      await watched.logsRead;
      await this.recorder.flush();
      if (this.watched.get(instance.id) === watched) this.watched.delete(instance.id);
      await this.unlease(instance.id);
      return exit;
    }
    if (!instance.runtimeRef || !this.runtimes.has(instance.driver)) return null;
    const runtime = this.runtimes.for(instance.driver);
    const spec = await this.spec(instance);
    await runtime.stop(spec, instance.runtimeRef, this.options.stopGraceMs);
    const state = await runtime.inspect(spec, instance.runtimeRef);
    return state.state === 'exited' ? { exitCode: state.exitCode, signal: null, reason: state.reason ?? null } : null;
  }

  /** Stops whatever still runs of a removed instance, releases it (and its volume when asked), and records that. */
  private async release(instance: InstanceRecord): Promise<void> {
    await this.halt(instance, this.watched.get(instance.id));
    if (this.runtimes.has(instance.driver)) {
      const runtime = this.runtimes.for(instance.driver);
      await runtime.remove(await this.spec(instance), instance.runtimeRef, { deleteVolume: instance.deleteVolume });
    }
    await this.instances.markReleased(instance.id);
    this.volumeSizes.delete(instance.id);
  }

  /** A live instance nobody here watches: re-attach to its workload, or record that it is gone. */
  private async check(id: string, startup: boolean): Promise<void> {
    const instance = await this.instances.findById(id);
    if (!instance || !LIVE_STATUSES.includes(instance.status) || this.watched.has(id)) return;
    // Another replica supervises it (and renews its lease): not this one's to judge.
    if (!(await this.lease(id))) return;
    let state: Awaited<ReturnType<InstanceRuntime['inspect']>> = { state: 'missing' };
    if (instance.runtimeRef && this.runtimes.has(instance.driver)) {
      const runtime = this.runtimes.for(instance.driver);
      const spec = await this.spec(instance);
      state = await runtime.inspect(spec, instance.runtimeRef);
      if (state.state === 'running') {
        // Docker can be re-attached (logs, exit); an orphaned process can only be inspected again next time.
        const workload = await runtime.attach(spec, instance.runtimeRef);
        if (workload) {
          const watched = this.watch(id, runtime, spec, workload);
          if (instance.status === 'RUNNING' || instance.status === 'UNHEALTHY') this.startMonitor(id, watched);
          else await this.converge(id, { restart: false });
          return;
        }
        if (instance.status === 'RUNNING' || instance.status === 'UNHEALTHY') return;
        // Caught half-way through a start or a stop it cannot be watched through: stop it, record the outcome.
        await runtime.stop(spec, instance.runtimeRef, this.options.stopGraceMs);
        state = await runtime.inspect(spec, instance.runtimeRef);
      }
    }
    const exitCode = state.state === 'exited' ? state.exitCode : null;
    if (instance.status === 'STARTING' && !startup) {
      // Recorded as starting and nobody (holding its lease) starts it: a start written by a replica
      // that has not got to it yet, or one that went away. This replica now holds the lease: it starts it.
      await this.converge(id, { restart: false });
      return;
    }
    if (instance.status === 'STOPPING') {
      await this.move(id, ['STOPPING'], 'STOPPED', { exitCode, ...this.forgetPid(instance) });
      await this.unlease(id);
      return;
    }
    const reason =
      state.state === 'exited' && state.reason
        ? state.reason
        : startup
          ? LOST_ON_RESTART
          : exitCode === null
            ? 'Its workload is gone (exit code unknown).'
            : `It exited with code ${exitCode}.`;
    await this.move(id, RUN_STATUSES, 'FAILED', { failureReason: reason, exitCode, ...this.forgetPid(instance) });
    await this.unlease(id);
  }

  /** A process id means nothing once the process is gone (and may be reused); a container id stays. */
  private forgetPid(instance: InstanceRecord): TransitionChanges {
    return instance.driver === 'PROCESS' ? { runtimeRef: null } : {};
  }

  /** What the instance runs: the machine version it was created with, not the machine's latest. */
  private async spec(instance: InstanceRecord): Promise<InstanceSpec> {
    const machine = await this.machines.findVersion(instance.machineId, instance.machineVersion);
    // The foreign key keeps every instance's machine in place, and versions are never deleted.
    if (!machine) throw new RuntimeError(`Version ${instance.machineVersion} of the machine of instance ${instance.id} is gone.`);
    return this.specOf(instance, machine);
  }

  private specOf(instance: InstanceRecord, machine: MachineVersionRecord): InstanceSpec {
    return { instanceId: instance.id, ownerId: instance.ownerId, host: instance.host, port: instance.port, machine };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
