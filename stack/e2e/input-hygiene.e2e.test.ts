import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { createLogger, SUBGRAPH_NAMES } from '@market/platform';
import { testSecrets } from '@market/platform/testing';
import { SUPERGRAPH_PATH } from '@market/gateway';
import { loadGatewayEnv } from '@market/gateway';
import { createGateway, type GatewayServer } from '@market/gateway';
import { createUser, startTestStack, type TestStack, type TestUser } from '../src/testing/stack';
import { subscribe } from '../src/testing/ws';

const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { __typename } }`;
const RESCHEDULE = `mutation($id: ID!, $from: DateTime!, $to: DateTime!) { rescheduleViewing(id: $id, startsAt: $from, endsAt: $to) { __typename } }`;
const UNKNOWN_VIEWING = '00000000-0000-4000-8000-000000000000';

describe('input hygiene at the gateway', () => {
  let stack: TestStack;
  let user: TestUser;
  beforeAll(async () => {
    stack = await startTestStack();
    user = await createUser(stack, 'BUYER', 'Ina Input');
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const expectRefused = (
    res: { status: number; data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] },
    where: RegExp,
  ) => {
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(where);
  };

  it('refuses a NUL byte in a variable with BAD_USER_INPUT naming it, before any subgraph sees it', async () => {
    const res = await stack.request(SIGN_UP, {
      input: { name: 'Nul\u0000Name', email: 'nul-byte@example.com', password: 'a long enough password' },
    });
    expectRefused(res, /NUL bytes.*variable \$input\.name/);
  });

  it('refuses a lone surrogate in a variable, and a NUL in a literal', async () => {
    expectRefused(await stack.request(`query($e: String!) { emailAvailable(email: $e) }`, { e: 'a\ud800b@example.com' }), /variable \$e/);
    expectRefused(await stack.request(`{ emailAvailable(email: "a\\u0000b@example.com") }`), /string literal/);
  });

  it('refuses the same on WebSocket subscriptions', async () => {
    const live = subscribe(stack, `subscription($id: ID!) { listingUpdated(listingId: $id) { title } }`, { id: 'x\u0000' });
    await live.done;
    expect((live.failure as { extensions?: Record<string, unknown> }[])[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
  });

  it('accepts DateTime only as RFC 3339 with an offset, and only real dates', async () => {
    for (const [from, to] of [
      ['2027-02-30T10:00:00Z', '2027-02-30T11:00:00Z'],
      ['2027-03-01T10:00:00', '2027-03-01T11:00:00'],
      ['2027-03-01', '2027-03-02'],
      ['2027-03-01T24:30:00Z', '2027-03-01T25:00:00Z'],
    ]) {
      const res = await stack.request(RESCHEDULE, { id: UNKNOWN_VIEWING, from, to }, user.token);
      expect(res.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.message).toMatch(/RFC 3339|real date/);
    }
    // Well-formed instants with any offset get past the scalar (to the resolver, which knows no such viewing).
    const ok = await stack.request(
      RESCHEDULE,
      { id: UNKNOWN_VIEWING, from: '2027-03-01T10:00:00+01:00', to: '2027-03-01T11:30:00.000Z' },
      user.token,
    );
    expect(ok.errors?.[0]?.extensions?.['code'] ?? ok.data?.rescheduleViewing?.__typename).not.toBe('BAD_USER_INPUT');
  });
});

describe('signed gateway -> subgraph calls are single-use', () => {
  let stack: TestStack;
  let gateway: GatewayServer;
  let url: string;
  const captured: { headers: http.IncomingHttpHeaders; body: Buffer }[] = [];
  let recorder: http.Server;

  beforeAll(async () => {
    stack = await startTestStack();
    const target = stack.subgraphs.accounts.url;
    // Records what the gateway sends accounts, as someone on the network between them could.
    recorder = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        captured.push({ headers: req.headers, body });
        const headers = Object.fromEntries(
          Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length'].includes(k)),
        ) as Record<string, string>;
        fetch(target, { method: 'POST', headers, body })
          .then(async (r) => {
            res.writeHead(r.status, { 'content-type': 'application/json' });
            res.end(Buffer.from(await r.arrayBuffer()));
          })
          .catch(() => res.destroy());
      });
    });
    await new Promise<void>((r) => recorder.listen(0, '127.0.0.1', () => r()));
    const secrets = await testSecrets();
    gateway = await createGateway({
      env: loadGatewayEnv({ NODE_ENV: 'test', GATEWAY_SIGNING_SECRET: secrets.signingSecret, JWT_PUBLIC_KEY: secrets.publicKeyPem }),
      supergraphSdl: readFileSync(SUPERGRAPH_PATH, 'utf8'),
      subgraphUrls: {
        ...Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, stack.subgraphs[n].url])),
        accounts: `http://127.0.0.1:${(recorder.address() as AddressInfo).port}/graphql`,
      },
      logger: createLogger('gateway', 'silent'),
      revocations: stack.revocations,
    });
    url = (await gateway.listen(0, '127.0.0.1')).url;
  });
  afterAll(async () => {
    await gateway?.stop();
    recorder?.closeAllConnections();
    await new Promise((r) => recorder?.close(r));
    await stack?.stop();
  });

  it('refuses a captured request replayed to the subgraph within the signature window', async () => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ emailAvailable(email: "replay@example.com") }' }),
    });
    expect(((await res.json()) as { data: unknown }).data).toEqual({ emailAvailable: true });
    const call = captured.at(-1);
    expect(call?.headers['x-market-signature']).toMatch(/^t=\d+,n=[0-9a-f]{32},v1=/);
    const replay = await fetch(stack.subgraphs.accounts.url, {
      method: 'POST',
      headers: Object.fromEntries(
        Object.entries(call!.headers).filter(([k]) => !['host', 'connection', 'content-length'].includes(k)),
      ) as Record<string, string>,
      body: call!.body,
    });
    expect(replay.status).toBe(403);
    expect(((await replay.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('FORBIDDEN');
  });
});
