import WebSocket from 'ws';
import { publishLiveEvent } from '@market/platform';
import {
  ALLOWED_ORIGIN,
  collect,
  eventually,
  reviewAddedTopic,
  startFakeGraph,
  type FakeGraph,
  type TestGateway,
} from './testing/fake-graph';

const REVIEW_ADDED = `subscription($productId: ID!) { reviewAdded(productId: $productId) { id body cursor author { id name } } }`;
const ADD_REVIEW = `mutation($productId: ID!, $body: String!, $private: Boolean) { addReview(productId: $productId, body: $body, private: $private) { id cursor } }`;
const REVIEWS_AFTER = `query($productId: ID!, $after: String) { reviewsAfter(productId: $productId, after: $after) { body cursor author { name } } }`;

let product = 0;
const newProduct = () => `product-${++product}-${Date.now()}`;

/** A bare graphql-transport-ws socket, for what the graphql-ws client would never send. */
function rawSocket(url: string, options: { origin?: string; protocol?: string } = {}) {
  const socket = new WebSocket(
    url,
    options.protocol ?? 'graphql-transport-ws',
    options.origin ? { headers: { origin: options.origin } } : {},
  );
  const messages: any[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(String(data))));
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const refused = new Promise<number>((resolve) => socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  socket.on('error', () => undefined);
  return { socket, messages, opened, refused, closed, send: (message: object) => socket.send(JSON.stringify(message)) };
}

