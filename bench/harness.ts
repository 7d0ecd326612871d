/**
 * What the benchmarks share: fresh databases on a real PostgreSQL (created, migrated and dropped
 * again), the six subgraphs and the gateway started in this process (stack/src/stack.ts, in-process
 * event bus), access tokens signed with the stack's key, a GraphQL client, and the figures' helpers.
 *
 * The PostgreSQL server is BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres).
 */
import './sources';
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import {
  AccessTokenSigner,
  createLogger,
  generateAccessTokenKeys,
  InProcessEventBus,
  SUBGRAPH_NAMES,
  type Identity,
  type PubSub,
  type Role,
  type SubgraphName,
} from '@market/platform';
import { applyMigrations, databaseUrl, dropDatabases, ensureDatabases, migrationsOf } from '@market/platform/db';
import { startStack, type RunningStack } from '../stack/src/stack';
import type { GatewayRequest } from './subscriptions/gateway-process';

export const SERVER_URL = process.env['BENCH_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A numeric knob from the environment. */
export function setting(name: string, fallback: number): number {
  return Number(process.env[name] ?? fallback);
}

export function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** The 1, 5 and 15 minute load averages, as every RESULTS.md figure states them. */
export function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

export interface GraphQLResult {
  data?: Record<string, any> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** A POST of one operation, with a bearer token when given. */
export async function postGraphQL(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  token?: string | null,
): Promise<GraphQLResult> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResult;
}

/**
 * Creates a database per domain (bench_<run>_<domain>), migrates each, runs `body` with their URLs
 * and drops them afterwards, whatever `body` did.
 */
export async function withBenchDatabases<D extends SubgraphName, T>(
  domains: readonly D[],
  body: (urls: Record<D, string>, runId: string) => Promise<T>,
): Promise<T> {
  const runId = `${Date.now().toString(36)}_${process.pid}`;
  const names = Object.fromEntries(domains.map((d) => [d, `bench_${runId}_${d}`])) as Record<D, string>;
  const urls = Object.fromEntries(domains.map((d) => [d, databaseUrl(SERVER_URL, names[d])])) as Record<D, string>;
  await ensureDatabases(SERVER_URL, Object.values(names));
  try {
    const started = Date.now();
    for (const domain of domains) await applyMigrations({ databaseUrl: urls[domain], ...migrationsOf(domain) });
    log(`${domains.length} database(s) created and migrated in ${Date.now() - started} ms`);
    return await body(urls, runId);
  } finally {
    await dropDatabases(SERVER_URL, Object.values(names)).catch((err: unknown) =>
      log(`could not drop the bench databases: ${String(err)}`),
    );
  }
}

export interface BenchStackOptions {
  /** Variables beside the stack's own (DATABASE_POOL_SIZE, a subgraph's knobs). */
  extraEnv?: Record<string, string>;
  /** One pub/sub for the subgraphs, when the benchmark shares it with a gateway of its own. */
  pubsub?: PubSub;
  /** Default BENCH_LOG_LEVEL, else silent. */
  logLevel?: string;
}

export interface BenchStack {
  runId: string;
  urls: Record<SubgraphName, string>;
  stack: RunningStack;
  /** The gateway's GraphQL URL. */
  url: string;
  keys: { privateKeyPem: string; publicKeyPem: string };
  signingSecret: string;
  bus: InProcessEventBus;
  /** An access token as accounts would issue it (the benchmarks measure their domain, not sign-up). */
  sign(identity: Identity): Promise<string>;
  /** A token for a new user of that role. */
  tokenFor(role: Role): Promise<string>;
  request(query: string, variables: Record<string, unknown>, token?: string | null): Promise<GraphQLResult>;
}

/**
 * Runs `body` against the six subgraphs and the gateway on fresh databases; stops the stack, closes
 * the bus and drops the databases afterwards.
 */
export async function withBenchStack<T>(options: BenchStackOptions, body: (bench: BenchStack) => Promise<T>): Promise<T> {
  return withBenchDatabases(SUBGRAPH_NAMES, async (urls, runId) => {
    const bus = new InProcessEventBus(createLogger('events', 'silent'));
    let stack: RunningStack | null = null;
    try {
      const keys = await generateAccessTokenKeys();
      const signingSecret = randomBytes(32).toString('hex');
      stack = await startStack({
        databaseUrls: urls,
        signingSecret,
        jwtPrivateKey: keys.privateKeyPem,
        jwtPublicKey: keys.publicKeyPem,
        nodeEnv: 'test',
        logLevel: options.logLevel ?? process.env['BENCH_LOG_LEVEL'] ?? 'silent',
        bus,
        ...(options.pubsub ? { pubsub: options.pubsub } : {}),
        extraEnv: options.extraEnv ?? {},
      });
      log(`stack up at ${stack.url}`);
      const signer = await AccessTokenSigner.fromPem(keys.privateKeyPem, 3600);
      const sign = async (identity: Identity) => (await signer.sign(identity)).token;
      const url = stack.url;
      return await body({
        runId,
        urls,
        stack,
        url,
        keys,
        signingSecret,
        bus,
        sign,
        tokenFor: (role) => sign({ userId: randomUUID(), role, sessionId: randomUUID() }),
        request: (query, variables, token) => postGraphQL(url, query, variables, token),
      });
    } finally {
      await stack?.stop().catch(() => undefined);
      await bus.close();
    }
  });
}

/** Runs `tasks` with at most `concurrency` in flight; returns each one's latency in ms (sorted) and the wall time. */
export async function load<T>(tasks: (() => Promise<T>)[], concurrency: number): Promise<{ ms: number[]; seconds: number; results: T[] }> {
  const ms: number[] = [];
  const results: T[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < tasks.length) {
        const task = tasks[next++]!;
        const t = performance.now();
        results.push(await task());
        ms.push(performance.now() - t);
      }
    }),
  );
  return { ms: ms.sort((a, b) => a - b), seconds: (performance.now() - started) / 1000, results };
}

