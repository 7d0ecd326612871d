/**
 * Overhead of tracing at the gateway: the same read through the gateway with tracing off and on, in
 * one run (arms alternate, each in a fresh child process, since the OpenTelemetry globals are set
 * once per process). Metrics are on in both arms (they are always on), so "off" is metrics only and
 * "on" is metrics + tracing exporting every span over OTLP/HTTP to a local sink that discards them.
 *
 *   node -r @swc-node/register bench/observability/run.ts
 *
 * Databases bench_<run>_<domain> are made and migrated on BENCH_POSTGRES_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres) and dropped at the end. Knobs: BENCH_ROUNDS (pairs,
 * default 2), BENCH_SECONDS (per arm, 15), BENCH_CONCURRENCY (16).
 */
import '../sources';
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  AccessTokenSigner,
  createLogger,
  generateAccessTokenKeys,
  InProcessEventBus,
  SUBGRAPH_NAMES,
  startTracing,
  type SubgraphName,
} from '@market/platform';
import { applyMigrations, databaseUrl, dropDatabases, ensureDatabases } from '@market/platform/db';
import { startStack } from '../../stack/src/stack';

const ROOT = path.resolve(__dirname, '..', '..');
const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const SERVER_URL = process.env['BENCH_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ROUNDS = num('BENCH_ROUNDS', 2);
const SECONDS = num('BENCH_SECONDS', 15);
const CONCURRENCY = num('BENCH_CONCURRENCY', 16);
/** Two subgraphs (accounts, bookings), so the trace has a server span, two fetches, two subgraph spans and SQL. */
const QUERY = 'query Bench { me { id name } myStays { id } }';

interface ArmResult {
  arm: 'off' | 'on';
  requests: number;
  errors: number;
  rps: number;
  p50: number;
  p99: number;
  /** Node CPU (user + system) of the whole process per request: less sensitive to a busy machine than req/s. */
  cpuMsPerRequest: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/** One arm in this process: the stack on the given databases, warm-up, then SECONDS of closed-loop load. */
async function child(arm: 'off' | 'on', urls: Record<SubgraphName, string>) {
  let sink: http.Server | null = null;
  if (arm === 'on') {
    sink = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    });
    await new Promise<void>((r) => sink!.listen(0, '127.0.0.1', r));
    startTracing({ serviceName: 'market', otlpEndpoint: `http://127.0.0.1:${(sink.address() as AddressInfo).port}` });
  }
  const keys = await generateAccessTokenKeys();
  const stack = await startStack({
    databaseUrls: urls,
    signingSecret: randomBytes(32).toString('hex'),
    jwtPrivateKey: keys.privateKeyPem,
    jwtPublicKey: keys.publicKeyPem,
    nodeEnv: 'test',
    logLevel: 'silent',
    bus: new InProcessEventBus(createLogger('events', 'silent')),
  });
  const signer = await AccessTokenSigner.fromPem(keys.privateKeyPem, 3600);
  const tokens = await Promise.all(
    Array.from(
      { length: CONCURRENCY },
      async () => (await signer.sign({ userId: randomUUID(), role: 'BUYER', sessionId: randomUUID() })).token,
    ),
  );
  const once = async (token: string): Promise<boolean> => {
    const res = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: QUERY }),
    });
    const body = (await res.json()) as { errors?: unknown[] };
    return res.ok && !body.errors;
  };
  const load = async (ms: number, record: boolean) => {
    const times: number[] = [];
    let errors = 0;
    const until = Date.now() + ms;
    await Promise.all(
      tokens.map(async (token) => {
        while (Date.now() < until) {
          const t = process.hrtime.bigint();
          const ok = await once(token);
          if (record) times.push(Number(process.hrtime.bigint() - t) / 1e6);
          if (!ok) errors++;
        }
      }),
    );
    return { times, errors };
  };
  await load(3_000, false);
  const cpu = process.cpuUsage();
  const { times, errors } = await load(SECONDS * 1000, true);
  const used = process.cpuUsage(cpu);
  times.sort((a, b) => a - b);
  const result: ArmResult = {
    arm,
    requests: times.length,
    errors,
    rps: times.length / SECONDS,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    cpuMsPerRequest: (used.user + used.system) / 1000 / Math.max(1, times.length),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  await stack.stop();
  sink?.close();
  process.exit(0);
}