describe('subscriptions through the gateway', () => {
  let graph: FakeGraph;
  let gateway: TestGateway;
  beforeAll(async () => {
    graph = await startFakeGraph();
    gateway = await graph.startGateway();
  });
  afterAll(async () => {
    await graph.stop();
  });

  it('delivers each event with the fields other subgraphs own, one batched entity fetch per event', async () => {
    const productId = newProduct();
    const alice = await graph.token({ userId: 'alice' });
    const sub = collect(
      gateway.client({ token: alice }),
      `subscription($p: ID!) { added: reviewAdded(productId: $p) { text: body cursor author { name } } }`,
      { p: productId },
    );
    await eventually(() => graph.pubsub.channels().includes(reviewAddedTopic.channel(productId)));
    const entityFetchesBefore = graph.users.requests.filter((q) => q.includes('_entities')).length;

    await gateway.request(ADD_REVIEW, { productId, body: 'Lovely' }, alice);
    await gateway.request(ADD_REVIEW, { productId, body: 'Still lovely' }, alice);
    const events = await sub.waitFor(2);

    expect(events).toEqual([
      { data: { added: { text: 'Lovely', cursor: expect.any(String), author: { name: 'User alice' } } } },
      { data: { added: { text: 'Still lovely', cursor: expect.any(String), author: { name: 'User alice' } } } },
    ]);
    expect(graph.users.requests.filter((q) => q.includes('_entities')).length - entityFetchesBefore).toBe(2);
    sub.unsubscribe();
  });

  it('checks every event against the subscriber: a private review reaches its author and admins only', async () => {
    const productId = newProduct();
    const [alice, bob, admin] = await Promise.all([
      graph.token({ userId: 'alice' }),
      graph.token({ userId: 'bob' }),
      graph.token({ userId: 'root', role: 'ADMIN' }),
    ]);
    const subs = [alice, bob, admin].map((token) => collect(gateway.client({ token }), REVIEW_ADDED, { productId }));
    await eventually(() => graph.reviews[0]!.subscriptions!.stats().subscriptions >= 3);

    await gateway.request(ADD_REVIEW, { productId, body: 'just for me', private: true }, alice);
    await gateway.request(ADD_REVIEW, { productId, body: 'for everyone' }, bob);
    const [forAlice, forBob, forAdmin] = await Promise.all(subs.map((s) => s.waitFor(s === subs[1] ? 1 : 2)));

    expect(forAlice!.map((e) => e.data.reviewAdded.body)).toEqual(['just for me', 'for everyone']);
    expect(forAdmin!.map((e) => e.data.reviewAdded.body)).toEqual(['just for me', 'for everyone']);
    expect(forBob!.map((e) => e.data.reviewAdded.body)).toEqual(['for everyone']);
    subs.forEach((s) => s.unsubscribe());
  });

  it('gives every event a cursor, and the catch-up query returns what a client missed after it', async () => {
    const productId = newProduct();
    const alice = await graph.token({ userId: 'alice' });
    const client = gateway.client({ token: alice });
    const sub = collect(client, REVIEW_ADDED, { productId });
    await eventually(() => graph.pubsub.channels().includes(reviewAddedTopic.channel(productId)));
    await gateway.request(ADD_REVIEW, { productId, body: 'first' }, alice);
    const [first] = await sub.waitFor(1);
    await client.dispose();

    await gateway.request(ADD_REVIEW, { productId, body: 'missed 1' }, alice);
    await gateway.request(ADD_REVIEW, { productId, body: 'missed 2' }, alice);
    const missed = await gateway.request(REVIEWS_AFTER, { productId, after: first!.data.reviewAdded.cursor }, alice);

    expect(missed.data.reviewsAfter.map((r: any) => r.body)).toEqual(['missed 1', 'missed 2']);
    expect(missed.data.reviewsAfter[0].cursor > first!.data.reviewAdded.cursor).toBe(true);
    expect(missed.data.reviewsAfter[0].author).toEqual({ name: 'User alice' });
  });

  describe('authentication', () => {
    it('answers UNAUTHENTICATED to an anonymous subscription to a field that needs a user', async () => {
      const sub = collect(gateway.client(), REVIEW_ADDED, { productId: newProduct() });
      await sub.done;
      expect(sub.events).toEqual([
        { errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) })] },
      ]);
      expect(sub.events[0]!.errors![0].message).toBe('Sign in to follow reviews live.');
    });

    it('closes with 4401 (fatal) on an invalid or malformed token, and with 4403 (retry with a fresh one) on an expired one', async () => {
      const expired = await graph.token({ userId: 'alice' }, -60);
      for (const payload of [{ authorization: 'Bearer not.a.token' }, { authorization: 'Basic abc' }, { token: expired }]) {
        const raw = rawSocket(gateway.wsUrl);
        await raw.opened;
        raw.send({ type: 'connection_init', payload });
        const { code, reason } = await raw.closed;
        expect(code).toBe('token' in payload ? 4403 : 4401);
        expect(reason).toMatch('token' in payload ? /expired/ : /token/i);
      }
    });

    it('closes with 4403 when the access token expires during the connection, so clients refresh and reconnect', async () => {
      const shortLived = await graph.token({ userId: 'alice' }, 2);
      const raw = rawSocket(gateway.wsUrl);
      await raw.opened;
      raw.send({ type: 'connection_init', payload: { token: shortLived } });
      await eventually(() => raw.messages.some((m) => m.type === 'connection_ack'));
      const { code, reason } = await raw.closed;
      expect(code).toBe(4403);
      expect(reason).toMatch(/expired/);
    });
  });

  describe('the WebSocket endpoint', () => {
    it('refuses an upgrade from an origin that is not allowed with 403; allows listed origins and non-browsers', async () => {
      const evil = rawSocket(gateway.wsUrl, { origin: 'https://evil.example' });
      expect(await evil.refused).toBe(403);
      for (const origin of [ALLOWED_ORIGIN, undefined]) {
        const ok = rawSocket(gateway.wsUrl, origin ? { origin } : {});
        await ok.opened;
        ok.socket.close();
      }
    });

    it('closes with the graphql-ws codes: 4400 bad message, 4429 repeated init, 4409 duplicate id, 4401 subscribe before init', async () => {
      const token = await graph.token({ userId: 'alice' });
      const bad = rawSocket(gateway.wsUrl);
      await bad.opened;
      bad.socket.send('{not json');
      expect((await bad.closed).code).toBe(4400);

      const twice = rawSocket(gateway.wsUrl);
      await twice.opened;
      twice.send({ type: 'connection_init', payload: { token } });
      twice.send({ type: 'connection_init', payload: { token } });
      expect((await twice.closed).code).toBe(4429);

      const duplicate = rawSocket(gateway.wsUrl);
      await duplicate.opened;
      duplicate.send({ type: 'connection_init', payload: { token } });
      await eventually(() => duplicate.messages.some((m) => m.type === 'connection_ack'));
      const subscribe = { id: '1', type: 'subscribe', payload: { query: REVIEW_ADDED, variables: { productId: newProduct() } } };
      duplicate.send(subscribe);
      duplicate.send(subscribe);
      expect((await duplicate.closed).code).toBe(4409);

      const early = rawSocket(gateway.wsUrl);
      await early.opened;
      early.send(subscribe);
      expect((await early.closed).code).toBe(4401);
    });

    it('closes with 4408 when connection_init does not come in time, and pings to keep connections alive', async () => {
      const strict = await graph.startGateway({ limits: { connectionInitWaitMs: 200, keepAliveMs: 100 } });
      const silent = rawSocket(strict.wsUrl);
      let pings = 0;
      silent.socket.on('ping', () => pings++);
      await silent.opened;
      expect((await silent.closed).code).toBe(4408);

      const alive = rawSocket(strict.wsUrl);
      alive.socket.on('ping', () => pings++);
      await alive.opened;
      alive.send({ type: 'connection_init', payload: {} });
      await eventually(() => pings >= 3, 2_000);
      alive.socket.close();
      await strict.stop();
    });

    it('applies the HTTP limits and serves only subscriptions', async () => {
      const token = await graph.token({ userId: 'alice' });
      const client = gateway.client({ token });
      const aliases = Array.from({ length: 20 }, (_, i) => `a${i}: body`).join(' ');
      const tooManyAliases = collect(client, `subscription { reviewAdded(productId: "x") { ${aliases} } }`);
      const query = collect(client, `query { reviewsAfter(productId: "x") { id } }`);
      const unknownField = collect(client, `subscription { reviewAdded(productId: "x") { nope } }`);
      await Promise.all([tooManyAliases.done, query.done, unknownField.done]);
      expect(tooManyAliases.error).toEqual([expect.objectContaining({ message: expect.stringMatching(/aliases/) })]);
      expect(query.error).toEqual([expect.objectContaining({ extensions: { code: 'BAD_REQUEST' } })]);
      expect(unknownField.error).toEqual([expect.objectContaining({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })]);
    });
  });

  it('ends a subscription with SUBSCRIPTION_INTERRUPTED when its subgraph connection is lost', async () => {
    const local = await startFakeGraph();
    const gw = await local.startGateway();
    const token = await local.token({ userId: 'alice' });
    const sub = collect(gw.client({ token }), REVIEW_ADDED, { productId: newProduct() });
    await eventually(() => local.reviews[0]!.subscriptions!.stats().subscriptions === 1);
    await local.reviews[0]!.subscriptions!.close();
    await sub.done;
    expect(sub.events).toEqual([
      {
        errors: [
          expect.objectContaining({
            message: expect.stringMatching(/catch up from your last cursor/),
            extensions: expect.objectContaining({ code: 'SUBSCRIPTION_INTERRUPTED' }),
          }),
        ],
      },
    ]);
    await local.stop();
  });
});

