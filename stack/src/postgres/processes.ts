/**
 * Processes of a cluster: is a pid alive (and really a postmaster), when did it start (so a
 * recycled pid is not mistaken for a launcher), the postmaster.pid file, and stopping a server.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { STOP_TIMEOUT_MS } from './constants';

// node:timers, not the globals, so that Jest's fake timers do not stall start and stop
export const sleep = (ms: number) => delay(ms);

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return fs.existsSync('/proc/self/stat') ? false : true;
  }
}

export function procStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export function isPostmaster(pid: number): boolean {
  if (!pidAlive(pid)) return false;
  try {
    return path.basename(fs.readlinkSync(`/proc/${pid}/exe`)).startsWith('postgres');
  } catch {
    return true; // no procfs (macOS): trust the pid file
  }
}

export function readPidFile(dataDir: string): { pid: number; port: number; status: string } | undefined {
  try {
    const lines = fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
    return { pid: Number(lines[0]), port: Number(lines[3]), status: (lines[7] ?? '').trim() };
  } catch {
    return undefined;
  }
}

export async function killPostmaster(pid: number, timeoutMs: number): Promise<void> {
  const signal = (s: NodeJS.Signals, target = pid) => {
    try {
      process.kill(target, s);
    } catch {
      // gone
    }
  };
  signal('SIGINT'); // fast shutdown
  const deadline = Date.now() + timeoutMs;
  while (pidAlive(pid) && Date.now() < deadline) await sleep(25);
  if (!pidAlive(pid)) return;
  signal('SIGQUIT'); // immediate shutdown
  const hard = Date.now() + 5_000;
  while (pidAlive(pid) && Date.now() < hard) await sleep(25);
  signal('SIGKILL', -pid);
  signal('SIGKILL');
  while (pidAlive(pid) && Date.now() < hard + 5_000) await sleep(25);
}

/** Stops whatever postmaster runs on dataDir. */
export async function stopServerOn(dataDir: string): Promise<void> {
  const info = readPidFile(dataDir);
  if (info && isPostmaster(info.pid)) await killPostmaster(info.pid, STOP_TIMEOUT_MS);
}
