/**
 * Instances benchmark, on a real PostgreSQL (and a real Docker engine when DOCKER_HOST is set):
 *   1. createInstance → RUNNING with the HTTP health check passed, for the process runtime (a Node
 *      http server) and the Docker runtime (busybox httpd built from subgraphs/instances/test-images),
 *      one at a time, BENCH_STARTS each (p50/p95/max);
 *   2. instances per machine: a pool of BENCH_POOL ports filled with `sleep` processes until
 *      NoPortAvailable (how long that takes), and the memory each workload holds (RSS of its
 *      processes; for Docker its containerd shim too), which bounds how many fit in MemAvailable.
 *
 *   node -r @swc-node/register bench/instances/run.ts
 *   export $(bash .ci/services/docker.sh start); node -r @swc-node/register bench/instances/run.ts
 *
 * Its own database (bench_<run>_instances) on BENCH_POSTGRES_URL, the instances subgraph in this
 * process, everything removed at the end.
 */
import '../sources';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger, MemoryPubSub, type Identity } from '@market/platform';
import { callSubgraph, testSecrets } from '@market/platform/testing';
import { withBenchDatabases } from '../harness';
import { createSubgraph, loadEnv } from '../../subgraphs/instances/src/subgraph';
import { connectDocker } from '../../subgraphs/instances/src/runtime/docker-runtime';

const ROOT = path.resolve(__dirname, '..', '..');
const STARTS = Number(process.env['BENCH_STARTS'] ?? 15);
const POOL = Number(process.env['BENCH_POOL'] ?? 300);
const MEMORY_SAMPLE = Number(process.env['BENCH_MEMORY_SAMPLE'] ?? 20);
const DOCKER_HOST = process.env['DOCKER_HOST'];
const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

const SERVER = `require('http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT));
process.on('SIGTERM', () => process.exit(0));`;
const HEALTH = { kind: 'HTTP', path: '/', intervalMs: 1000, timeoutMs: 500, startTimeoutMs: 30000, failureThreshold: 3 };

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const stats = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return `p50 ${pct(s, 50).toFixed(0)} ms, p95 ${pct(s, 95).toFixed(0)} ms, max ${s.at(-1)?.toFixed(0)} ms (n=${s.length})`;
};

/** Resident memory of a process and all its descendants, in KiB (from /proc). */
function treeRssKib(pid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Gone meanwhile.
    }
  }
  let total = 0;
  const pending = [pid];
  while (pending.length > 0) {
    const p = pending.pop() as number;
    try {
      const match = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      total += Number(match?.[1] ?? 0);
    } catch {
      // Gone meanwhile.
    }
    pending.push(...(children.get(p) ?? []));
  }
  return total;
}

