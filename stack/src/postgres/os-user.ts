/**
 * The OS side of running PostgreSQL as root: the unprivileged user the server runs as, whether
 * that user can reach a directory, directories nobody else planted, and ownership.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RUNTIME_BASE } from './constants';
import type { EmbeddedPostgresLog, RunAs } from './types';

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

export function ids(runAs: RunAs | undefined): { uid?: number; gid?: number } {
  return runAs ? { uid: runAs.uid, gid: runAs.gid } : {};
}

export function serverEnv(): NodeJS.ProcessEnv {
  // A clean environment: nothing like PGDATA, PGPORT or the caller's locale reaches the server.
  return { PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin', LANG: 'C', LC_ALL: 'C', TZ: 'UTC' };
}

function lookupUser(name: string): RunAs | undefined {
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()), name };
}

export function resolveServerUser(name: string, log: EmbeddedPostgresLog): RunAs {
  let user = lookupUser(name);
  if (!user) {
    const res = spawnSync(
      'useradd',
      ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', name],
      { encoding: 'utf8' },
    );
    user = lookupUser(name);
    if (user) log('embedded-postgres: created the OS user the server runs as (PostgreSQL refuses root)', { user: name });
    else log('embedded-postgres: could not create an OS user for the server', { user: name, error: res.stderr || res.error?.message });
  }
  if (!user) {
    user = lookupUser('nobody');
    if (user) log('embedded-postgres: running the server as nobody', { wanted: name });
  }
  if (!user || user.uid === 0)
    throw new Error(`embedded-postgres: running as root and no unprivileged OS user (${name}, nobody) to run PostgreSQL as`);
  return user;
}

/** Can runAs reach (search) this directory, through all its parents? */
export function canTraverse(runAs: RunAs, dir: string): boolean {
  const res = spawnSync('/bin/sh', ['-c', 'cd -- "$1"', 'sh', dir], { ...ids(runAs), stdio: 'ignore', timeout: 10_000 });
  return res.status === 0;
}

/** A directory the server user can reach: /var/tmp unless `preferred` is given and reachable. */
export function runtimeBase(runAs: RunAs, preferred?: string): string {
  for (const base of [...(preferred ? [preferred] : []), RUNTIME_BASE, os.tmpdir(), '/tmp']) {
    if (fs.existsSync(base) && canTraverse(runAs, base)) return base;
  }
  throw new Error('embedded-postgres: no directory the server user can reach (tried /var/tmp and /tmp)');
}

/** A real directory (no symlink) owned by this process's user: nobody else planted it in /var/tmp. */
export function ownedByMe(dir: string): boolean {
  const st = fs.lstatSync(dir);
  return st.isDirectory() && st.uid === process.getuid?.();
}

/** mkdir that refuses a path someone else planted (the runtime base is world-writable). */
export function mkdirOwned(dir: string, mode: number): void {
  try {
    fs.mkdirSync(dir, { mode });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if (!ownedByMe(dir)) throw new Error(`embedded-postgres: ${dir} exists and is not a directory owned by this user`);
  fs.chmodSync(dir, mode);
}

export function readLink(p: string): string | undefined {
  try {
    if (!fs.lstatSync(p).isSymbolicLink()) return undefined;
    return path.resolve(path.dirname(p), fs.readlinkSync(p));
  } catch {
    return undefined;
  }
}

export function chownRecursive(dir: string, runAs: RunAs): void {
  fs.chownSync(dir, runAs.uid, runAs.gid);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) chownRecursive(p, runAs);
    else fs.lchownSync(p, runAs.uid, runAs.gid);
  }
}

export function rmrf(p: string): void {
  try {
    fs.rmSync(p, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    // best effort
  }
}
