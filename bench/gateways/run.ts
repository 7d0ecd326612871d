/**
 * Gateways side by side, over the same running subgraphs and schema/supergraph.graphql:
 *   ours   - gateway/src/gateway.ts (variants: `ours@SUBGRAPH_FETCHER=fetch+SUBGRAPH_DEDUPE=off`, ...),
 *   apollo - plain @apollo/gateway on @apollo/server with defaults and a signing data source,
 *   hive   - Hive Gateway (@graphql-hive/gateway) with defaults and a signing fetch plugin,
 * each in its own process (gateway-process.ts); the six subgraphs in one more (subgraphs-process.ts)
 * on an embedded PostgreSQL of its own, seeded through the API (stack/src/embedded/seed.ts).
 * Rounds are interleaved (every gateway once per round, the order rotating); per workload and
 * gateway it prints the median over rounds of req/s, p50 and p99 latency, the errors (wrong answers
 * included), and CPU milliseconds per request of the gateway process and of the subgraphs process.
 *
 *   node -r @swc-node/register bench/gateways/run.ts [--rounds 5] [--seconds 10] [--concurrency 32]
 *     [--gateways ours,apollo,hive] [--workloads identical,mix] [--warmup 3]
 */
import '../sources';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'undici';
import { AccessTokenSigner, generateAccessTokenKeys, SUBGRAPH_NAMES, type Identity, type Role, type SubgraphName } from '@market/platform';
import { applyMigrations, databaseUrl, migrationsOf } from '@market/platform/db';
import { startEmbeddedPostgres } from '../../stack/src/postgres';
import { PEOPLE } from '../../stack/src/embedded/seed-data';
import type { GatewayConfig, GatewayKind, GatewayMeasurement } from './gateway-process';
import type { SubgraphsConfig } from './subgraphs-process';
import { WORKLOADS, type Fixture, type GraphQLResult, type Workload } from './workloads';

const ROOT = path.resolve(__dirname, '..', '..');
const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? (args[i + 1] as string) : fallback;
};
const ROUNDS = Number(arg('rounds', '5'));
const SECONDS = Number(arg('seconds', '10'));
const WARMUP = Number(arg('warmup', '3'));
const CONCURRENCY = Number(arg('concurrency', '32'));
const VARIANTS = arg('gateways', 'ours,apollo,hive').split(',');
const WORKLOAD_NAMES = arg('workloads', 'identical,mix').split(',');
const PASSWORD = 'demo-password-1234';

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
const loadavg = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

/** A forked helper answering one reply per request, in order. */
function helper(file: string) {
  const child: ChildProcess = fork(path.join(__dirname, file), [], {
    execArgv: ['-r', '@swc-node/register'],
    // The access log of our gateway goes where a container's stdout would: away from this terminal.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const waiting: ((message: any) => void)[] = [];
  child.on('message', (message) => waiting.shift()?.(message));
  child.on('exit', (code) => {
    if (waiting.length > 0) {
      log(`${file} exited with ${code}`);
      process.exit(1);
    }
  });
  return {
    child,
    /** Asks it to stop; kills it if it has not exited after a few seconds. */
    stop(): Promise<void> {
      if (child.exitCode !== null) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 6000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.send({ type: 'stop' });
      });
    },
    ask<T>(message: object): Promise<T> {
      return new Promise((resolve) => {
        waiting.push(resolve);
        child.send(message);
      });
    },
  };
}

interface Variant {
  label: string;
  kind: GatewayKind;
  env: Record<string, string>;
}

/** `ours`, `apollo`, `hive`, or `ours@NAME=value+NAME=value`. */
function parseVariant(spec: string): Variant {
  const [kind, overrides] = spec.split('@') as [string, string | undefined];
  if (kind !== 'ours' && kind !== 'apollo' && kind !== 'hive') throw new Error(`unknown gateway ${kind}`);
  const env = Object.fromEntries(
    (overrides ?? '')
      .split('+')
      .filter(Boolean)
      .map((kv) => kv.split('=') as [string, string]),
  );
  return { label: spec, kind, env };
}

interface RoundResult {
  requests: number;
  errors: number;
  rps: number;
  p50: number;
  p99: number;
  gatewayCpuPerReq: number;
  subgraphCpuPerReq: number;
  firstError?: string;
}

async function gql(url: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<any> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as GraphQLResult;
  if (body.errors?.length || !body.data) throw new Error(`${query.slice(0, 60)}: ${JSON.stringify(body.errors ?? res.status)}`);
  return body.data;
}

