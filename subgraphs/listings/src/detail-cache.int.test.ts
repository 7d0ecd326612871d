import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { Redis } from 'ioredis';
import pino from 'pino';
import {
  InProcessEventBus,
  createLogger,
  enqueueEvent,
  type EventBus,
  type Identity,
  type Logger,
  type RawSql,
  type RunningServer,
  type Subgraph,
} from '@market/platform';
import { callSubgraph, testDatabaseUrl, testSecrets, unique, eventually } from '@market/platform/testing';
import { DETAIL_CACHE_CONSUMER } from './consumers/detail-cache';
import { LISTING_DETAIL_TTL_SECONDS } from './repositories/listing-detail-cache';
import { SEARCH_CONSUMER } from './search/consumer';
import { createSubgraph, loadEnv } from './subgraph';
import { person } from './testing/harness';
import { PrivateRedis, deleteKeysByPrefix } from '@market/platform/testing';

/**
 * The listing detail cache behind the `listingById` loader: in-process always, and against the Redis
 * at REDIS_URL when it is set (shared by replicas, and through an outage of a private redis-server).
 */
const REDIS_URL = process.env['REDIS_URL'];
const describeRedis = REDIS_URL ? describe : describe.skip;
if (!REDIS_URL) {
  console.warn(
    '[detail-cache.int.test] REDIS_URL is not set: skipping the listing cache tests against Redis. Run with REDIS_URL=redis://127.0.0.1:6379.',
  );
}
/** This run's keys on the shared Redis, removed afterwards. */
const RUN = `test:${unique()}:listings:`;

