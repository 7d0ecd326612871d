import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { SUBGRAPH_NAMES } from '@market/platform';
import { testSecrets } from '@market/platform/testing';
import { SUPERGRAPH_PATH } from '@market/gateway';
import { loadGatewayEnv } from '@market/gateway';
import { createGateway, type GatewayServer } from '@market/gateway';
import { createUser, startTestStack, type TestStack, type TestUser } from '../src/testing/stack';

/** A subgraph that accepts every request and never answers. */
function hungServer(): Promise<{ url: string; requests: () => number; close(): Promise<void> }> {
  let requests = 0;
  const server = http.createServer(() => {
    requests += 1;
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
        requests: () => requests,
        close: () =>
          new Promise((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      }),
    ),
  );
}

type Body = { data?: any; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[] };

describe('faults stay partial: a hung or dead subgraph costs only its own fields', () => {
  let stack: TestStack;
  let hung: Awaited<ReturnType<typeof hungServer>>;
  let gateway: GatewayServer;
  let url: string;
  let user: TestUser;
  const logs: Record<string, unknown>[] = [];

  const query = async (q: string): Promise<{ status: number; body: Body }> => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` },
      body: JSON.stringify({ query: q }),
    });
    return { status: res.status, body: (await res.json()) as Body };
  };

  beforeAll(async () => {
    stack = await startTestStack();
    user = await createUser(stack, 'BUYER', 'Partial Pat');
    hung = await hungServer();
    const secrets = await testSecrets();
    const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
    gateway = await createGateway({
      // Production: graphql-armor's suggestion blocker used to turn a fetch timeout into a 500 there.
      env: loadGatewayEnv({
        NODE_ENV: 'production',
        GATEWAY_SIGNING_SECRET: secrets.signingSecret,
        JWT_PUBLIC_KEY: secrets.publicKeyPem,
        SUBGRAPH_TIMEOUT_MS: '300',
        CIRCUIT_BREAKER_FAILURES: '3',
        CIRCUIT_BREAKER_COOLDOWN_MS: '60000',
        UPSTREAM_FAILURE_LOG_INTERVAL_MS: '60000',
      }),
      supergraphSdl: readFileSync(SUPERGRAPH_PATH, 'utf8'),
      subgraphUrls: {
        ...Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, stack.subgraphs[n].url])),
        engagement: hung.url,
        // Nothing listens on port 1: connection refused.
        instances: 'http://127.0.0.1:1/graphql',
      },
      logger,
      revocations: stack.revocations,
    });
    url = (await gateway.listen(0, '127.0.0.1')).url;
  });
  afterAll(async () => {
    await gateway?.stop();
    await hung?.close();
    await stack?.stop();
  });

  it('a hung subgraph: data for everything else, SUBGRAPH_UNAVAILABLE with path and serviceName for its fields', async () => {
    const { status, body } = await query('{ me { id name posts { id } } }');
    expect(status).toBe(200);
    expect(body.data).toEqual({ me: { id: user.id, name: 'Partial Pat', posts: null } });
    expect(body.errors).toEqual([
      expect.objectContaining({
        path: ['me', 'posts'],
        extensions: expect.objectContaining({
          code: 'SUBGRAPH_UNAVAILABLE',
          serviceName: 'engagement',
          reason: 'timeout',
          retryable: true,
        }),
      }),
    ]);
  });

  it('a dead subgraph (connection refused): the same, for its fields only', async () => {
    const { status, body } = await query('{ me { name instances { edges { node { id } } } } }');
    expect(status).toBe(200);
    expect(body.data).toEqual({ me: { name: 'Partial Pat', instances: null } });
    expect(body.errors).toEqual([
      expect.objectContaining({
        path: ['me', 'instances'],
        extensions: expect.objectContaining({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'instances', reason: 'unreachable' }),
      }),
    ]);
  });

  it('a subgraph that keeps timing out trips its circuit breaker: no more waiting on it', async () => {
    await query('{ me { posts { id } } }');
    await query('{ me { posts { id } } }');
    // Three timeouts so far (the threshold): the circuit is open.
    expect(hung.requests()).toBe(3);
    const started = Date.now();
    const { body } = await query('{ me { name posts { id } } }');
    expect(Date.now() - started).toBeLessThan(300);
    expect(hung.requests()).toBe(3);
    expect(body.data.me).toEqual({ name: 'Partial Pat', posts: null });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'engagement', reason: 'circuit_open' });
  });

  it('logs repeated failures once per interval per subgraph, not once per request', () => {
    const failures = logs.filter((l) => l['msg'] === 'subgraph call failed');
    expect(failures.filter((l) => l['subgraph'] === 'engagement' && l['reason'] === 'timeout')).toHaveLength(1);
    expect(failures.filter((l) => l['subgraph'] === 'instances')).toHaveLength(1);
    expect(JSON.stringify(failures)).not.toContain('"stack"');
  });

  it('stays ready while subgraphs are down, and reports each subgraph separately', async () => {
    const base = url.replace(/\/graphql$/, '');
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    const subgraphs = await fetch(`${base}/readyz/subgraphs`);
    expect(subgraphs.status).toBe(503);
    const report = (await subgraphs.json()) as { down: string[]; subgraphs: Record<string, { status: string; circuit: string }> };
    expect(report.down.sort()).toEqual(['engagement', 'instances']);
    expect(report.subgraphs['engagement']).toMatchObject({ status: 'down', circuit: 'open' });
    expect(report.subgraphs['accounts']).toMatchObject({ status: 'ready', circuit: 'closed' });
  });
});
