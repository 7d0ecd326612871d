import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import {
  MemoryPubSub,
  createLogger,
  type EventBus,
  type EventEnvelope,
  type EventPayload,
  type EventType,
  type Identity,
  type MessageHandler,
  type PubSub,
  type Role,
  type Unsubscribe,
} from '@market/platform';
import { callSubgraph, testDatabaseUrl, testSecrets, unique, type GraphQLResponse, signedSubscriber } from '@market/platform/testing';
import { createSubgraph, loadEnv } from '../subgraph';

/**
 * A listings subgraph on a random port against the test database, with its own in-process pub/sub
 * (so a test sees exactly the live events this subgraph publishes) and a separate database client to
 * look at what was written. On the shared test database unless given another (see private-database.ts).
 */
export async function startListings(options: { bus?: EventBus | null; databaseUrl?: string; env?: Record<string, string> } = {}) {
  const { signingSecret } = await testSecrets();
  const env = loadEnv({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: options.databaseUrl ?? testDatabaseUrl('listings'),
    DATABASE_POOL_SIZE: '5',
    GATEWAY_SIGNING_SECRET: signingSecret,
    ...options.env,
  });
  const logger = createLogger('listings', 'silent');
  const pubsub = new CountingPubSub(new MemoryPubSub(logger));
  const subgraph = await createSubgraph(env, logger, { bus: options.bus ?? null, pubsub });
  const running = await subgraph.listen(0, '127.0.0.1');
  const subscriber = signedSubscriber(running.url, signingSecret);
  const db = new Client({ connectionString: env.DATABASE_URL });
  await db.connect();

  return {
    db,
    pubsub,
    /** Subscribes over graphql-ws the way the gateway does (signed connection and subscribe, the caller in the envelope). */
    subscribe: subscriber.subscribe,
    call<T = Record<string, unknown>>(
      as: Identity | null,
      query: string,
      variables?: Record<string, unknown>,
    ): Promise<GraphQLResponse<T>> {
      return callSubgraph<T>(running.url, { query, ...(variables ? { variables } : {}) }, { secret: signingSecret, identity: as });
    },
    async close() {
      await subscriber.close();
      await running.close();
      await subgraph.close();
      await db.end();
    },
  };
}

export type Listings = Awaited<ReturnType<typeof startListings>>;

/** An in-process pub/sub that also counts the handlers of each channel, so a test knows when every subscriber listens. */
class CountingPubSub implements PubSub {
  private readonly handlers = new Map<string, number>();

  constructor(private readonly inner: PubSub) {}

  publish(channel: string, message: object): Promise<void> {
    return this.inner.publish(channel, message);
  }

  async subscribe<T extends object = Record<string, unknown>>(channel: string, handler: MessageHandler<T>): Promise<Unsubscribe> {
    const unsubscribe = await this.inner.subscribe(channel, handler);
    this.handlers.set(channel, this.listeners(channel) + 1);
    let released = false;
    return async () => {
      if (!released) {
        released = true;
        this.handlers.set(channel, this.listeners(channel) - 1);
      }
      await unsubscribe();
    };
  }

  /** Handlers currently registered on the channel. */
  listeners(channel: string): number {
    return this.handlers.get(channel) ?? 0;
  }

  channels(): string[] {
    return this.inner.channels();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** A signed-in user nobody else has seen (user ids come from accounts; here any uuid will do). */
export function person(role: Role = 'SELLER'): Identity {
  return { userId: randomUUID(), role, sessionId: randomUUID() };
}

/** The first error's code, for asserting on faults. */
export function codeOf(response: { errors?: readonly { extensions?: Record<string, unknown> }[] }): unknown {
  return response.errors?.[0]?.extensions?.['code'];
}

/** An event as another service's relay would put it on the bus: a fresh id unless redelivering one. */
export function envelope<T extends EventType>(
  type: T,
  aggregateId: string,
  payload: EventPayload<T>,
  id: string = randomUUID(),
): EventEnvelope<T> {
  return { id, type, version: 1, aggregateId, occurredAt: new Date().toISOString(), payload };
}

export function saleInput(overrides: Record<string, unknown> = {}) {
  return {
    title: `House ${unique()}`,
    description: 'Three bedrooms and a garden.',
    kind: 'SALE',
    propertyType: 'HOUSE',
    price: '350000',
    address: { line1: '1 Main St', city: 'Springfield', region: 'IL', country: 'US' },
    bedrooms: 3,
    bathrooms: 2,
    toilets: 2,
    location: { latitude: 39.7817, longitude: -89.6501 },
    images: ['https://cdn.example.com/house/1.jpg'],
    status: 'ACTIVE',
    ...overrides,
  };
}

export function rentInput(overrides: Record<string, unknown> = {}) {
  return saleInput({
    title: `Flat ${unique()}`,
    kind: 'RENT',
    propertyType: 'APARTMENT',
    price: null,
    pricePerNight: '89.5',
    maxGuests: 4,
    timeZone: 'Europe/Lisbon',
    address: { line1: 'Rua Augusta 10', city: 'Lisbon', country: 'PT' },
    location: { latitude: 38.7101, longitude: -9.1366 },
    ...overrides,
  });
}

const CREATE = `mutation ($input: CreateListingInput!) { createListing(input: $input) { id version status } }`;

/** Creates a listing through the API and fails loudly if it did not work. */
export async function createListing(
  l: Listings,
  owner: Identity,
  input: Record<string, unknown>,
): Promise<{ id: string; version: number; status: string }> {
  const res = await l.call<{ createListing: { id: string; version: number; status: string } }>(owner, CREATE, { input });
  if (!res.data?.createListing) throw new Error(`createListing failed: ${JSON.stringify(res.errors)}`);
  return res.data.createListing;
}
