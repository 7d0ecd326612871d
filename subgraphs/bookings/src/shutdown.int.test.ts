import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import path from 'node:path';
import { CALLER_HEADER, REQUEST_ID_HEADER, SIGNATURE_HEADER, encodeCaller, signRequest } from '@market/platform';
import { testDatabaseUrl, testSecrets, eventually } from '@market/platform/testing';

/**
 * The production process, as a process: `main.ts` on the platform host, built to dist by the test
 * command. SIGTERM drains: readiness turns 503, requests already being received finish, and the
 * process exits 0; a new process serves right after.
 */
const MAIN = path.join(__dirname, '..', 'dist', 'main.js');

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function startBookings(port: number, secret: string, extraEnv: Record<string, string> = {}): ChildProcess {
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: testDatabaseUrl('bookings'),
    GATEWAY_SIGNING_SECRET: secret,
    SHUTDOWN_TIMEOUT_MS: '10000',
    ...extraEnv,
  };
  return spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
}

async function readyz(port: number): Promise<number> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/readyz`)).status;
  } catch {
    return 0;
  }
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

/**
 * A signed request whose body arrives in two halves: the server has its headers (the request is in
 * flight) until `finish()` sends the rest. Resolves with the status and body the server answered.
 */
function slowRequest(port: number, secret: string) {
  const body = JSON.stringify({ query: '{ __typename }' });
  const callerHeader = encodeCaller({ identity: null, ip: '127.0.0.1', userAgent: 'jest' });
  const requestId = `drain-${randomBytes(6).toString('hex')}`;
  const req = http.request({
    host: '127.0.0.1',
    port,
    path: '/graphql',
    method: 'POST',
    agent: false,
    headers: {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      [CALLER_HEADER]: callerHeader,
      [REQUEST_ID_HEADER]: requestId,
      [SIGNATURE_HEADER]: signRequest(secret, { callerHeader, requestId, body }),
    },
  });
  const half = Math.floor(body.length / 2);
  const answered = new Promise<{ status: number; text: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  const connected = new Promise<void>((resolve) => req.on('socket', (socket) => socket.once('connect', () => resolve())));
  req.write(body.slice(0, half));
  req.flushHeaders();
  return {
    connected,
    answered,
    finish: () => req.end(body.slice(half)),
  };
}

describe('a bookings process on the platform host', () => {
  let secret: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    secret = (await testSecrets()).signingSecret;
  });

  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('drains on SIGTERM: readiness 503 at once, requests in flight finish, exit 0', async () => {
    const port = await freePort();
    const child = startBookings(port, secret);
    children.push(child);
    let logs = '';
    child.stdout?.on('data', (d: Buffer) => (logs += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (logs += d.toString()));
    await eventually(async () => (await readyz(port)) === 200, { what: 'the process to be ready', timeoutMs: 30_000 });

    // Twenty requests whose bodies are still arriving when the signal comes.
    const inFlight = Array.from({ length: 20 }, () => slowRequest(port, secret));
    await Promise.all(inFlight.map((r) => r.connected));
    await new Promise((r) => setTimeout(r, 100));
    const exit = exited(child);
    child.kill('SIGTERM');
    await eventually(async () => (await readyz(port)) !== 200, { what: 'readiness to turn 503', timeoutMs: 5_000 });
    // New connections are refused or told 503; the ones in flight are still served.
    await new Promise((r) => setTimeout(r, 300));
    for (const r of inFlight) r.finish();
    const answers = await Promise.all(inFlight.map((r) => r.answered));
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.text)).toEqual({ data: { __typename: 'Query' } });
    }
    expect(await exit).toBe(0);
    expect(logs).toContain('"msg":"stopped"');
  });

  it('serves again right after the previous process drained', async () => {
    const port = await freePort();
    const first = startBookings(port, secret);
    children.push(first);
    await eventually(async () => (await readyz(port)) === 200, { what: 'the first process to be ready', timeoutMs: 30_000 });
    first.kill('SIGTERM');
    expect(await exited(first)).toBe(0);
    const second = startBookings(port, secret);
    children.push(second);
    await eventually(async () => (await readyz(port)) === 200, { what: 'the second process to be ready', timeoutMs: 30_000 });
    second.kill('SIGTERM');
    expect(await exited(second)).toBe(0);
  });
});