describe('scale-out: two gateways, two replicas of the owning subgraph, one pub/sub', () => {
  it('delivers an event produced on either replica to the subscribers of both gateways', async () => {
    const graph = await startFakeGraph({ reviewsReplicas: 2 });
    try {
      const first = await graph.startGateway({ reviewsReplica: 0 });
      const second = await graph.startGateway({ reviewsReplica: 1 });
      const productId = newProduct();
      const alice = await graph.token({ userId: 'alice' });
      const onFirst = collect(first.client({ token: alice }), REVIEW_ADDED, { productId });
      const onSecond = collect(second.client({ token: alice }), REVIEW_ADDED, { productId });
      await eventually(() => graph.reviews.every((r) => r.subscriptions!.stats().subscriptions === 1));

      await first.request(ADD_REVIEW, { productId, body: 'via replica 0' }, alice);
      await second.request(ADD_REVIEW, { productId, body: 'via replica 1' }, alice);

      for (const sub of [onFirst, onSecond]) {
        const events = await sub.waitFor(2);
        expect(events.map((e) => e.data.reviewAdded.body).sort()).toEqual(['via replica 0', 'via replica 1']);
        expect(events.every((e) => e.data.reviewAdded.author.name === 'User alice')).toBe(true);
      }
    } finally {
      await graph.stop();
    }
  });
});

