import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createLogger, InProcessEventBus, type EventEnvelope, type EventPayload, type Identity, type Role } from '@market/platform';
import { callSubgraph, testDatabaseUrl, testSecrets, type GraphQLResponse } from '@market/platform/testing';
import { createSubgraph, loadEnv } from '../subgraph';

type Upserted = EventPayload<'listings.listing.upserted'>;
/** The events of other services that bookings consumes. */
type ConsumedEvent = 'listings.listing.upserted' | 'listings.listing.deleted' | 'accounts.user.deleted';

const DAY_MS = 86_400_000;
/** A calendar date `days` from today (UTC, the test listings' zone unless a test says otherwise). */
export const day = (days: number): string => new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);
/** An instant `hours` from now, as the API writes it. */
export const inHours = (hours: number): string => new Date(Date.now() + hours * 3_600_000).toISOString();

/** A signed-in user nobody else has seen (user ids come from accounts; here any uuid will do). */
export function person(role: Role = 'BUYER'): Identity {
  return { userId: randomUUID(), role, sessionId: randomUUID() };
}

export const admin = (): Identity => person('ADMIN');

/** The first error's code, for asserting on faults. */
export function codeOf(response: GraphQLResponse<unknown>): unknown {
  return response.errors?.[0]?.extensions?.['code'];
}

export interface OutboxRow {
  type: string;
  payload: Record<string, unknown>;
}

/**
 * A bookings subgraph on a random port against the test database, with an in-process bus (so it
 * relays its outbox, consumes listing events and runs its scheduler), a SQL counter, and a direct
 * connection to look at what was (not) written.
 */
export async function startBookings(extraEnv: Record<string, string> = {}) {
  const { signingSecret } = await testSecrets();
  const logger = createLogger('bookings', 'silent');
  const bus = new InProcessEventBus(logger, { attempts: 1, initialDelayMs: 1, maxDelayMs: 1 });
  const env = loadEnv({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: testDatabaseUrl('bookings'),
    GATEWAY_SIGNING_SECRET: signingSecret,
    DATABASE_POOL_SIZE: '20',
    // Tests make many writes as one user in a moment; the write limit's own tests set it low.
    RATE_LIMIT_BOOKING: '10000/10m',
    ...extraEnv,
  });
  let statements: string[] = [];
  const subgraph = await createSubgraph(env, logger, { bus, onQuery: (q) => statements.push(q) });
  const running = await subgraph.listen(0, '127.0.0.1');
  const sql = new Client({ connectionString: env.DATABASE_URL });
  await sql.connect();

  const call = <T = any>(as: Identity | null, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>> =>
    callSubgraph<T>(running.url, { query, ...(variables ? { variables } : {}) }, { secret: signingSecret, identity: as });

  /** Hands an event to the bus, as the producer's outbox relay would, and waits until it is handled. */
  async function deliver<T extends ConsumedEvent>(type: T, payload: EventPayload<T>, overrides: Partial<EventEnvelope<T>> = {}) {
    const ids = payload as { listingId?: string; userId?: string };
    const event = {
      id: randomUUID(),
      type,
      version: 1,
      aggregateId: ids.listingId ?? ids.userId,
      occurredAt: new Date().toISOString(),
      payload,
      ...overrides,
    } as EventEnvelope<T>;
    await redeliver(event);
    return event;
  }

  /** Hands an event to the bus again (at-least-once delivery) and waits until it is handled. */
  async function redeliver(event: EventEnvelope) {
    await bus.publish([event]);
    await bus.drain();
  }

  /** A listing as bookings learns of it: through a `listings.listing.upserted` event. A rental by default. */
  async function listing(overrides: Partial<Upserted> = {}) {
    const owner = person('HOST');
    const payload: Upserted = {
      listingId: randomUUID(),
      ownerId: owner.userId,
      title: 'Sea view flat',
      kind: 'RENT',
      status: 'ACTIVE',
      price: null,
      pricePerNight: '120.50',
      currency: 'EUR',
      maxGuests: 4,
      timeZone: 'UTC',
      ...overrides,
    };
    await deliver('listings.listing.upserted', payload);
    return { id: payload.listingId, owner: { ...owner, userId: payload.ownerId }, payload };
  }

  const forSale = (overrides: Partial<Upserted> = {}) =>
    listing({ kind: 'SALE', title: 'Family house', price: '450000.00', pricePerNight: null, maxGuests: null, ...overrides });

  return {
    env,
    bus,
    sql,
    call,
    deliver,
    redeliver,
    listing,
    forSale,
    /** Runs `fn` and returns the SQL statements the subgraph sent meanwhile. */
    async countQueries<R>(fn: () => Promise<R>): Promise<{ result: R; statements: string[] }> {
      statements = [];
      const result = await fn();
      const seen = statements;
      statements = [];
      return { result, statements: seen };
    },
    /** The events bookings wrote to its outbox about an aggregate, oldest first. */
    async outbox(aggregateId: string): Promise<OutboxRow[]> {
      const { rows } = await sql.query<OutboxRow>(
        'SELECT type, payload FROM outbox_events WHERE aggregate_id = $1 ORDER BY occurred_at, type',
        [aggregateId],
      );
      return rows;
    },
    async count(query: string, params: unknown[]): Promise<number> {
      const { rows } = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${query}) AS q`, params);
      return rows[0]?.n ?? 0;
    },
    async close() {
      await running.close();
      await bus.close();
      await subgraph.close();
      await sql.end();
    },
  };
}

export type Bookings = Awaited<ReturnType<typeof startBookings>>;

export const STAY_FIELDS = `id checkIn checkOut nights guests totalPrice currency status cancellationPolicy refundAmount cancelledAt createdAt
  price { nightlyRate nights nightlySubtotal discountPercent discount cleaningFee total currency }
  listing { id } guest { id }`;

export const BOOK = `mutation($input: BookStayInput!, $key: String) { bookStay(input: $input, idempotencyKey: $key) {
  __typename
  ... on Stay { ${STAY_FIELDS} }
  ... on DatesUnavailable { listingId checkIn checkOut message }
  ... on ListingUnavailable { listingId message } } }`;

export const STAY = `query($id: ID!) { stay(id: $id) { ${STAY_FIELDS} } }`;

export const VIEWING_FIELDS = `id startsAt endsAt status note createdAt listing { id } buyer { id } agent { id }`;

export const VIEWING_RESULT = `__typename ... on ViewingAppointment { ${VIEWING_FIELDS} } ... on TimeUnavailable { listingId startsAt endsAt message }`;
