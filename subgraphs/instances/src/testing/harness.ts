import { randomInt, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger, MemoryPubSub, type EventBus, type Identity, type Role } from '@market/platform';
import { callSubgraph, testDatabaseUrl, testSecrets, unique, type GraphQLResponse, signedSubscriber } from '@market/platform/testing';
import { createPrisma } from '../db';
import { createSubgraph, loadEnv, type InstancesSubgraph } from '../subgraph';

export const person = (role: Role = 'BUYER'): Identity => ({ userId: randomUUID(), role, sessionId: randomUUID() });

export const INSTANCE_FIELDS = `id status host port driver failureReason exitCode startedAt stoppedAt removedAt
  uptimeSeconds downtimeSeconds owner { id } machine { id name }`;

/**
 * Ports for real processes: each harness takes its own block of 20, so processes of different
 * harnesses never compete for a port (the database keeps ports unique per host only). Below the
 * kernel's ephemeral range (32768+), where outgoing connections would take them.
 */
let nextBlock = randomInt(0, 400);
function portBlock(): string {
  const first = 21000 + (nextBlock++ % 400) * 20;
  return `${first}-${first + 19}`;
}

/** A loopback address of its own per harness: each harness reconciles only the instances of its host. */
function loopbackHost(): string {
  return `127.${randomInt(1, 255)}.${randomInt(1, 255)}.${randomInt(1, 255)}`;
}

export interface HarnessOptions {
  bus?: EventBus | null;
  host?: string;
  dataDir?: string;
  env?: Record<string, string>;
}

/**
 * An instances subgraph that runs real local processes: on its own loopback host and port block,
 * with working directories in a temporary directory, and a separate database client to look at
 * what was written.
 */
