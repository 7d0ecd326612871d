import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { createLogger, SUBGRAPH_NAMES } from '@market/platform';
import { testSecrets } from '@market/platform/testing';
import { SUPERGRAPH_PATH } from '@market/gateway';
import { loadGatewayEnv } from '@market/gateway';
import { createGateway, type GatewayServer } from '@market/gateway';
import { PASSWORD, createUser, startTestStack, type TestStack, type TestUser } from '../src/testing/stack';

/** Configurable trust at the edge: TRUST_PROXY, CORS_ORIGINS and its development defaults, devOutbox, security headers. */

const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) { __typename ... on AuthPayload { accessToken sessionId } } }`;
const MY_SESSIONS = `{ mySessions { edges { node { id ipAddress } } } }`;

describe('trust at the edge', () => {
  let stack: TestStack;
  let user: TestUser;
  const gateways: GatewayServer[] = [];

  /** Another gateway over the same subgraphs, configured by `env`. */
  const gatewayWith = async (env: Record<string, string>) => {
    const secrets = await testSecrets();
    const gateway = await createGateway({
      env: loadGatewayEnv({
        NODE_ENV: 'development',
        GATEWAY_SIGNING_SECRET: secrets.signingSecret,
        JWT_PUBLIC_KEY: secrets.publicKeyPem,
        ...env,
      }),
      supergraphSdl: readFileSync(SUPERGRAPH_PATH, 'utf8'),
      subgraphUrls: Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, stack.subgraphs[n].url])),
      logger: createLogger('gateway', 'silent'),
      revocations: stack.revocations,
    });
    gateways.push(gateway);
    return (await gateway.listen(0, '127.0.0.1')).url;
  };
  const post = async (url: string, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return { res, body: (await res.json()) as { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] } };
  };

  beforeAll(async () => {
    stack = await startTestStack({ nodeEnv: 'development' });
    user = await createUser(stack, 'BUYER', 'Tru Proxy');
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
    await stack?.stop();
  });

  /** The address accounts recorded for a session opened through `url` with X-Forwarded-For: 10.9.9.9. */
  const recordedAddress = async (url: string) => {
    const signedIn = (await post(url, SIGN_IN, { input: { email: user.email, password: PASSWORD } }, { 'x-forwarded-for': '10.9.9.9' }))
      .body.data.signIn;
    const sessions = (await post(url, MY_SESSIONS, {}, { authorization: `Bearer ${signedIn.accessToken}` })).body.data.mySessions.edges.map(
      (e: any) => e.node,
    ) as { id: string; ipAddress: string }[];
    return sessions.find((s) => s.id === signedIn.sessionId)?.ipAddress;
  };

  it('TRUST_PROXY: by default nobody is trusted to name the client; a hop count or a CIDR list of proxies is', async () => {
    expect(await recordedAddress(await gatewayWith({}))).toMatch(/^(127\.0\.0\.1|::ffff:127\.0\.0\.1)$/);
    expect(await recordedAddress(await gatewayWith({ TRUST_PROXY: '1' }))).toBe('10.9.9.9');
    expect(await recordedAddress(await gatewayWith({ TRUST_PROXY: '127.0.0.1/8,::1' }))).toBe('10.9.9.9');
    // A list that does not include the peer: its header is ignored.
    expect(await recordedAddress(await gatewayWith({ TRUST_PROXY: '192.168.0.0/16' }))).toMatch(/127\.0\.0\.1$/);
    expect(() =>
      loadGatewayEnv({ GATEWAY_SIGNING_SECRET: 'x'.repeat(64), JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----', TRUST_PROXY: 'everyone' }),
    ).toThrow(/TRUST_PROXY/);
  });

  it('CORS_ORIGINS: development allows the common dev servers (Vite, Expo, 127.0.0.1) on HTTP and WebSocket; production allows none unless listed', async () => {
    const dev = await gatewayWith({});
    const preflight = (url: string, origin: string) =>
      fetch(url, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
    for (const origin of ['http://localhost:5173', 'http://localhost:8081', 'http://127.0.0.1:5173']) {
      expect((await preflight(dev, origin)).headers.get('access-control-allow-origin')).toBe(origin);
    }
    expect((await preflight(dev, 'https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
    const opened = await new Promise<number | string>((resolve) => {
      const ws = new WebSocket(dev.replace(/^http/, 'ws'), 'graphql-transport-ws', { origin: 'http://127.0.0.1:8081' });
      ws.once('open', () => {
        ws.close();
        resolve('open');
      });
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    });
    expect(opened).toBe('open');

    const prod = await gatewayWith({ NODE_ENV: 'production' });
    expect((await preflight(prod, 'http://localhost:5173')).headers.get('access-control-allow-origin')).toBeNull();
    const listed = await gatewayWith({ NODE_ENV: 'production', CORS_ORIGINS: 'https://app.example' });
    expect((await preflight(listed, 'https://app.example')).headers.get('access-control-allow-origin')).toBe('https://app.example');
  });

  it('devOutbox answers in development only requests from this machine', async () => {
    const DEV_OUTBOX = `query($email: String!) { devOutbox(email: $email) { subject } }`;
    const local = await post(stack.url, DEV_OUTBOX, { email: user.email });
    expect(local.body.errors).toBeUndefined();
    expect(local.body.data.devOutbox.length).toBeGreaterThan(0);
    // The stack's gateway trusts its loopback proxy, so this client is at 10.1.2.3.
    const remote = await post(stack.url, DEV_OUTBOX, { email: user.email }, { 'x-forwarded-for': '10.1.2.3' });
    expect(remote.body.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
  });

  it('sends security headers; HSTS in production', async () => {
    const { res } = await post(await gatewayWith({ NODE_ENV: 'production' }), '{ __typename }');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
  });
});
