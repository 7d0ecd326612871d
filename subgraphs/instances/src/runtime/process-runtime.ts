import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:fs';
import { access, mkdir, opendir, readFile, rm, lstat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { isUuid, type Logger } from '@market/platform';
import type { LogStream } from '../domain';
import { LineChannel, LineSplitter } from './lines';
import { applyLimits, type ProcessLimitsMode } from './process-limits';
import {
  memoryKillReason,
  RuntimeError,
  type CapturedLine,
  type InstanceRuntime,
  type InstanceSpec,
  type Workload,
  type WorkloadExit,
  type WorkloadState,
} from './port';

export interface ProcessRuntimeOptions {
  /** Each instance gets `<dataDir>/<instance id>/volume` as its working directory. */
  dataDir: string;
  /** PATH given to workloads: they never inherit this service's environment (its secrets stay here). */
  path: string;
  logger: Logger;
  /** How memory and CPU limits are enforced (see process-limits.ts); auto by default. */
  limits?: ProcessLimitsMode;
}

/** Names the instance in its process environment, so a process found after a restart can be told apart from a reused pid. */
const INSTANCE_ID_VARIABLE = 'MARKET_INSTANCE_ID';
const HIGH_WATER_LINES = 1000;
/** How long an exited process's pipes may stay open (a leftover child holding them) before they are cut. */
const PIPE_DRAIN_MS = 1000;
const HAS_PROC = existsSync('/proc/self/environ');

interface Child {
  process: ChildProcess;
  exit: WorkloadExit | null;
  exited: Promise<WorkloadExit>;
}

/**
 * Runs a machine's command as a local process (embedded mode and CI): spawned from an argument
 * vector without a shell, in the instance's own working directory, as the leader of its own process
 * group, so stopping it reaches every process it started and nothing else.
 */
export class ProcessRuntime implements InstanceRuntime {
  readonly driver = 'PROCESS' as const;
  private readonly children = new Map<string, Child>();
  /** How processes this service watched ended, by pid, until the instance is removed. */
  private readonly exits = new Map<string, WorkloadExit>();

  constructor(private readonly options: ProcessRuntimeOptions) {}

  /** `<dataDir>/<id>`: everything of one instance lives below it, and nothing of another. */
  instanceDir(instanceId: string): string {
    // The id becomes a path: only a uuid may (no separators, no "..").
    if (!isUuid(instanceId)) throw new RuntimeError(`Not an instance id: ${JSON.stringify(instanceId)}.`);
    return path.join(this.options.dataDir, instanceId.toLowerCase());
  }

  volumeDir(instanceId: string): string {
    return path.join(this.instanceDir(instanceId), 'volume');
  }

  async create(spec: InstanceSpec): Promise<string | null> {
    await mkdir(this.volumeDir(spec.instanceId), { recursive: true, mode: 0o700 });
    return null;
  }

  async start(spec: InstanceSpec): Promise<Workload> {
    const [file, ...args] = spec.machine.command;
    if (!file) {
      throw new RuntimeError(
        `Machine "${spec.machine.name}" has no command to run as a local process${spec.machine.image ? '; its image needs the Docker runtime' : ''}.`,
      );
    }
    await this.create(spec);
    const cwd = this.volumeDir(spec.instanceId);
    const env: Record<string, string> = { PATH: this.options.path, HOME: cwd };
    for (const variable of spec.machine.environment) env[variable.name] = variable.value;
    env['PORT'] = String(spec.port);
    env[INSTANCE_ID_VARIABLE] = spec.instanceId;

    const limits = await applyLimits(this.options.limits ?? 'auto', spec.instanceId, spec.machine, this.options.logger);
    // Behind the limits' sh wrapper a missing program would only show as exit code 127: refuse it here.
    if (limits.how !== 'none' && !(await findProgram(file, this.options.path, cwd))) {
      await limits.release();
      throw new RuntimeError(`Could not run ${JSON.stringify(file)}: no such program.`);
    }
    const [spawnFile, spawnArgs] = limits.wrap(file, args);
    const child = spawn(spawnFile, spawnArgs, {
      cwd,
      env,
      detached: true,
      shell: false,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
    } catch (err) {
      await limits.release();
      const code = (err as NodeJS.ErrnoException).code;
      throw new RuntimeError(
        `Could not run ${JSON.stringify(file)}: ${code === 'ENOENT' ? 'no such program' : (code ?? (err as Error).message)}.`,
      );
    }
    child.on('error', (err) => this.options.logger.warn({ err, instanceId: spec.instanceId }, 'instance process error'));
    const pid = child.pid as number;
    const ref = String(pid);
    const stdout = child.stdout as Readable;
    const stderr = child.stderr as Readable;

    const channel = new LineChannel<CapturedLine>({
      highWater: HIGH_WATER_LINES,
      pause: () => {
        stdout.pause();
        stderr.pause();
      },
      resume: () => {
        stdout.resume();
        stderr.resume();
      },
    });
    let open = 2;
    const closed = () => {
      if (--open === 0) channel.end();
    };
    capture(stdout, 'STDOUT', channel, closed);
    capture(stderr, 'STDERR', channel, closed);

    const record: Child = { process: child, exit: null, exited: Promise.resolve({ exitCode: null, signal: null }) };
    record.exited = new Promise<WorkloadExit>((resolve) => {
      child.once('exit', (code, signal) => {
        // What it left behind in its group (a forked server, a `sleep`) goes with it: it holds the port.
        signalGroup(pid, 'SIGKILL');
        setTimeout(() => {
          stdout.destroy();
          stderr.destroy();
        }, PIPE_DRAIN_MS).unref();
        void limits.oomKilled().then((oom) => {
          const exit: WorkloadExit = {
            exitCode: code ?? signalExitCode(signal),
            signal,
            reason: oom ? memoryKillReason(spec.machine.memoryLimitMb) : null,
          };
          record.exit = exit;
          this.exits.set(ref, exit);
          resolve(exit);
          void limits.release();
        });
      });
    });
    this.children.set(ref, record);
    record.exited.then(
      () => this.children.delete(ref),
      () => undefined,
    );

    return {
      ref,
      logs: channel,
      exited: record.exited,
      detach: () => {
        channel.end();
        stdout.destroy();
        stderr.destroy();
      },
    };
  }

  /** A process outlives the service that started it only as an orphan: it can be watched, not read. */
  async attach(): Promise<Workload | null> {
    return null;
  }

  async stop(spec: InstanceSpec, ref: string, graceMs: number): Promise<void> {
    const pid = parsePid(ref);
    if (pid === null) return;
    const known = this.children.get(ref);
    if (!known && !(await this.owns(spec, pid))) return;
    const gone = () => (known ? known.exit !== null : true) && !groupAlive(pid);
    signalGroup(pid, 'SIGTERM');
    if (await waitUntil(gone, graceMs)) return;
    signalGroup(pid, 'SIGKILL');
    if (!(await waitUntil(gone, 5_000))) {
      this.options.logger.error({ instanceId: spec.instanceId, pid }, 'instance process group survived SIGKILL');
    }
  }

  async remove(spec: InstanceSpec, ref: string | null, options: { deleteVolume: boolean }): Promise<void> {
    const pid = ref === null ? null : parsePid(ref);
    if (pid !== null && (this.children.has(String(pid)) || (await this.owns(spec, pid)))) {
      signalGroup(pid, 'SIGKILL');
      await waitUntil(() => !this.children.has(String(pid)) && !groupAlive(pid), 5_000);
    }
    if (ref !== null) this.exits.delete(ref);
    if (options.deleteVolume) await rm(this.instanceDir(spec.instanceId), { recursive: true, force: true });
  }

  async inspect(spec: InstanceSpec, ref: string): Promise<WorkloadState> {
    const known = this.children.get(ref);
    if (known) return known.exit ? { state: 'exited', exitCode: known.exit.exitCode } : { state: 'running' };
    const exit = this.exits.get(ref);
    if (exit) return { state: 'exited', exitCode: exit.exitCode };
    const pid = parsePid(ref);
    return pid !== null && (await this.owns(spec, pid)) ? { state: 'running' } : { state: 'missing' };
  }

  async volumeSizeBytes(spec: InstanceSpec): Promise<number | null> {
    return directorySize(this.volumeDir(spec.instanceId));
  }

  /**
   * Whether `pid` is this instance's process: alive, and (where /proc tells) started with this
   * instance's id in its environment. A pid reused by anything else is never signalled.
   */
  private async owns(spec: InstanceSpec, pid: number): Promise<boolean> {
    if (!groupAlive(pid)) return false;
    if (!HAS_PROC) return true;
    try {
      const environ = await readFile(`/proc/${pid}/environ`, 'utf8');
      return environ.split('\0').includes(`${INSTANCE_ID_VARIABLE}=${spec.instanceId}`);
    } catch {
      return false;
    }
  }
}

function capture(stream: Readable, name: LogStream, channel: LineChannel<CapturedLine>, closed: () => void): void {
  const splitter = new LineSplitter();
  const emit = (lines: string[]) => {
    const at = new Date();
    for (const line of lines) channel.push({ stream: name, line, at });
  };
  stream.on('data', (chunk: Buffer) => emit(splitter.push(chunk)));
  stream.once('close', () => {
    emit(splitter.end());
    closed();
  });
  stream.on('error', () => undefined);
}

/** Whether `file` names an executable program (a path, or a name found on PATH). */
async function findProgram(file: string, searchPath: string, cwd: string): Promise<boolean> {
  const candidates = file.includes('/')
    ? [path.resolve(cwd, file)]
    : searchPath
        .split(':')
        .filter(Boolean)
        .map((dir) => path.join(dir, file));
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      if ((await lstat(candidate)).isDirectory()) continue;
      return true;
    } catch {
      // Not there: the next one.
    }
  }
  return false;
}

function parsePid(ref: string): number | null {
  const pid = Number(ref);
  return Number.isSafeInteger(pid) && pid > 1 ? pid : null;
}

function signalExitCode(signal: NodeJS.Signals | null): number | null {
  const number = signal ? os.constants.signals[signal] : undefined;
  return number === undefined ? null : 128 + number;
}

/** Signals the whole process group led by `pid`; false when there is none. */
function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}

/** Bytes of the files below `dir`, symlinks not followed; null when it does not exist. */
async function directorySize(dir: string): Promise<number | null> {
  try {
    if (!(await lstat(dir)).isDirectory()) return null;
  } catch {
    return null;
  }
  let total = 0;
  const pending = [dir];
  while (pending.length > 0) {
    const current = pending.pop() as string;
    try {
      for await (const entry of await opendir(current)) {
        const full = path.join(current, entry.name);
        if (entry.isDirectory()) pending.push(full);
        else if (entry.isFile()) total += (await lstat(full).catch(() => ({ size: 0 }))).size;
      }
    } catch {
      // A directory that vanished while it was walked holds nothing any more.
    }
  }
  return total;
}