export async function startRuntimeHarness(options: HarnessOptions = {}) {
  const secrets = await testSecrets();
  const host = options.host ?? loopbackHost();
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'instances-test-'));
  const env = loadEnv({
    NODE_ENV: 'test',
    DATABASE_URL: testDatabaseUrl('instances'),
    DATABASE_POOL_SIZE: '5',
    GATEWAY_SIGNING_SECRET: secrets.signingSecret,
    INSTANCE_HOST: host,
    INSTANCE_PORT_RANGE: portBlock(),
    INSTANCES_DATA_DIR: dataDir,
    INSTANCE_PROCESS_PATH: path.dirname(process.execPath) + ':/usr/bin:/bin',
    INSTANCE_STOP_GRACE_MS: '1500',
    INSTANCE_RECONCILE_INTERVAL_MS: '0',
    ...options.env,
  });
  const logger = createLogger('instances', (process.env['INSTANCES_TEST_LOG'] as 'silent' | undefined) ?? 'silent');
  const pubsub = new MemoryPubSub(logger);
  const subgraph: InstancesSubgraph = await createSubgraph(env, logger, { bus: options.bus ?? null, pubsub });
  const running = await subgraph.listen(0, '127.0.0.1');
  const db = createPrisma(env.DATABASE_URL, 2);
  const admin = person('ADMIN');
  let closed = false;

  const call = <T = any>(query: string, variables: Record<string, unknown>, identity: Identity | null): Promise<GraphQLResponse<T>> =>
    callSubgraph<T>(running.url, { query, variables }, { secret: secrets.signingSecret, identity });

  /** Calls and fails the test on any error. */
  async function ok<T = any>(query: string, variables: Record<string, unknown>, identity: Identity | null): Promise<T> {
    const res = await call<T>(query, variables, identity);
    if (res.errors) throw new Error(`${query}\n${JSON.stringify(res.errors)}`);
    return res.data as T;
  }

  async function machine(command: string[], overrides: Record<string, unknown> = {}): Promise<{ id: string; name: string }> {
    const input = { name: unique('proc'), command, maxInstancesPerUser: 10, capacity: 100, ...overrides };
    return (await ok(`mutation($input: CreateMachineInput!) { createMachine(input: $input) { id name } }`, { input }, admin)).createMachine;
  }

  async function instance(id: string, who: Identity = admin): Promise<any> {
    return (await ok(`query($id: ID!) { instance(id: $id) { ${INSTANCE_FIELDS} volumeSizeBytes } }`, { id }, who)).instance;
  }

  /** Polls the instance until `accept` holds (10 s at most). */
  async function waitFor(id: string, accept: (i: any) => boolean, what = 'the expected state'): Promise<any> {
    const deadline = Date.now() + 10_000;
    let last: any;
    while (Date.now() < deadline) {
      last = await instance(id);
      if (last && accept(last)) return last;
      await sleep(50);
    }
    throw new Error(`instance ${id} did not reach ${what}; last seen: ${JSON.stringify(last)}`);
  }

  async function waitForStatus(id: string, status: string): Promise<any> {
    return waitFor(id, (i) => i.status === status, status);
  }

  /** Every stored log line of the instance, paged through `first` at a time. */
  async function logLines(
    id: string,
    who: Identity = admin,
    first = 100,
  ): Promise<{ id: string; cursor: string; at: string; stream: string; line: string }[]> {
    const lines = [];
    let after: string | null = null;
    for (;;) {
      const page: any = (
        await ok(
          `query($id: ID!, $after: String, $first: Int) { instanceLogLines(instanceId: $id, after: $after, first: $first) {
            edges { cursor node { id cursor at stream line } } pageInfo { hasNextPage endCursor } } }`,
          { id, after, first },
          who,
        )
      ).instanceLogLines;
      lines.push(...page.edges.map((e: any) => e.node));
      if (!page.pageInfo.hasNextPage) return lines;
      after = page.pageInfo.endCursor;
    }
  }

  async function waitForLog(id: string, accept: (lines: string[]) => boolean, what: string): Promise<string[]> {
    const deadline = Date.now() + 10_000;
    let last: string[] = [];
    while (Date.now() < deadline) {
      last = (await logLines(id)).map((l) => l.line);
      if (accept(last)) return last;
      await sleep(50);
    }
    throw new Error(`instance ${id} never logged ${what}; it logged: ${JSON.stringify(last)}`);
  }

  const subscriber = signedSubscriber(running.url, secrets.signingSecret);
  const subscribe = subscriber.subscribe;

  return {
    host,
    dataDir,
    pubsub,
    subscribe,
    env,
    db,
    admin,
    subgraph,
    call,
    ok,
    machine,
    instance,
    waitFor,
    waitForStatus,
    logLines,
    waitForLog,
    async create(machineId: string, who: Identity): Promise<any> {
      const data = await ok(
        `mutation($id: ID!) { createInstance(machineId: $id) { __typename ... on Instance { ${INSTANCE_FIELDS} } } }`,
        { id: machineId },
        who,
      );
      return data.createInstance;
    },
    volumeDir: (instanceId: string) => path.join(dataDir, instanceId, 'volume'),
    idle: () => subgraph.idle(),
    /** Closes the subgraph (which stops its processes), keeping the data directory unless asked. */
    async close(options: { keepDataDir?: boolean } = {}) {
      if (closed) return;
      closed = true;
      await subscriber.close();
      await running.close();
      await subgraph.close();
      await pubsub.close();
      await db.$disconnect();
      if (!options.keepDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type RuntimeHarness = Awaited<ReturnType<typeof startRuntimeHarness>>;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether a process (or, with a negative pid, a process group) exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Waits until none of the pids (nor their groups) exist (5 s at most); true when they are all gone. */
export async function allGone(pids: number[]): Promise<boolean> {
  const deadline = Date.now() + 5_000;
  while (pids.some((p) => alive(p) || alive(-p))) {
    if (Date.now() > deadline) return false;
    await sleep(25);
  }
  return true;
}

/** Kills whatever is left of these processes (tests call it in afterAll, whatever happened). */
export function killAll(pids: Iterable<number>): void {
  for (const pid of pids) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
}