async function main() {
  const runId = `${Date.now().toString(36)}_${process.pid}`;
  const names = Object.fromEntries(SUBGRAPH_NAMES.map((d) => [d, `bench_${runId}_${d}`])) as Record<SubgraphName, string>;
  const urls = Object.fromEntries(SUBGRAPH_NAMES.map((d) => [d, databaseUrl(SERVER_URL, names[d])])) as Record<SubgraphName, string>;
  const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
  const loadBefore = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  await ensureDatabases(SERVER_URL, Object.values(names));
  const results: ArmResult[] = [];
  try {
    for (const domain of SUBGRAPH_NAMES) {
      await applyMigrations({
        databaseUrl: urls[domain],
        migrationsDir: path.join(ROOT, 'prisma', domain, 'migrations'),
        schemaPath: path.join(ROOT, 'prisma', domain, 'schema.prisma'),
      });
    }
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which arm goes first, so drift in the machine's load falls on both.
      for (const arm of round % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
        const output = await new Promise<string>((resolve, reject) => {
          const proc = spawn(process.execPath, [...process.execArgv, __filename, '--arm', arm, '--urls', JSON.stringify(urls)], {
            stdio: ['ignore', 'pipe', 'inherit'],
          });
          let out = '';
          proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
          proc.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`arm ${arm} exited ${code}`))));
        });
        const result = JSON.parse(output.trim().split('\n').pop()!) as ArmResult;
        log(
          `round ${round + 1} ${arm}: ${result.rps.toFixed(1)} req/s, p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, CPU ${result.cpuMsPerRequest.toFixed(2)} ms/request, errors ${result.errors}`,
        );
        results.push(result);
      }
    }
  } finally {
    await dropDatabases(SERVER_URL, Object.values(names)).catch(() => undefined);
  }
  const summary = (arm: 'off' | 'on') => {
    const rs = results.filter((r) => r.arm === arm);
    const mean = (f: (r: ArmResult) => number) => rs.reduce((s, r) => s + f(r), 0) / rs.length;
    return { rps: mean((r) => r.rps), p50: mean((r) => r.p50), p99: mean((r) => r.p99), cpu: mean((r) => r.cpuMsPerRequest) };
  };
  const off = summary('off');
  const on = summary('on');
  console.log(
    `load average before ${loadBefore}, after ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}; ${CONCURRENCY} clients, ${SECONDS} s per arm, ${ROUNDS} rounds`,
  );
  console.log(
    `metrics only:      ${off.rps.toFixed(1)} req/s, p50 ${off.p50.toFixed(1)} ms, p99 ${off.p99.toFixed(1)} ms, CPU ${off.cpu.toFixed(2)} ms/request`,
  );
  console.log(
    `metrics + tracing: ${on.rps.toFixed(1)} req/s, p50 ${on.p50.toFixed(1)} ms, p99 ${on.p99.toFixed(1)} ms, CPU ${on.cpu.toFixed(2)} ms/request`,
  );
  console.log(
    `tracing: ${(((on.cpu - off.cpu) / off.cpu) * 100).toFixed(1)} % more CPU per request, ${(((off.rps - on.rps) / off.rps) * 100).toFixed(1)} % less throughput`,
  );
}

const armAt = process.argv.indexOf('--arm');
if (armAt > 0) {
  child(
    process.argv[armAt + 1] as 'off' | 'on',
    JSON.parse(process.argv[process.argv.indexOf('--urls') + 1]!) as Record<SubgraphName, string>,
  ).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
