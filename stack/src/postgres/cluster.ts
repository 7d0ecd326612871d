/**
 * Where a cluster lives and who owns it. A persistent cluster is the requested directory (or,
 * when the server user cannot reach it, a relocated one behind a symlink); a throw-away cluster
 * is `<container>/data` with an owner record beside it. One launcher owns a cluster at a time
 * (its owner file, created exclusively); others attach to its server, and clusters whose launcher
 * is gone are stopped and swept.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RUNTIME_BASE, STOP_TIMEOUT_MS, TEMP_KIND, TEMP_OWNER_FILE, TEMP_PREFIX } from './constants';
import { canTraverse, mkdirOwned, readLink, rmrf, runtimeBase } from './os-user';
import { isPostmaster, killPostmaster, pidAlive, procStartTime, readPidFile, sleep, stopServerOn } from './processes';
import type { EmbeddedPostgresLog, RunAs } from './types';

export interface OwnerRecord {
  kind?: typeof TEMP_KIND;
  launcherPid: number;
  launcherStart?: string;
  watchdogPid?: number | undefined;
  postmasterPid?: number;
  port?: number;
  startedAt: string;
}

const tempOwner = (): OwnerRecord => ({
  kind: TEMP_KIND,
  launcherPid: process.pid,
  launcherStart: procStartTime(process.pid),
  startedAt: new Date().toISOString(),
});

function launcherAlive(owner: OwnerRecord): boolean {
  if (owner.launcherPid === process.pid || !pidAlive(owner.launcherPid)) return false;
  const start = procStartTime(owner.launcherPid);
  return owner.launcherStart === undefined || start === undefined || start === owner.launcherStart;
}

export function readOwner(file: string): OwnerRecord | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as OwnerRecord;
  } catch {
    return undefined;
  }
}

export function writeOwner(file: string, owner: OwnerRecord, flag = 'w'): void {
  fs.writeFileSync(file, `${JSON.stringify(owner, null, 2)}\n`, { flag });
}

/**
 * A throw-away cluster's container: `dataDir` when given (empty but for a dead run's cluster), else
 * a new directory under the temp dir; relocated under the runtime base when the server user cannot
 * reach it. Every container made is listed in `removeOnStop`.
 */
export async function placeTempCluster(
  dataDir: string | undefined,
  runAs: RunAs | undefined,
  log: EmbeddedPostgresLog,
): Promise<{ clusterDir: string; ownerFile: string; removeOnStop: string[] }> {
  const removeOnStop: string[] = [];
  let container: string;
  const tmp = os.tmpdir();
  if (dataDir) {
    container = path.resolve(dataDir);
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
        requested: dataDir,
        dataDir: container,
        user: runAs.name,
      });
    }
  }
  const ownerFile = path.join(container, TEMP_OWNER_FILE);
  writeOwner(ownerFile, tempOwner());
  return { clusterDir: path.join(container, 'data'), ownerFile, removeOnStop };
}

export async function placePersistentCluster(requested: string, runAs: RunAs | undefined, log: EmbeddedPostgresLog): Promise<string> {
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

/**
 * Makes this launcher the owner of the cluster (the owner file, created exclusively), stopping a
 * server that a dead launcher left behind; or, when a live launcher owns it, waits for its server
 * and returns it to attach to.
 */
export async function claimCluster(
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
