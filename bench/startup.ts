/**
 * Measures the embedded mode as a newcomer meets it: from launching `node stack/dist/embedded/start.js`
 * (what `npm start` runs after its build step) to the first answered cross-domain query, and the
 * total resident memory of every process it started (Node, PostgreSQL, the watchdog).
 *
 *   npm run build && node -r @swc-node/register bench/startup.ts [--fresh]
 *
 * --fresh uses an empty data directory (first start: initdb and every migration); otherwise .data/.
 */
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const fresh = process.argv.includes('--fresh');
const dataDir = fresh ? mkdtempSync(path.join(os.tmpdir(), 'market-bench-')) : path.join(ROOT, '.data');
const port = 4400 + Math.floor(Math.random() * 200);
const basePort = port + 1;

const QUERY = `{ me { id } listings(first: 5) { edges { node { title owner { id } } } } feed(first: 5) { edges { node { id } } } }`;

/** Resident memory of a process and all its descendants (PostgreSQL and its backends included). */
function rssOfTree(rootPid: number): { totalMb: number; processes: number } {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,rss='])
    .toString()
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number, number]);
  const tree = new Set([rootPid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, ppid] of rows) {
      if (tree.has(ppid) && !tree.has(pid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  const kb = rows.filter(([pid]) => tree.has(pid)).reduce((sum, [, , rss]) => sum + rss, 0);
  return { totalMb: Math.round(kb / 1024), processes: tree.size };
}

async function main() {
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(ROOT, 'stack/dist/embedded/start.js')], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), SUBGRAPH_BASE_PORT: String(basePort), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let firstQueryMs = -1;
  for (;;) {
    if (Date.now() - started > 120_000) throw new Error('no answer within 120 s');
    try {
      const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: QUERY }),
      });
      const body = (await res.json()) as { data?: unknown; errors?: unknown[] };
      if (res.ok && body.data && !body.errors) {
        firstQueryMs = Date.now() - started;
        break;
      }
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  await new Promise((r) => setTimeout(r, 2000));
  const memory = rssOfTree(child.pid as number);
  child.kill('SIGINT');
  await new Promise((r) => child.once('exit', r));
  if (fresh) rmSync(dataDir, { recursive: true, force: true });
  console.log(JSON.stringify({ mode: fresh ? 'fresh data directory' : 'existing .data', firstQueryMs, ...memory, node: process.version }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