async function main() {
  await withBenchDatabases(['instances'], async ({ instances: url }) => {
    const secrets = await testSecrets();
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bench-instances-'));
    const logger = createLogger('instances', 'warn');
    const pubsub = new MemoryPubSub(logger);
    let subgraph: Awaited<ReturnType<typeof createSubgraph>> | null = null;
    let running: { url: string; close(): Promise<void> } | null = null;
    try {
      const env = loadEnv({
        NODE_ENV: 'test',
        DATABASE_URL: url,
        GATEWAY_SIGNING_SECRET: secrets.signingSecret,
        INSTANCE_HOST: '127.0.0.1',
        INSTANCE_PORT_RANGE: `23000-${23000 + POOL - 1}`,
        INSTANCES_DATA_DIR: dataDir,
        INSTANCE_PROCESS_PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`,
        INSTANCE_STOP_GRACE_MS: '2000',
        INSTANCE_RECONCILE_INTERVAL_MS: '0',
        INSTANCE_BUILD_ROOT: ROOT,
        ...(DOCKER_HOST ? { INSTANCE_RUNTIME: 'docker', DOCKER_HOST, INSTANCE_DOCKER_NETWORK: 'host' } : {}),
      });
      subgraph = await createSubgraph(env, logger, { bus: null, pubsub });
      running = await subgraph.listen(0, '127.0.0.1');
      const admin: Identity = { userId: randomUUID(), role: 'ADMIN', sessionId: randomUUID() };
      const owner: Identity = { userId: randomUUID(), role: 'BUYER', sessionId: randomUUID() };
      const call = async (query: string, variables: Record<string, unknown>, who: Identity) => {
        const res = await callSubgraph<any>(
          (running as { url: string }).url,
          { query, variables },
          { secret: secrets.signingSecret, identity: who },
        );
        if (res.errors) throw new Error(JSON.stringify(res.errors));
        return res.data;
      };
      const machine = async (input: Record<string, unknown>) =>
        (
          await call(
            `mutation($i: CreateMachineInput!) { createMachine(input: $i) { id } }`,
            { i: { name: `bench-${randomUUID()}`, maxInstancesPerUser: 10000, capacity: 100000, ...input } },
            admin,
          )
        ).createMachine.id as string;
      const create = async (machineId: string) =>
        (
          await call(
            `mutation($m: ID!) { createInstance(machineId: $m) { __typename ... on Instance { id port } } }`,
            { m: machineId },
            owner,
          )
        ).createInstance;
      const status = async (id: string) =>
        (await call(`query($id: ID!) { instance(id: $id) { status failureReason } }`, { id }, owner)).instance;
      const remove = (id: string) => call(`mutation($id: ID!) { removeInstance(id: $id, deleteVolume: true) { status } }`, { id }, owner);
      const untilRunning = async (id: string) => {
        for (;;) {
          const s = await status(id);
          if (s.status === 'RUNNING') return;
          if (s.status === 'FAILED') throw new Error(`instance FAILED: ${s.failureReason}`);
          await new Promise((r) => setTimeout(r, 5));
        }
      };
      const timeStarts = async (machineId: string, label: string) => {
        const times: number[] = [];
        for (let i = 0; i < STARTS; i++) {
          const t0 = performance.now();
          const created = await create(machineId);
          await untilRunning(created.id);
          times.push(performance.now() - t0);
          await remove(created.id);
        }
        log(`${label}: createInstance → RUNNING (health checked): ${stats(times)}`);
        return times;
      };

      log(
        `load average at start: ${os
          .loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')}`,
      );
      const processMachine = await machine({ command: [process.execPath, '-e', SERVER], healthCheck: HEALTH });
      await timeStarts(processMachine, 'process runtime (node http server)');

      if (DOCKER_HOST) {
        const docker = await connectDocker(DOCKER_HOST);
        const context = mkdtempSync(path.join(os.tmpdir(), 'bench-busybox-'));
        copyFileSync(path.join(ROOT, 'subgraphs/instances/test-images/busybox/Dockerfile'), path.join(context, 'Dockerfile'));
        copyFileSync(['/usr/bin/busybox', '/bin/busybox'].find((p) => existsSync(p)) as string, path.join(context, 'busybox'));
        const progress = await docker.buildImage({ context, src: ['Dockerfile', 'busybox'] }, { t: 'market-test/busybox:1', rm: true });
        await new Promise((resolve, reject) => docker.modem.followProgress(progress, (err, out) => (err ? reject(err) : resolve(out))));
        rmSync(context, { recursive: true, force: true });
        const dockerMachine = await machine({ buildContext: 'subgraphs/instances/test-images/httpd', healthCheck: HEALTH });
        // The first start builds the machine's image: measured apart.
        const t0 = performance.now();
        const first = await create(dockerMachine);
        await untilRunning(first.id);
        log(`docker runtime: first start including the image build: ${(performance.now() - t0).toFixed(0)} ms`);
        await remove(first.id);
        await timeStarts(dockerMachine, 'docker runtime (busybox httpd, image built)');

        // Memory per container: the shim and everything in it.
        const ids: string[] = [];
        for (let i = 0; i < MEMORY_SAMPLE; i++) {
          const c = await create(dockerMachine);
          ids.push(c.id);
        }
        for (const id of ids) await untilRunning(id);
        const shims = execFileSync('pgrep', ['-f', 'containerd-shim'], { encoding: 'utf8' }).trim().split('\n').map(Number).filter(Boolean);
        const kib = shims.reduce((sum, pid) => sum + treeRssKib(pid), 0) / Math.max(1, shims.length);
        log(`docker runtime: ${kib.toFixed(0)} KiB RSS per running container (shim + busybox httpd, ${shims.length} shims)`);
        log(
          `  → memory bound: ${Math.floor(memAvailableKib() / kib)} containers in MemAvailable ${(memAvailableKib() / 1024).toFixed(0)} MiB`,
        );
        for (const id of ids) await remove(id);
      }

      // Instances per machine: fill the port pool.
      const sleeper = await machine({ command: ['sleep', '3600'] });
      const t0 = performance.now();
      const held: { id: string }[] = [];
      for (;;) {
        const created = await create(sleeper);
        if (created.__typename !== 'Instance') {
          log(
            `port pool: ${held.length} instances on a pool of ${POOL} ports, then ${created.__typename}, in ${((performance.now() - t0) / 1000).toFixed(1)} s (${((performance.now() - t0) / held.length).toFixed(1)} ms each)`,
          );
          break;
        }
        held.push(created);
      }
      await subgraph.idle();
      for (const i of held) await remove(i.id);
      const nodeKib = await measureProcessRss(processMachine, create, untilRunning, remove);
      log(`process runtime: ${nodeKib.toFixed(0)} KiB RSS per node http server instance`);
      log(
        `  → memory bound: ${Math.floor(memAvailableKib() / nodeKib)} such instances in MemAvailable ${(memAvailableKib() / 1024).toFixed(0)} MiB`,
      );
      log(
        `load average at end: ${os
          .loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')}`,
      );
    } finally {
      await running?.close();
      await subgraph?.close();
      await pubsub.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
}

function memAvailableKib(): number {
  return Number(/MemAvailable:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0);
}

/** Starts MEMORY_SAMPLE node servers and averages their RSS (found by the instance id in their environment). */
async function measureProcessRss(
  machineId: string,
  create: (m: string) => Promise<{ id: string }>,
  untilRunning: (id: string) => Promise<void>,
  remove: (id: string) => Promise<unknown>,
): Promise<number> {
  const ids: string[] = [];
  for (let i = 0; i < MEMORY_SAMPLE; i++) ids.push((await create(machineId)).id);
  for (const id of ids) await untilRunning(id);
  let total = 0;
  let found = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
      const id = /MARKET_INSTANCE_ID=([0-9a-f-]+)/.exec(environ)?.[1];
      if (id && ids.includes(id)) {
        total += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1] ?? 0);
        found++;
      }
    } catch {
      // Not ours, or gone.
    }
  }
  for (const id of ids) await remove(id);
  return total / Math.max(1, found);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