const FIELDS = 'id title status price owner { id }';
const CREATE = `mutation ($input: CreateListingInput!) { createListing(input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation ($id: ID!, $input: UpdateListingInput!) { updateListing(id: $id, input: $input) { ${FIELDS} } }`;
const DELETE = `mutation ($id: ID!) { deleteListing(id: $id) }`;
const LISTING = `query ($id: ID!) { listing(id: $id) { ${FIELDS} } }`;
const ENTITIES = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Listing { id title } } }`;

interface ListingView {
  id: string;
  title: string;
  status: string;
  price: string | null;
  owner: { id: string };
}

interface LogLine {
  level: string;
  msg: string;
}

let secret: string;
let pg: Client;

beforeAll(async () => {
  secret = (await testSecrets()).signingSecret;
  pg = new Client({ connectionString: testDatabaseUrl('listings') });
  await pg.connect();
});

afterAll(async () => {
  await pg?.end();
});

interface Instance {
  url: string;
  queries: string[];
  lines: LogLine[];
  close(): Promise<void>;
}

/** A listings replica; on Redis, once connected (until then the cache is bypassed, as in an outage). */
async function start(redisUrl: string | null, bus: EventBus | null = null, keyPrefix = RUN): Promise<Instance> {
  const lines: LogLine[] = [];
  const logger: Logger = pino(
    { level: 'info', formatters: { level: (label) => ({ level: label }) } },
    { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) },
  );
  const queries: string[] = [];
  const env = loadEnv({
    NODE_ENV: 'test',
    DATABASE_URL: testDatabaseUrl('listings'),
    GATEWAY_SIGNING_SECRET: secret,
    ...(redisUrl ? { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: keyPrefix } : {}),
  });
  const subgraph: Subgraph = await createSubgraph(env, logger, { bus, onQuery: (sql) => queries.push(sql) });
  const running: RunningServer = await subgraph.listen(0, '127.0.0.1');
  if (redisUrl)
    await eventually(async () => (lines.some((l) => l.msg === 'redis connected') ? true : undefined), { what: 'listings to reach Redis' });
  return {
    url: running.url,
    queries,
    lines,
    async close() {
      await running.close();
      await subgraph.close();
    },
  };
}

// The subgraph's own periodic jobs (the auction closer polls every second) run beside the request:
// only the request's statements count.
const selects = (i: Instance) => i.queries.filter((q) => /^\s*SELECT/i.test(q) && !/\bauction/i.test(q));

const ADMIN = person('ADMIN');

async function call<T = Record<string, unknown>>(
  i: Instance,
  query: string,
  variables: Record<string, unknown>,
  identity: Identity | null,
) {
  const res = await callSubgraph<T>(i.url, { query, variables }, { secret, identity });
  expect(res.errors).toBeUndefined();
  return res.data as T;
}

function saleInput(overrides: Record<string, unknown> = {}) {
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
    status: 'ACTIVE',
    ...overrides,
  };
}

async function createListing(i: Instance, owner: Identity, overrides: Record<string, unknown> = {}): Promise<ListingView> {
  return (await call<{ createListing: ListingView }>(i, CREATE, { input: saleInput(overrides) }, owner)).createListing;
}

async function readListing(i: Instance, id: string, identity: Identity | null = null): Promise<ListingView | null> {
  return (await call<{ listing: ListingView | null }>(i, LISTING, { id }, identity)).listing;
}

/** Waits until both listings consumers handled every event about this listing so far. */
async function eventsSettled(listingId: string): Promise<void> {
  await eventually(
    async () => {
      const { rows } = await pg.query<{ pending: number }>(
        `SELECT count(*)::int AS pending FROM outbox_events o, unnest($2::text[]) AS c(consumer)
       WHERE o.aggregate_id = $1 AND NOT EXISTS (SELECT 1 FROM inbox_events i WHERE i.consumer = c.consumer AND i.event_id = o.id)`,
        [listingId, [DETAIL_CACHE_CONSUMER, SEARCH_CONSUMER]],
      );
      return rows[0]!.pending === 0 ? true : undefined;
    },
    { what: `the listings consumers to catch up with ${listingId}` },
  );
}

/** The outbox through pg, as enqueueEvent expects a Prisma transaction to be. */
function rawSql(client: Client): RawSql {
  return {
    $executeRaw: async (strings: TemplateStringsArray, ...values: unknown[]) =>
      (
        await client.query(
          strings.reduce((sql, part, i) => `${sql}$${i}${part}`),
          values,
        )
      ).rowCount ?? 0,
  };
}

describe.each(REDIS_URL ? ['in-process', 'Redis'] : ['in-process'])('listings detail cache (%s)', (mode) => {
  const redisUrl = mode === 'Redis' ? (REDIS_URL as string) : null;
  /** No bus, so no consumer runs queries of its own: SQL counts are exact. */
  let plain: Instance;
  /** With an in-process bus: the outbox relay and both consumers run. */
  let evented: Instance;
  let bus: InProcessEventBus;

  beforeAll(async () => {
    bus = new InProcessEventBus(createLogger('bus', 'silent'));
    // Keys of their own: the evented replica's consumers invalidate what the plain one writes too.
    plain = await start(redisUrl, null, `${RUN}plain:`);
    evented = await start(redisUrl, bus, `${RUN}evented:`);
  });

  afterAll(async () => {
    await plain?.close();
    await evented?.close();
    await bus?.close();
  });

  it('resolves 50 uncached references with one SQL query and the same 50 again with none; drafts stay hidden from others', async () => {
    const seller = person('SELLER');
    const made = await Promise.all(
      Array.from({ length: 50 }, (_, n) => createListing(plain, seller, { status: n === 7 ? 'DRAFT' : 'ACTIVE' })),
    );
    const reps = [...made].reverse().map((l) => ({ __typename: 'Listing', id: l.id }));
    const expected = (canSeeDraft: boolean) =>
      [...made].reverse().map((l) => (l.id === made[7]!.id && !canSeeDraft ? null : { id: l.id, title: l.title }));
    const entities = async (identity: Identity | null) =>
      (await call<{ _entities: unknown[] }>(plain, ENTITIES, { reps }, identity))._entities;

    plain.queries.length = 0;
    expect(await entities(null)).toEqual(expected(false));
    expect(selects(plain)).toHaveLength(1);

    plain.queries.length = 0;
    expect(await entities(null)).toEqual(expected(false));
    expect(await entities(person('BUYER'))).toEqual(expected(false));
    expect(await entities(seller)).toEqual(expected(true));
    expect(await entities(ADMIN)).toEqual(expected(true));
    expect(selects(plain)).toHaveLength(0);
  });

  it('answers null for unknown and malformed ids, and never caches them', async () => {
    for (let n = 0; n < 2; n++) {
      plain.queries.length = 0;
      const res = await call<{ _entities: unknown[] }>(
        plain,
        ENTITIES,
        {
          reps: [
            { __typename: 'Listing', id: randomUUID() },
            { __typename: 'Listing', id: 'x' },
          ],
        },
        null,
      );
      expect(res._entities).toEqual([null, null]);
      expect(selects(plain)).toHaveLength(1);
    }
  });

  it('shows an update at once; its listings.listing.upserted event reaches the detail-cache consumer', async () => {
    const seller = person('SELLER');
    const listing = await createListing(evented, seller);
    expect((await readListing(evented, listing.id))?.price).toBe('350000.00');
    await call(evented, UPDATE, { id: listing.id, input: { price: '325000' } }, seller);
    expect((await readListing(evented, listing.id))?.price).toBe('325000.00');
    await eventsSettled(listing.id);
    const { rows } = await pg.query(
      `SELECT o.type FROM inbox_events i JOIN outbox_events o ON o.id = i.event_id WHERE i.consumer = $1 AND o.aggregate_id = $2 ORDER BY o.occurred_at`,
      [DETAIL_CACHE_CONSUMER, listing.id],
    );
    expect(rows.map((r) => r.type)).toEqual(['listings.listing.upserted', 'listings.listing.upserted']);
  });

  it('drops a listing from the cache when its event arrives, for a change made elsewhere', async () => {
    const seller = person('SELLER');
    const listing = await createListing(evented, seller);
    await eventsSettled(listing.id);
    expect((await readListing(evented, listing.id))?.title).toBe(listing.title);
    // Another replica's write: the row changes, its event is not delivered yet. This replica's cache still answers.
    await pg.query(`UPDATE listings SET title = 'Renamed elsewhere', updated_at = now() WHERE id = $1`, [listing.id]);
    expect((await readListing(evented, listing.id))?.title).toBe(listing.title);

    await pg.query('BEGIN');
    await enqueueEvent(rawSql(pg), 'listings.listing.upserted', listing.id, {
      listingId: listing.id,
      ownerId: seller.userId,
      title: 'Renamed elsewhere',
      kind: 'SALE',
      status: 'ACTIVE',
      price: '350000.00',
      pricePerNight: null,
      currency: 'USD',
      maxGuests: null,
      timeZone: 'UTC',
    });
    await pg.query('COMMIT');
    await eventually(async () => ((await readListing(evented, listing.id))?.title === 'Renamed elsewhere' ? true : undefined), {
      what: 'the event to invalidate the cached listing',
    });
  });

  it('applies visibility after the cache: a listing moved to DRAFT or ARCHIVED is hidden from others at once, a deleted one from everyone', async () => {
    const seller = person('SELLER');
    const listing = await createListing(evented, seller);
    expect(await readListing(evented, listing.id)).not.toBeNull();
    for (const status of ['DRAFT', 'ARCHIVED']) {
      await call(evented, UPDATE, { id: listing.id, input: { status } }, seller);
      expect(await readListing(evented, listing.id)).toBeNull();
      expect(await readListing(evented, listing.id, person('BUYER'))).toBeNull();
      expect((await readListing(evented, listing.id, seller))?.status).toBe(status);
      expect((await readListing(evented, listing.id, ADMIN))?.status).toBe(status);
    }
    await call(evented, DELETE, { id: listing.id }, seller);
    expect(await readListing(evented, listing.id, seller)).toBeNull();
    expect(await readListing(evented, listing.id, ADMIN)).toBeNull();
  });
});

describeRedis('listings detail cache shared through Redis', () => {
  let a: Instance;
  let b: Instance;
  let admin: Redis;

  beforeAll(async () => {
    [a, b] = await Promise.all([start(REDIS_URL as string), start(REDIS_URL as string)]);
    admin = new Redis(REDIS_URL as string);
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await deleteKeysByPrefix(admin, RUN);
    await admin.quit();
  });

  it('replicas share cached listings with a 300 s TTL, and an update on one replica shows on the other at once', async () => {
    const seller = person('SELLER');
    const listing = await createListing(a, seller, { status: 'DRAFT' });
    a.queries.length = 0;
    b.queries.length = 0;
    expect((await readListing(a, listing.id, seller))?.title).toBe(listing.title);
    expect(selects(a)).toHaveLength(1);
    // Cached once for everyone; b still hides the draft from anyone but its owner and admins.
    expect(await readListing(b, listing.id)).toBeNull();
    expect((await readListing(b, listing.id, ADMIN))?.status).toBe('DRAFT');
    expect(selects(b)).toHaveLength(0);
    const ttl = await admin.pttl(`${RUN}cache:listing:v3:${listing.id}`);
    expect(ttl).toBeGreaterThan((LISTING_DETAIL_TTL_SECONDS - 10) * 1000);
    expect(ttl).toBeLessThanOrEqual(LISTING_DETAIL_TTL_SECONDS * 1000);

    await call(b, UPDATE, { id: listing.id, input: { status: 'ACTIVE', title: 'Published' } }, seller);
    expect(await readListing(a, listing.id)).toMatchObject({ title: 'Published', status: 'ACTIVE' });
  });
});

describeRedis('listings detail cache through a Redis outage (a private redis-server, killed and restarted)', () => {
  let server: PrivateRedis;
  let replica: Instance;

  beforeAll(async () => {
    server = await PrivateRedis.start();
    replica = await start(server.url);
  });

  afterAll(async () => {
    await replica?.close();
    await server?.dispose();
  });

  it('keeps answering from the database while Redis is down, logs it, and caches again by itself once Redis is back', async () => {
    const seller = person('SELLER');
    const made = await Promise.all([
      createListing(replica, seller),
      createListing(replica, seller),
      createListing(replica, seller, { status: 'DRAFT' }),
    ]);
    const reps = made.map((l) => ({ __typename: 'Listing', id: l.id }));
    const read = async (expectedTitles: (string | null)[]) => {
      replica.queries.length = 0;
      const res = await call<{ _entities: ({ title: string } | null)[] }>(replica, ENTITIES, { reps }, null);
      expect(res._entities.map((e) => e?.title ?? null)).toEqual(expectedTitles);
      return selects(replica).length;
    };
    const titles = [made[0]!.title, made[1]!.title, null];
    expect(await read(titles)).toBe(1);
    expect(await read(titles)).toBe(0);

    await server.kill();
    const started = Date.now();
    for (let n = 0; n < 5; n++) expect(await read(titles)).toBe(1); // bypassed: every read goes to the database
    expect(Date.now() - started).toBeLessThan(5_000);
    // A change during the outage is seen at once (nothing is cached while Redis is away).
    await call(replica, UPDATE, { id: made[0]!.id, input: { title: 'Changed during the outage' } }, seller);
    titles[0] = 'Changed during the outage';
    expect(await read(titles)).toBe(1);
    const bypassed = replica.lines.filter((l) => l.msg.startsWith('redis cache unavailable'));
    expect(bypassed.length).toBeGreaterThanOrEqual(1);
    expect(bypassed.length).toBeLessThanOrEqual(3);

    await server.start();
    const restarted = Date.now();
    await eventually(async () => ((await read(titles)) === 0 ? true : undefined), { what: 'the cache to answer again' });
    expect(Date.now() - restarted).toBeLessThan(10_000);
    expect(replica.lines.some((l) => l.msg === 'redis reconnected')).toBe(true);
  });
});
