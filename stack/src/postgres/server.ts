/**
 * The server process: a free port (54329 upwards, never 5432, retried when another launcher takes it
 * first), the postmaster in its own process group with its watchdog, readiness from the pid file,
 * an idempotent stop, and the databases the caller asked for.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { clearTimeout, setTimeout } from 'node:timers';
import { Client } from 'pg';
import type { Native } from './binaries';
import { readOwner, writeOwner } from './cluster';
import { FIRST_PORT, HOST, PORT_SPAN, STOP_TIMEOUT_MS, SUPERUSER } from './constants';
import { LogForwarder } from './log-forwarder';
import { ids, rmrf, serverEnv } from './os-user';
import { killPostmaster, procStartTime, readPidFile, sleep } from './processes';
import type { EmbeddedPostgresLog, EmbeddedPostgresOptions, RunAs } from './types';
import { startWatchdog } from './watchdog';

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

export interface Running {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

export async function startServer(
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
  const watchdog = startWatchdog(pid, removeOnStop, log);
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
    watchdog.kill(); // not release(): that would remove the cluster we retry with
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
      watchdog.release();
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

export async function createMissingDatabases(host: string, port: number, password: string, databases: string[]): Promise<void> {
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
