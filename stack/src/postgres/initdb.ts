/** initdb into a staging directory, renamed into place, so a crash never leaves a half-made cluster. */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Native } from './binaries';
import { SUPERUSER } from './constants';
import { ids, rmrf, serverEnv } from './os-user';
import type { EmbeddedPostgresLog, RunAs } from './types';

/** initdb; false when a concurrent launcher initialised the same directory first. */
export async function initCluster(
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