describe('resources', () => {
  it('leaves no pub/sub handlers, subscriptions, upstream sockets or timers behind after 1,000 subscribe/unsubscribe cycles', async () => {
    const graph = await startFakeGraph();
    try {
      const gateway = await graph.startGateway();
      const reviews = graph.reviews[0]!.subscriptions!;
      const token = await graph.token({ userId: 'alice' });
      const client = gateway.client({ token });
      // Warm up: one full cycle, so lazily created things (the upstream client) exist in the baseline.
      const warm = collect(client, REVIEW_ADDED, { productId: newProduct() });
      await eventually(() => reviews.stats().subscriptions === 1);
      warm.unsubscribe();
      await eventually(() => gateway.subscriptions.stats().upstreamSockets === 0 && reviews.stats().sockets === 0);
      const timersBefore = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
      const upgradeListeners = gateway.server.httpServer.listenerCount('upgrade');

      const batch = 50;
      for (let round = 0; round < 1_000 / batch; round++) {
        const subs = Array.from({ length: batch }, () => collect(client, REVIEW_ADDED, { productId: newProduct() }));
        // Each subscription reaches the subgraph and its pub/sub channel before it is dropped.
        await eventually(() => graph.pubsub.channels().length === batch && reviews.stats().subscriptions === batch, 10_000);
        subs.forEach((s) => s.unsubscribe());
        await eventually(() => graph.pubsub.channels().length === 0, 10_000);
      }

      await eventually(() => reviews.stats().subscriptions === 0 && reviews.stats().sockets === 0, 5_000);
      await eventually(() => gateway.subscriptions.stats().upstreamSockets === 0, 5_000);
      expect(graph.pubsub.channels()).toEqual([]);
      expect(gateway.subscriptions.stats()).toEqual({ connections: 1, addresses: 1, streams: 0, subscriptions: 0, upstreamSockets: 0 });
      expect(reviews.stats()).toEqual({ sockets: 0, subscriptions: 0 });
      await eventually(
        () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length <= timersBefore,
        5_000,
        'timers left behind',
      );
      expect(gateway.server.httpServer.listenerCount('upgrade')).toBe(upgradeListeners);

      await client.dispose();
      await eventually(() => gateway.subscriptions.stats().connections === 0);
    } finally {
      await graph.stop();
    }
  });

  it('caps open sockets per client address with 429 and Retry-After, and frees a slot when one closes', async () => {
    const graph = await startFakeGraph();
    try {
      const gateway = await graph.startGateway({ limits: { maxConnectionsPerIp: 3 } });
      const open = [rawSocket(gateway.wsUrl), rawSocket(gateway.wsUrl), rawSocket(gateway.wsUrl)];
      await Promise.all(open.map((s) => s.opened));

      const refused = rawSocket(gateway.wsUrl);
      const response = await new Promise<{ status: number; retryAfter: string | undefined; body: string }>((resolve) =>
        refused.socket.once('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += String(chunk)));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body }));
        }),
      );
      expect(response).toEqual({
        status: 429,
        retryAfter: '5',
        body: 'At most 3 open connections per client address; close one and retry.\n',
      });
      expect(gateway.subscriptions.stats()).toMatchObject({ connections: 3, addresses: 1 });

      open[0]!.socket.close();
      await open[0]!.closed;
      await eventually(() => gateway.subscriptions.stats().connections === 2);
      const again = rawSocket(gateway.wsUrl);
      await again.opened;
      for (const s of [...open.slice(1), again]) s.socket.close();
      await eventually(() => gateway.subscriptions.stats().addresses === 0, 5_000, 'per-address count not released');
    } finally {
      await graph.stop();
    }
  });

  it('closes a client that stops reading with 1013 and a clear reason, and releases its subscription', async () => {
    const graph = await startFakeGraph();
    try {
      const gateway = await graph.startGateway({ limits: { maxQueuedEvents: 8, maxBufferedBytes: 256 * 1024 } });
      const token = await graph.token({ userId: 'alice' });
      const productId = newProduct();
      const raw = rawSocket(gateway.wsUrl);
      await raw.opened;
      raw.send({ type: 'connection_init', payload: { token } });
      await eventually(() => raw.messages.some((m) => m.type === 'connection_ack'));
      raw.send({ id: 's1', type: 'subscribe', payload: { query: REVIEW_ADDED, variables: { productId } } });
      await eventually(() => graph.pubsub.channels().length === 1);
      // The client stops reading: its socket's buffers fill, then the gateway's queue does.
      (raw.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();

      const body = 'x'.repeat(64 * 1024);
      for (let i = 0; i < 400 && gateway.subscriptions.stats().subscriptions > 0; i++) {
        await publishLiveEvent(graph.pubsub, reviewAddedTopic, productId, {
          cursor: String(i).padStart(12, '0'),
          payload: { id: `r${i}`, productId, body, private: false, authorId: 'alice' },
        });
        await new Promise((r) => setImmediate(r));
      }
      await eventually(() => gateway.subscriptions.stats().subscriptions === 0, 10_000, 'slow subscription not released');
      await eventually(() => graph.pubsub.channels().length === 0, 5_000, 'upstream not released');

      (raw.socket as unknown as { _socket: { resume(): void } })._socket.resume();
      const { code, reason } = await raw.closed;
      expect(code).toBe(1013);
      expect(reason).toMatch(/^Too slow: .* Reconnect and catch up from your last cursor\.$/);
    } finally {
      await graph.stop();
    }
  });
});
