import { randomUUID } from 'node:crypto';
import { createLogger, InProcessEventBus, type EventType, type Identity, type Role, type Subgraph } from '@market/platform';
import { callSubgraph, testDatabaseUrl, testSecrets, type GraphQLResponse } from '@market/platform/testing';
import { createSubgraph, loadEnv } from '../subgraph';
import { createPrisma, type Db } from '../db';

/** An engagement subgraph on a fresh test database with an in-process bus, and a typed way to call it. */
export interface EngagementHarness {
  url: string;
  db: Db;
  bus: InProcessEventBus;
  /** SQL statements run since the last `resetQueries`. */
  queries: string[];
  resetQueries(): void;
  call<T = any>(identity: Identity | null, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  ok<T = any>(identity: Identity | null, query: string, variables?: Record<string, unknown>): Promise<T>;
  /** Publishes one event as its owner would and waits until every consumer handled it. */
  publish(type: EventType, aggregateId: string, payload: object, occurredAt?: Date): Promise<void>;
  close(): Promise<void>;
}

export const person = (role: Role = 'BUYER'): Identity => ({ userId: randomUUID(), role, sessionId: randomUUID() });
export const codeOf = (res: GraphQLResponse) => res.errors?.[0]?.extensions?.['code'];

export async function startEngagement(extraEnv: Record<string, string> = {}): Promise<EngagementHarness> {
  const { signingSecret: secret } = await testSecrets();
  const env = loadEnv({
    DATABASE_URL: testDatabaseUrl('engagement'),
    GATEWAY_SIGNING_SECRET: secret,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    ...extraEnv,
  });
  const bus = new InProcessEventBus(createLogger('bus', 'silent'));
  const queries: string[] = [];
  const subgraph: Subgraph = await createSubgraph(env, createLogger('engagement', 'silent'), { bus, onQuery: (sql) => queries.push(sql) });
  const { url } = await subgraph.listen(0, '127.0.0.1');
  const db = createPrisma(env.DATABASE_URL, 4);
  const call = <T = any>(identity: Identity | null, query: string, variables?: Record<string, unknown>) =>
    callSubgraph<T>(url, { query, ...(variables && { variables }) }, { secret, identity });
  return {
    url,
    db,
    bus,
    queries,
    resetQueries: () => void queries.splice(0),
    call,
    async ok<T = any>(identity: Identity | null, query: string, variables?: Record<string, unknown>): Promise<T> {
      const res = await call<T>(identity, query, variables);
      if (res.errors) throw new Error(`unexpected errors: ${JSON.stringify(res.errors)}`);
      return res.data as T;
    },
    async publish(type, aggregateId, payload, occurredAt = new Date()) {
      await bus.publish([{ id: randomUUID(), type, version: 1, aggregateId, occurredAt: occurredAt.toISOString(), payload } as never]);
      await bus.drain();
      const dead = await bus.deadLetters();
      if (dead.length > 0) throw new Error(`dead letters: ${JSON.stringify(dead)}`);
    },
    async close() {
      await subgraph.close();
      await bus.close();
      await db.$disconnect();
    },
  };
}

/** Tells engagement about a listing as listings would. */
export async function knownListing(
  h: EngagementHarness,
  owner: Identity,
  status = 'ACTIVE',
  listingId: string = randomUUID(),
  version = 1,
): Promise<string> {
  await h.publish('listings.listing.upserted', listingId, {
    listingId,
    ownerId: owner.userId,
    title: 'Flat',
    kind: 'RENT',
    status,
    price: null,
    pricePerNight: '100.00',
    currency: 'EUR',
    maxGuests: 2,
    timeZone: 'Europe/Paris',
    version,
  });
  return listingId;
}

export async function knownMachine(h: EngagementHarness, machineId: string = randomUUID()): Promise<string> {
  await h.publish('instances.machine.upserted', machineId, { machineId, name: `m-${machineId.slice(0, 6)}` });
  return machineId;
}

export async function newPost(h: EngagementHarness, author: Identity, body = 'A bright flat near the river.'): Promise<string> {
  const data = await h.ok(author, `mutation($b: String!) { createPost(input: { body: $b }) { ... on Post { id } } }`, { b: body });
  return data.createPost.id as string;
}
