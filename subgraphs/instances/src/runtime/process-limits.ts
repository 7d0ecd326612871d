import { constants, existsSync } from 'node:fs';
import { access, mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '@market/platform';

export type ProcessLimitsMode = 'auto' | 'cgroup' | 'ulimit' | 'off';

/** What confines one local process: how to wrap its command, and how to tell afterwards whether memory killed it. */
export interface AppliedLimits {
  /** How the limits are enforced, for the logs: cgroup-v1, cgroup-v2, ulimit or none. */
  how: 'cgroup-v1' | 'cgroup-v2' | 'ulimit' | 'none';
  /** The argument vector to spawn instead of [file, ...args] (a tiny sh wrapper that joins the cgroup or sets ulimit, then execs). */
  wrap(file: string, args: string[]): [string, string[]];
  /** Whether the kernel's OOM killer acted in the instance's cgroup (always false without one). */
  oomKilled(): Promise<boolean>;
  /** Deletes the cgroup once its processes are gone. */
  release(): Promise<void>;
}

const CGROUP_ROOT = '/sys/fs/cgroup';
const GROUP = 'market-instances';
const CPU_PERIOD_US = 100_000;

/**
 * Limits for local processes, as far as the OS allows:
 * - cgroup v1 or v2 (Linux, root or a delegated cgroup): memory (no swap beyond it) and CPU are
 *   enforced by the kernel; a process past its memory limit is killed by the OOM killer, and the
 *   cgroup's oom_kill counter says so (the instance is FAILED "killed for exceeding its memory limit").
 * - ulimit -v (anywhere with /bin/sh): an address-space limit; an allocation past it fails inside the
 *   program, which usually exits with its own out-of-memory error (recorded as its exit code: the
 *   runtime cannot tell it apart from other failures). No CPU limit.
 * - off, or neither available (macOS, Windows): no limits; logged once per start.
 */
export async function applyLimits(
  mode: ProcessLimitsMode,
  instanceId: string,
  limits: { memoryLimitMb: number | null; cpuLimit: number | null },
  logger: Logger,
): Promise<AppliedLimits> {
  const none: AppliedLimits = { how: 'none', wrap: (f, a) => [f, a], oomKilled: async () => false, release: async () => undefined };
  if (mode === 'off' || (limits.memoryLimitMb === null && limits.cpuLimit === null)) return none;
  if (mode === 'auto' || mode === 'cgroup') {
    const cgroup = await createCgroup(instanceId, limits).catch((err: unknown) => {
      logger.debug({ err, instanceId }, 'no cgroup for an instance process');
      return null;
    });
    if (cgroup) return cgroup;
    if (mode === 'cgroup')
      logger.warn({ instanceId }, 'INSTANCE_PROCESS_LIMITS=cgroup but no cgroup could be made; falling back to ulimit');
  }
  if (limits.memoryLimitMb !== null && existsSync('/bin/sh')) {
    const kib = String(limits.memoryLimitMb * 1024);
    return {
      ...none,
      how: 'ulimit',
      wrap: (file, args) => ['/bin/sh', ['-c', 'ulimit -v "$1" || exit 125; shift; exec "$@"', 'market-instance', kib, file, ...args]],
    };
  }
  logger.warn({ instanceId }, 'this OS offers the process runtime no way to limit an instance; it runs unlimited');
  return none;
}

async function writable(file: string): Promise<boolean> {
  try {
    await access(file, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

async function createCgroup(
  instanceId: string,
  limits: { memoryLimitMb: number | null; cpuLimit: number | null },
): Promise<AppliedLimits | null> {
  const memory = limits.memoryLimitMb === null ? null : limits.memoryLimitMb * 1024 * 1024;
  const v2 = existsSync(path.join(CGROUP_ROOT, 'cgroup.controllers'));
  const dirs: string[] = [];
  const procs: string[] = [];
  let events: { file: string; key: string } | null = null;
  if (v2) {
    const parent = path.join(CGROUP_ROOT, GROUP);
    await mkdir(parent, { recursive: true });
    // Controllers must be enabled for the children of each level.
    await writeFile(path.join(CGROUP_ROOT, 'cgroup.subtree_control'), '+memory +cpu').catch(() => undefined);
    await writeFile(path.join(parent, 'cgroup.subtree_control'), '+memory +cpu');
    const dir = path.join(parent, instanceId);
    await mkdir(dir, { recursive: true });
    dirs.push(dir);
    if (memory !== null) {
      await writeFile(path.join(dir, 'memory.max'), String(memory));
      await writeFile(path.join(dir, 'memory.swap.max'), '0').catch(() => undefined);
    }
    if (limits.cpuLimit !== null)
      await writeFile(path.join(dir, 'cpu.max'), `${Math.max(1000, Math.round(limits.cpuLimit * CPU_PERIOD_US))} ${CPU_PERIOD_US}`);
    procs.push(path.join(dir, 'cgroup.procs'));
    events = { file: path.join(dir, 'memory.events'), key: 'oom_kill' };
  } else {
    if (!(await writable(path.join(CGROUP_ROOT, 'memory')))) return null;
    if (memory !== null) {
      const dir = path.join(CGROUP_ROOT, 'memory', GROUP, instanceId);
      await mkdir(dir, { recursive: true });
      dirs.push(dir);
      await writeFile(path.join(dir, 'memory.limit_in_bytes'), String(memory));
      // No swap beyond the limit, where the kernel accounts swap.
      await writeFile(path.join(dir, 'memory.memsw.limit_in_bytes'), String(memory)).catch(() => undefined);
      procs.push(path.join(dir, 'cgroup.procs'));
      events = { file: path.join(dir, 'memory.oom_control'), key: 'oom_kill' };
    }
    if (limits.cpuLimit !== null && (await writable(path.join(CGROUP_ROOT, 'cpu')))) {
      const dir = path.join(CGROUP_ROOT, 'cpu', GROUP, instanceId);
      await mkdir(dir, { recursive: true });
      dirs.push(dir);
      await writeFile(path.join(dir, 'cpu.cfs_period_us'), String(CPU_PERIOD_US));
      await writeFile(path.join(dir, 'cpu.cfs_quota_us'), String(Math.max(1000, Math.round(limits.cpuLimit * CPU_PERIOD_US))));
      procs.push(path.join(dir, 'cgroup.procs'));
    }
  }
  if (procs.length === 0) return null;
  return {
    how: v2 ? 'cgroup-v2' : 'cgroup-v1',
    // The wrapper joins the cgroups itself before exec: nothing of the workload ever runs outside them.
    wrap: (file, args) => [
      '/bin/sh',
      ['-c', 'for f in $1; do echo $$ > "$f" || exit 125; done; shift; exec "$@"', 'market-instance', procs.join(' '), file, ...args],
    ],
    oomKilled: async () => {
      if (!events) return false;
      const text = await readFile(events.file, 'utf8').catch(() => '');
      const match = new RegExp(`^${events.key} (\\d+)$`, 'm').exec(text);
      return Number(match?.[1] ?? 0) > 0;
    },
    release: async () => {
      for (const dir of dirs) {
        // rmdir fails while a process is still in it; the group was just SIGKILLed, so give it a moment.
        for (let attempt = 0; attempt < 20; attempt++) {
          try {
            await rmdir(dir);
            break;
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'ENOENT') break;
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        }
      }
    },
  };
}