/** A forked helper process (run from its TypeScript source) answering one reply per request. */
export function forkHelper(file: string, execArgv: string[] = []) {
  const child: ChildProcess = fork(file, [], { execArgv: ['-r', '@swc-node/register', ...execArgv], stdio: 'inherit' });
  const waiting: ((message: any) => void)[] = [];
  child.on('message', (message) => waiting.shift()?.(message));
  child.on('exit', (code) => {
    if (code !== 0 && waiting.length > 0) {
      log(`${file} exited with ${code}`);
      process.exit(1);
    }
  });
  return {
    child,
    ask<T>(message: object): Promise<T> {
      return new Promise<T>((resolve) => {
        waiting.push(resolve);
        child.send(message);
      });
    },
    /** Asks the helper to stop with `message` and waits until it has exited; without one, kills it. */
    async stop(message?: object): Promise<void> {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      if (message) child.send(message);
      else child.kill();
      await exited;
    },
  };
}

/**
 * The gateway in a process of its own (bench/subscriptions/gateway-process.ts, so its memory is read
 * alone), in front of the bench stack's subgraphs: the helper, and the gateway's URL.
 */
export async function forkGateway(bench: BenchStack, execArgv: string[] = []) {
  const gateway = forkHelper(path.join(__dirname, 'subscriptions', 'gateway-process.ts'), ['--expose-gc', ...execArgv]);
  const subgraphUrls = Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, bench.stack.subgraphs[n].url]));
  const { url } = await gateway.ask<{ url: string }>({
    type: 'start',
    config: {
      signingSecret: bench.signingSecret,
      jwtPublicKey: bench.keys.publicKeyPem,
      subgraphUrls: subgraphUrls as Record<SubgraphName, string>,
    },
  } satisfies GatewayRequest);
  return { gateway, url };
}
