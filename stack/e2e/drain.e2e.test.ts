import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { SUBGRAPH_NAMES } from '@market/platform';
import { testSecrets } from '@market/platform/testing';
import { startTestStack, type TestStack } from '../src/testing/stack';

const ROOT = path.resolve(__dirname, '../..');
const SLOW_MS = 1_500;
const IN_FLIGHT = 20;

/** Holds every request SLOW_MS before forwarding it, so requests are surely in flight at SIGTERM. */
function slowProxy(target: string): Promise<{ url: string; seen: () => number; close(): Promise<void> }> {
  let seen = 0;
  const server = http.createServer((req, res) => {
    seen += 1;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      setTimeout(() => {
        const headers = Object.fromEntries(
          Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length'].includes(k)),
        ) as Record<string, string>;
        fetch(target, { method: 'POST', headers, body: Buffer.concat(chunks) })
          .then(async (r) => {
            res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
            res.end(Buffer.from(await r.arrayBuffer()));
          })
          .catch(() => res.destroy());
      }, SLOW_MS);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
        seen: () => seen,
        close: () =>
          new Promise((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      }),
    ),
  );
}

/** The production entry point (index.ts) as its own process, from the sources. */
async function startGatewayProcess(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null>; logs: string[] }> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', '-r', './bench/sources.ts', 'gateway/src/index.ts'], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start: ${logs.join('\n')}`)), 90_000);
    child.stderr?.on('data', (c: Buffer) => logs.push(c.toString()));
    let buffered = '';
    child.stdout?.on('data', (c: Buffer) => {
      buffered += c.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        logs.push(line);
        const url = /"url":"([^"]+)"/.exec(line)?.[1];
        if (line.includes('gateway listening') && url) {
          clearTimeout(timer);
          resolve(url);
        }
      }
    });
    void exited.then((code) => reject(new Error(`gateway exited with ${code}: ${logs.join('\n')}`)));
  });
  return { child, url, exited, logs };
}

describe('graceful drain of the gateway process (SIGTERM)', () => {
  let stack: TestStack;
  let proxy: Awaited<ReturnType<typeof slowProxy>>;
  beforeAll(async () => {
    stack = await startTestStack();
    proxy = await slowProxy(stack.subgraphs.accounts.url);
  });
  afterAll(async () => {
    await proxy?.close();
    await stack?.stop();
  });

  it('answers /readyz 503 at once, finishes every request in flight, closes sockets with 1001 and exits 0', async () => {
    const secrets = await testSecrets();
    const gateway = await startGatewayProcess({
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      PORT: '0',
      GATEWAY_SIGNING_SECRET: secrets.signingSecret,
      JWT_PUBLIC_KEY: secrets.publicKeyPem,
      ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [`${name.toUpperCase()}_URL`, stack.subgraphs[name].url])),
      ACCOUNTS_URL: proxy.url,
      SHUTDOWN_DELAY_MS: '400',
      SHUTDOWN_TIMEOUT_MS: '10000',
    });
    try {
      const base = gateway.url.replace(/\/graphql$/, '');
      expect((await fetch(`${base}/readyz`)).status).toBe(200);

      const closed = new Promise<number>((resolve) => {
        const client = createClient({
          url: gateway.url.replace(/^http/, 'ws'),
          webSocketImpl: WebSocket,
          lazy: false,
          retryAttempts: 0,
          onNonLazyError: () => undefined,
        });
        client.on('closed', (event) => resolve((event as { code: number }).code));
      });

      const requests = Array.from({ length: IN_FLIGHT }, (_, i) =>
        fetch(gateway.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: 'query($e: String!) { emailAvailable(email: $e) }', variables: { e: `drain-${i}@example.com` } }),
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as { data?: { emailAvailable: boolean } } })),
      );
      const deadline = Date.now() + 20_000;
      while (proxy.seen() < IN_FLIGHT && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(proxy.seen()).toBe(IN_FLIGHT);

      gateway.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 50));
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(503);

      const answers = await Promise.all(requests);
      expect(answers.map((a) => [a.status, a.body.data?.emailAvailable])).toEqual(Array.from({ length: IN_FLIGHT }, () => [200, true]));
      expect(await closed).toBe(1001);
      expect(await gateway.exited).toBe(0);
      expect(gateway.logs.join('\n')).not.toContain('were cut');
    } finally {
      gateway.child.kill('SIGKILL');
    }
  }, 180_000);
});
