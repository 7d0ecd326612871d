import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'graphql';
import { buildSubgraphSchema } from '@apollo/subgraph';
import WebSocket from 'ws';
import { z } from 'zod';
import { createLogger } from '../logger';
import { MemoryPubSub } from '../redis/pubsub';
import type { BaseContext } from '../context';
import { subscriptionField } from './field';
import { signConnectionInit, signSubscribePayload } from './protocol';
import { createSubgraphSubscriptions } from './subgraph-ws';
import { defineTopic, publishLiveEvent } from './topic';

const secret = 's'.repeat(64);
const logger = createLogger('test', 'silent');
const pinged = defineTopic('test.pinged', z.object({ text: z.string() }));
type Ctx = BaseContext & { pubsub: MemoryPubSub; contextNumber: number };

const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Ping { text: String! cursor: String! seenBy: String contextNumber: Int! }
  type Query { ok: Boolean }
  type Subscription { pinged(room: ID!): Ping }
`);

describe('subgraph graphql-ws endpoint', () => {
  const pubsub = new MemoryPubSub(logger);
  let contexts = 0;
  const resolvers = {
    Query: { ok: () => true },
    Ping: {
      seenBy: (_: unknown, __: unknown, ctx: Ctx) => ctx.identity?.userId ?? null,
      contextNumber: (_: unknown, __: unknown, ctx: Ctx) => ctx.contextNumber,
    },
    Subscription: {
      pinged: subscriptionField<{ text: string }, { room: string }, Ctx>({
        topic: pinged,
        pubsub: (ctx) => ctx.pubsub,
        keys: ({ room }) => room,
      }),
    },
  };
  const live = createSubgraphSubscriptions<Ctx>({
    name: 'test',
    schema: buildSubgraphSchema({ typeDefs, resolvers: resolvers as never }),
    signingSecret: secret,
    logger,
    exposeInternals: false,
    createContext: (base) => ({ ...base, pubsub, contextNumber: ++contexts }),
  });
  const server = http.createServer((_req, res) => res.end());
  const detach = live.attach(server);
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(async () => {
    await detach();
    await new Promise((resolve) => server.close(resolve));
  });

  function open(headers: Record<string, string> = {}) {
    const socket = new WebSocket(url, 'graphql-transport-ws', { headers });
    const messages: any[] = [];
    socket.on('message', (data) => messages.push(JSON.parse(String(data))));
    socket.on('error', () => undefined);
    return {
      socket,
      messages,
      opened: new Promise<void>((resolve) => socket.once('open', () => resolve())),
      status: new Promise<number>((resolve) => socket.once('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0))),
      closed: new Promise<number>((resolve) => socket.once('close', (code) => resolve(code))),
      send: (m: object) => socket.send(JSON.stringify(m)),
      async until(predicate: (m: any) => boolean) {
        const deadline = Date.now() + 3_000;
        while (!messages.some(predicate)) {
          if (Date.now() > deadline) throw new Error(`no such message in ${JSON.stringify(messages)}`);
          await new Promise((r) => setTimeout(r, 10));
        }
        return messages.filter(predicate);
      },
    };
  }

  const query = 'subscription($room: ID!) { pinged(room: $room) { text cursor seenBy contextNumber } }';
  const caller = { identity: { userId: 'alice', role: 'BUYER' as const, sessionId: 's' }, ip: null, userAgent: null };

  it('refuses browsers at the upgrade and unsigned connections with 4403', async () => {
    expect(await open({ origin: 'https://app.example' }).status).toBe(403);
    const unsigned = open();
    await unsigned.opened;
    unsigned.send({
      type: 'connection_init',
      payload: { gateway: { caller: 'x', requestId: 'r', signature: 't=1,v1=' + '0'.repeat(64) } },
    });
    expect(await unsigned.closed).toBe(4403);
  });

  it('refuses an unsigned subscribe and any operation that is not a subscription', async () => {
    const conn = open();
    await conn.opened;
    conn.send({ type: 'connection_init', payload: signConnectionInit(secret) });
    await conn.until((m) => m.type === 'connection_ack');
    conn.send({ id: 'a', type: 'subscribe', payload: { query, variables: { room: 'r1' } } });
    conn.send({ id: 'b', type: 'subscribe', payload: signSubscribePayload(secret, { query: '{ ok }' }, caller, 'req-b') });
    const [a] = await conn.until((m) => m.type === 'error' && m.id === 'a');
    const [b] = await conn.until((m) => m.type === 'error' && m.id === 'b');
    expect(a.payload).toEqual([expect.objectContaining({ extensions: { code: 'FORBIDDEN' } })]);
    expect(b.payload).toEqual([expect.objectContaining({ extensions: { code: 'BAD_REQUEST' } })]);
    expect(pubsub.channels()).toEqual([]);
    conn.socket.close();
  });

  it('serves a signed subscription as the signed caller, with a fresh context per event, and releases it on complete', async () => {
    const conn = open();
    await conn.opened;
    conn.send({ type: 'connection_init', payload: signConnectionInit(secret) });
    await conn.until((m) => m.type === 'connection_ack');
    conn.send({ id: '1', type: 'subscribe', payload: signSubscribePayload(secret, { query, variables: { room: 'r1' } }, caller, 'req-1') });
    const deadline = Date.now() + 3_000;
    while (pubsub.channels().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(live.stats()).toEqual({ sockets: 1, subscriptions: 1 });

    await publishLiveEvent(pubsub, pinged, 'r1', { cursor: 'c1', payload: { text: 'one' } });
    await publishLiveEvent(pubsub, pinged, 'r1', { cursor: 'c2', payload: { text: 'two' } });
    await conn.until((m) => m.type === 'next' && m.payload.data.pinged.text === 'two');
    const events = conn.messages.filter((m) => m.type === 'next').map((m) => m.payload.data.pinged);
    expect(events.map(({ contextNumber: _n, ...rest }: any) => rest)).toEqual([
      { text: 'one', cursor: 'c1', seenBy: 'alice' },
      { text: 'two', cursor: 'c2', seenBy: 'alice' },
    ]);
    expect(new Set(events.map((e: any) => e.contextNumber)).size).toBe(2);

    conn.send({ id: '1', type: 'complete' });
    while ((live.stats().subscriptions > 0 || pubsub.channels().length > 0) && Date.now() < deadline + 2_000)
      await new Promise((r) => setTimeout(r, 10));
    expect(live.stats().subscriptions).toBe(0);
    expect(pubsub.channels()).toEqual([]);
    conn.socket.close();
  });
});