/** `concurrency` clients, each sending its next request as soon as the previous answer is read. */
async function load(
  url: string,
  workload: Workload,
  fixture: Fixture,
  seconds: number,
): Promise<Omit<RoundResult, 'gatewayCpuPerReq' | 'subgraphCpuPerReq'>> {
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections: CONCURRENCY, pipelining: 1, keepAliveTimeout: 30_000 });
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const request = workload(fixture);
        const t0 = performance.now();
        let wrong: string | null;
        try {
          const res = await pool.request({
            path: target.pathname,
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'apollo-require-preflight': 'true',
              ...(request.token ? { authorization: `Bearer ${request.token}` } : {}),
            },
            body: request.body,
          });
          const text = await res.body.text();
          wrong =
            res.statusCode !== 200 ? `HTTP ${res.statusCode}: ${text.slice(0, 200)}` : request.check(JSON.parse(text) as GraphQLResult);
        } catch (err) {
          wrong = String(err);
        }
        latencies.push(performance.now() - t0);
        if (wrong) {
          errors += 1;
          firstError ??= wrong;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return {
    requests: latencies.length,
    errors,
    rps: latencies.length / elapsed,
    p50: at(0.5),
    p99: at(0.99),
    ...(firstError ? { firstError } : {}),
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

async function main() {
  const variants = VARIANTS.map(parseVariant);
  log(`load average at start: ${loadavg()} (${os.cpus().length} cores)`);
  const names = Object.fromEntries(SUBGRAPH_NAMES.map((d) => [d, `market_${d}`])) as Record<SubgraphName, string>;
  const pg = await startEmbeddedPostgres({ persistent: false, databases: Object.values(names), settings: { max_connections: 300 } });
  const helpers: ReturnType<typeof helper>[] = [];
  try {
    const urls = Object.fromEntries(SUBGRAPH_NAMES.map((d) => [d, databaseUrl(pg.adminUrl, names[d])])) as Record<SubgraphName, string>;
    for (const domain of SUBGRAPH_NAMES) await applyMigrations({ databaseUrl: urls[domain], ...migrationsOf(domain) });
    log(`embedded PostgreSQL on port ${pg.port}, six databases migrated`);

    const keys = await generateAccessTokenKeys();
    const signingSecret = randomBytes(32).toString('hex');
    const subgraphs = helper('subgraphs-process.ts');
    helpers.push(subgraphs);
    const subgraphsConfig: SubgraphsConfig = {
      databaseUrls: urls,
      signingSecret,
      jwtPrivateKey: keys.privateKeyPem,
      jwtPublicKey: keys.publicKeyPem,
      poolSize: 20,
    };
    const stack = await subgraphs.ask<{ gatewayUrl: string; subgraphUrls: Record<SubgraphName, string> }>({
      type: 'start',
      config: subgraphsConfig,
    });
    log(`subgraphs up: ${Object.values(stack.subgraphUrls).join(' ')}`);

    // Demo data through the API, as `npm run seed` makes it.
    const seedJs = path.join(ROOT, 'stack', 'dist', 'embedded', 'seed.js');
    const seedArgs = existsSync(seedJs) ? [seedJs] : ['-r', '@swc-node/register', path.join(ROOT, 'stack', 'src', 'embedded', 'seed.ts')];
    await new Promise<void>((resolve, reject) => {
      const seeding = spawn(process.execPath, seedArgs, {
        env: { ...process.env, GATEWAY_URL: stack.gatewayUrl, POSTGRES_URL: pg.adminUrl },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      seeding.stdout.on('data', (chunk: Buffer) => process.stderr.write(chunk));
      seeding.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`seed exited with ${code}`))));
    });
    const users: Fixture['users'] = [];
    const longTokens = await AccessTokenSigner.fromPem(keys.privateKeyPem, 4 * 3600);
    for (const person of PEOPLE.filter((p) => p.role !== 'ADMIN')) {
      const signed = await gql(
        stack.gatewayUrl,
        `mutation($input: SignInInput!) { signIn(input: $input) { ... on AuthPayload { accessToken user { id } } } }`,
        {
          input: { email: person.email, password: PASSWORD },
        },
      );
      // The same identity and session, with a token that outlives the run (accounts issues 15-minute ones).
      const claims = JSON.parse(
        Buffer.from((signed.signIn.accessToken as string).split('.')[1] as string, 'base64url').toString('utf8'),
      ) as { sid: string };
      const identity: Identity = { userId: signed.signIn.user.id, role: person.role as Role, sessionId: claims.sid };
      users.push({ id: identity.userId, token: (await longTokens.sign(identity)).token, role: person.role });
    }
    const page = await gql(stack.gatewayUrl, `{ listings(first: 100) { edges { node { id } } } }`);
    const fixture: Fixture = { users, listingIds: page.listings.edges.map((e: { node: { id: string } }) => e.node.id) };
    log(`fixture: ${users.length} signed-in users, ${fixture.listingIds.length} listings`);

    // The same supergraph for every gateway, pointing at the running subgraphs.
    let supergraphSdl = readFileSync(path.join(ROOT, 'schema', 'supergraph.graphql'), 'utf8');
    for (const name of SUBGRAPH_NAMES) {
      supergraphSdl = supergraphSdl.replace(
        new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]*(")`),
        `$1${stack.subgraphUrls[name]}$2`,
      );
    }

    const gateways: { variant: Variant; url: string; process: ReturnType<typeof helper> }[] = [];
    for (const variant of variants) {
      const process_ = helper('gateway-process.ts');
      helpers.push(process_);
      const config: GatewayConfig = {
        kind: variant.kind,
        env: variant.env,
        signingSecret,
        jwtPublicKey: keys.publicKeyPem,
        supergraphSdl,
        subgraphUrls: stack.subgraphUrls,
      };
      const { url } = await process_.ask<{ url: string }>({ type: 'start', config });
      gateways.push({ variant, url, process: process_ });
      log(`${variant.label} at ${url}`);
    }

    // Every gateway answers every kind of request right before anything is timed.
    for (const gateway of gateways) {
      for (const name of WORKLOAD_NAMES) {
        const workload = WORKLOADS[name] as Workload;
        for (let i = 0; i < 40; i++) {
          const request = workload(fixture);
          const res = await fetch(gateway.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...(request.token ? { authorization: `Bearer ${request.token}` } : {}) },
            body: request.body,
          });
          const wrong = request.check((await res.json()) as GraphQLResult);
          if (wrong) log(`check: ${gateway.variant.label} ${name}: ${wrong}`);
        }
      }
      if (WARMUP > 0) for (const name of WORKLOAD_NAMES) await load(gateway.url, WORKLOADS[name] as Workload, fixture, WARMUP);
    }
    log(`warmed up; load average ${loadavg()}`);

    const results = new Map<string, RoundResult[]>();
    const loads: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const order = gateways.map((_, i) => gateways[(i + round) % gateways.length] as (typeof gateways)[number]);
      for (const name of WORKLOAD_NAMES) {
        for (const gateway of order) {
          const before = await Promise.all([
            gateway.process.ask<GatewayMeasurement>({ type: 'measure' }),
            subgraphs.ask<{ cpuMs: number }>({ type: 'measure' }),
          ]);
          const result = await load(gateway.url, WORKLOADS[name] as Workload, fixture, SECONDS);
          const after = await Promise.all([
            gateway.process.ask<GatewayMeasurement>({ type: 'measure' }),
            subgraphs.ask<{ cpuMs: number }>({ type: 'measure' }),
          ]);
          const row: RoundResult = {
            ...result,
            gatewayCpuPerReq: (after[0].cpuMs - before[0].cpuMs) / Math.max(1, result.requests),
            subgraphCpuPerReq: (after[1].cpuMs - before[1].cpuMs) / Math.max(1, result.requests),
          };
          const key = `${name}\t${gateway.variant.label}`;
          results.set(key, [...(results.get(key) ?? []), row]);
          log(
            `round ${round + 1} ${name} ${gateway.variant.label}: ${row.rps.toFixed(0)} req/s p50 ${row.p50.toFixed(1)} p99 ${row.p99.toFixed(1)} ms, ` +
              `${row.errors} errors, CPU/req gw ${row.gatewayCpuPerReq.toFixed(2)} sg ${row.subgraphCpuPerReq.toFixed(2)} ms${row.firstError ? ` (${row.firstError})` : ''}`,
          );
        }
      }
      loads.push(loadavg());
    }

    console.log(
      `\n${ROUNDS} interleaved rounds of ${SECONDS} s, ${CONCURRENCY} clients; load average after each round: ${loads.join(' | ')}`,
    );
    console.log(
      '| workload | gateway | req/s (median) | × apollo | × hive | p50 ms | p99 ms | errors | gateway CPU ms/req | subgraphs CPU ms/req |',
    );
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const name of WORKLOAD_NAMES) {
      const rpsOf = (label: string) => {
        const rows = results.get(`${name}\t${label}`);
        return rows ? median(rows.map((r) => r.rps)) : NaN;
      };
      for (const { variant } of gateways) {
        const rows = results.get(`${name}\t${variant.label}`) ?? [];
        const rps = median(rows.map((r) => r.rps));
        const ratio = (label: string) => (Number.isNaN(rpsOf(label)) ? '-' : `${(rps / rpsOf(label)).toFixed(2)}×`);
        console.log(
          `| ${name} | ${variant.label} | ${rps.toFixed(0)} | ${ratio('apollo')} | ${ratio('hive')} | ${median(rows.map((r) => r.p50)).toFixed(1)} | ` +
            `${median(rows.map((r) => r.p99)).toFixed(1)} | ${rows.reduce((s, r) => s + r.errors, 0)} / ${rows.reduce((s, r) => s + r.requests, 0)} | ` +
            `${median(rows.map((r) => r.gatewayCpuPerReq)).toFixed(2)} | ${median(rows.map((r) => r.subgraphCpuPerReq)).toFixed(2)} |`,
        );
      }
    }
  } finally {
    await Promise.all(helpers.map((h) => h.stop()));
    await pg.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
