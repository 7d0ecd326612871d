import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';
import {
  AccessTokenSigner,
  RedisSessionRevocations,
  createLogger,
  createRedis,
  SUBGRAPH_NAMES,
  type SessionRevocations,
} from '@market/platform';
import { testSecrets } from '@market/platform/testing';
import { SUPERGRAPH_PATH } from '@market/gateway';
import { loadGatewayEnv } from '@market/gateway';
import { createGateway, type GatewayServer } from '@market/gateway';
import { PASSWORD, createUser, eventually, startTestStack, type TestStack, type TestUser } from '../src/testing/stack';
import { subscribe } from '../src/testing/ws';

/**
 * Sessions end on open sockets too: a revocation closes the session's sockets with 4403 on every
 * gateway replica, every subscribe checks the session again, and an expiring token closes with
 * 4403, which stock graphql-ws clients retry with a fresh token from `connectionParams`.
 */

const NOTIFICATIONS = `subscription { notificationAdded { kind title cursor } }`;
const LISTING_UPDATED = `subscription($listingId: ID!) { listingUpdated(listingId: $listingId) { id title version } }`;
const CREATE = `mutation($input: CreateListingInput!) { createListing(input: $input) { id } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateListingInput!) { updateListing(id: $id, input: $input) { version } }`;
const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) { __typename ... on AuthPayload { accessToken } } }`;

const rental = {
  title: 'Studio near the park',
  description: 'Quiet studio with a balcony over the park, two minutes from the tram stop.',
  kind: 'RENT',
  propertyType: 'APARTMENT',
  address: { line1: '3 Park Lane', city: 'Lyon', country: 'FR' },
  bedrooms: 1,
  bathrooms: 1,
  toilets: 1,
  location: { latitude: 45.76, longitude: 4.83 },
  images: ['https://images.example.com/studio-1.jpg'],
  status: 'ACTIVE',
  pricePerNight: '70.00',
  maxGuests: 2,
  timeZone: 'Europe/Paris',
};

/** The claims of a token (the test signs short-lived ones for the same session). */
function claims(token: string): { sub: string; sid: string; role: string } {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub: string; sid: string; role: string };
}

/** A closed socket's code, as the testing/ws helper records it. */
const closeCode = (failure: unknown) => (failure as { code?: number } | null)?.code;

describe('sessions end on open sockets', () => {
  let stack: TestStack;
  /** A second replica sharing the stack's revocation store (its feed included), as replicas share Redis. */
  let replica: GatewayServer;
  let replicaUrl: string;
  /** A gateway that checks the store but hears no announcements: only the per-subscribe check can catch an ended session. */
  let deaf: GatewayServer;
  let deafUrl: string;

  const startGateway = async (revocations: SessionRevocations | undefined, env: Record<string, string> = {}) => {
    const secrets = await testSecrets();
    const gateway = await createGateway({
      env: loadGatewayEnv({
        NODE_ENV: 'test',
        GATEWAY_SIGNING_SECRET: secrets.signingSecret,
        JWT_PUBLIC_KEY: secrets.publicKeyPem,
        ...env,
      }),
      supergraphSdl: readFileSync(SUPERGRAPH_PATH, 'utf8'),
      subgraphUrls: Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, stack.subgraphs[n].url])),
      logger: createLogger('gateway', 'silent'),
      ...(revocations ? { revocations } : {}),
      subscriptionLimits: { upstreamIdleCloseMs: 50 },
    });
    return { gateway, url: (await gateway.listen(0, '127.0.0.1')).url };
  };

  beforeAll(async () => {
    stack = await startTestStack();
    ({ gateway: replica, url: replicaUrl } = await startGateway(stack.revocations));
    const store = stack.revocations;
    ({ gateway: deaf, url: deafUrl } = await startGateway({
      revokeSessions: (ids) => store.revokeSessions(ids),
      revokeUser: (id) => store.revokeUser(id),
      reinstateUser: (id) => store.reinstateUser(id),
      check: (token) => store.check(token),
    }));
  });
  afterAll(async () => {
    await deaf?.stop();
    await replica?.stop();
    await stack?.stop();
  });

  it('logout closes the session’s open sockets with 4403 on every replica within seconds', async () => {
    const user = await createUser(stack, 'BUYER', 'Lou Logout');
    const here = subscribe(stack, NOTIFICATIONS, {}, user.token);
    const there = subscribe({ url: replicaUrl }, NOTIFICATIONS, {}, user.token);
    await eventually(async () => stack.gateway.subscriptions.stats().subscriptions > 0 && replica.subscriptions.stats().subscriptions > 0);

    const started = Date.now();
    const res = await stack.request(`mutation { logout }`, {}, user.token);
    expect(res.data).toEqual({ logout: true });
    await Promise.all([here.done, there.done]);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(closeCode(here.failure)).toBe(4403);
    expect(closeCode(there.failure)).toBe(4403);
    expect((here.failure as { reason: string }).reason).toMatch(/session has ended/);
  });

  it('with Redis (REDIS_URL): a revocation written there closes the session’s sockets on every gateway replica', async () => {
    const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
    const a = await startGateway(undefined, { REDIS_URL: redisUrl });
    const b = await startGateway(undefined, { REDIS_URL: redisUrl });
    // Accounts' side of the port, as accounts writes it when REDIS_URL is set.
    const writer = createRedis(redisUrl, createLogger('accounts', 'silent'), { name: 'test-revocation-writer' });
    try {
      const user = await createUser(stack, 'BUYER', 'Reddy Replica');
      const onA = subscribe({ url: a.url }, NOTIFICATIONS, {}, user.token);
      const onB = subscribe({ url: b.url }, NOTIFICATIONS, {}, user.token);
      await eventually(async () => a.gateway.subscriptions.stats().subscriptions > 0 && b.gateway.subscriptions.stats().subscriptions > 0);
      await new RedisSessionRevocations(writer, createLogger('accounts', 'silent')).revokeSessions([claims(user.token).sid]);
      await Promise.all([onA.done, onB.done]);
      expect([closeCode(onA.failure), closeCode(onB.failure)]).toEqual([4403, 4403]);
    } finally {
      writer.disconnect();
      await a.gateway.stop();
      await b.gateway.stop();
    }
  });

  it('suspension closes every socket of the user (all their sessions) with 4403', async () => {
    const admin = await createUser(stack, 'ADMIN', 'Ada Admin');
    const user = await createUser(stack, 'BUYER', 'Sue Suspended');
    const second = (await stack.request(SIGN_IN, { input: { email: user.email, password: PASSWORD } })).data.signIn.accessToken as string;
    const first = subscribe(stack, NOTIFICATIONS, {}, user.token);
    const other = subscribe({ url: replicaUrl }, NOTIFICATIONS, {}, second);
    await eventually(async () => stack.gateway.subscriptions.stats().subscriptions > 0 && replica.subscriptions.stats().subscriptions > 0);
    const res = await stack.request(`mutation($id: ID!) { suspendUser(userId: $id) { id } }`, { id: user.id }, admin.token);
    expect(res.errors).toBeUndefined();
    await Promise.all([first.done, other.done]);
    expect([closeCode(first.failure), closeCode(other.failure)]).toEqual([4403, 4403]);
  });

  it('closes only the ended session’s sockets: the same user’s other session keeps its socket', async () => {
    const user = await createUser(stack, 'BUYER', 'Tess Twotabs');
    const other = await stack.request(SIGN_IN, { input: { email: user.email, password: PASSWORD } });
    const otherToken = other.data.signIn.accessToken as string;
    const ending = subscribe(stack, NOTIFICATIONS, {}, user.token);
    const staying = subscribe(stack, NOTIFICATIONS, {}, otherToken);
    await eventually(async () => stack.gateway.subscriptions.stats().subscriptions >= 2);
    await stack.request(`mutation { logout }`, {}, user.token);
    await ending.done;
    expect(closeCode(ending.failure)).toBe(4403);
    await new Promise((r) => setTimeout(r, 300));
    expect(staying.ended).toBe(false);
    await staying.disconnect();
  });

  it('every new subscribe checks the session again, even where no announcement arrived', async () => {
    const user = await createUser(stack, 'BUYER', 'Dee Deaf');
    const closed: number[] = [];
    const client: Client = createClient({
      url: deafUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      onNonLazyError: () => undefined,
      connectionParams: { authorization: `Bearer ${user.token}` },
      on: { closed: (event) => void closed.push((event as { code: number }).code) },
    });
    try {
      const first = await new Promise<unknown>((resolve) => {
        const stop = client.subscribe({ query: NOTIFICATIONS }, { next: () => undefined, error: resolve, complete: () => resolve(null) });
        setTimeout(() => {
          stop();
          resolve('open');
        }, 500);
      });
      expect(first).toBe('open');
      await stack.request(`mutation { logout }`, {}, user.token);
      await new Promise((r) => setTimeout(r, 200));
      // This gateway heard nothing, so the socket is still open; the next subscribe finds out.
      expect(closed).toEqual([]);
      const second = await new Promise<unknown>((resolve) =>
        client.subscribe({ query: NOTIFICATIONS }, { next: () => undefined, error: resolve, complete: () => resolve(null) }),
      );
      expect(second).toBeDefined();
      await eventually(async () => closed.length > 0);
      expect(closed).toEqual([4403]);
    } finally {
      await client.dispose();
    }
  });

  it('a stock graphql-ws client with short-lived tokens keeps receiving across expiry (4403, refresh in connectionParams, reconnect)', async () => {
    const host: TestUser = await createUser(stack, 'HOST', 'Kit Keepalive');
    const secrets = await testSecrets();
    const { sub, sid, role } = claims(host.token);
    // Tokens of 2 seconds for the same session, as accounts' refreshSession would hand out.
    const signer = await AccessTokenSigner.fromPem(secrets.privateKeyPem, 2);
    const fresh = async () => (await signer.sign({ userId: sub, sessionId: sid, role: role as 'HOST' })).token;
    const created = await stack.request(CREATE, { input: rental }, host.token);
    const listingId = created.data.createListing.id as string;

    const codes: number[] = [];
    let connected = 0;
    const events: number[] = [];
    const errors: unknown[] = [];
    const client = createClient({
      url: stack.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: async () => ({ authorization: `Bearer ${await fresh()}` }),
      on: {
        connected: () => void (connected += 1),
        closed: (event) => void codes.push((event as { code: number }).code),
      },
    });
    try {
      client.subscribe<{ listingUpdated: { version: number } }>(
        { query: LISTING_UPDATED, variables: { listingId } },
        {
          next: (r) => void (r.data && events.push(r.data.listingUpdated.version)),
          error: (e) => void errors.push(e),
          complete: () => undefined,
        },
      );
      let title = 0;
      const update = () => stack.request(UPDATE, { id: listingId, input: { title: `Studio near the park ${++title}` } }, host.token);
      await eventually(async () => {
        await update();
        await new Promise((r) => setTimeout(r, 200));
        return events.length > 0;
      });
      // Past the first token's expiry: the gateway closed with 4403 and the client reconnected by itself.
      await eventually(async () => codes.includes(4403) && connected >= 2, 20_000);
      const before = events.length;
      await eventually(async () => {
        await update();
        await new Promise((r) => setTimeout(r, 200));
        return events.length > before;
      }, 20_000);
      expect(errors).toEqual([]);
      expect(codes).not.toContain(4401);
    } finally {
      await client.dispose();
    }
  }, 90_000);
});
