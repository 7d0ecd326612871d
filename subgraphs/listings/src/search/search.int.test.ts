import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createLogger, InProcessEventBus, type Identity, type RunningServer, type Subgraph } from '@market/platform';
import { callSubgraph, testDatabaseUrl, testSecrets, unique, type GraphQLResponse } from '@market/platform/testing';
import { createSubgraph, loadEnv } from '../subgraph';
import { createPrisma, type Db } from '../db';
import { consumeSearchEvents } from './consumer';
import { createListingSearch } from './create-search';
import { createElasticsearchClient } from './elasticsearch/elasticsearch-search';
import { listingsSource } from './indexer';
import type { ListingSearch, ReindexProgress, ReindexSource } from './port';

/**
 * Search through `searchListings`, on both backends, fed the way production feeds them: listing
 * mutations write events to the outbox, and the events reach the `listings.search-index` consumer
 * through an in-process bus. Each test delivers its own listings' events itself (under fresh event
 * ids, so no other consumer of this shared test database can have handled them first) and scopes
 * its searches to a city of its own.
 */
const ES_URL = process.env['ELASTICSEARCH_URL'];
if (!ES_URL) {
  console.warn(
    'search.int.test: ELASTICSEARCH_URL is not set, so the Elasticsearch adapter tests are SKIPPED. ' +
      'Run `bash .ci/services/elasticsearch.sh start` and set ELASTICSEARCH_URL=http://127.0.0.1:9200 to run them.',
  );
}

type Backend = 'postgres' | 'elasticsearch';
const PREFIX = `test_${unique('').toLowerCase()}_`;
const LISBON = { latitude: 38.7223, longitude: -9.1393 };
const logger = createLogger('listings', 'silent');

const SEARCH = `query ($text: String, $filter: ListingSearchFilter, $sort: ListingSearchSort, $first: Int, $after: String) {
  searchListings(text: $text, filter: $filter, sort: $sort, first: $first, after: $after) {
    totalCount
    edges { cursor score node { id title kind status createdAt } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const CREATE = `mutation ($input: CreateListingInput!) { createListing(input: $input) { id title createdAt } }`;
const UPDATE = `mutation ($id: ID!, $input: UpdateListingInput!) { updateListing(id: $id, input: $input) { id } }`;
const DELETE = `mutation ($id: ID!) { deleteListing(id: $id) }`;

interface SearchResult {
  totalCount: number;
  edges: { cursor: string; score: number; node: { id: string; title: string; kind: string; status: string; createdAt: string } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

interface Created {
  id: string;
  title: string;
  createdAt: string;
}

interface Harness {
  backend: Backend;
  subgraph: Subgraph;
  running: RunningServer;
  /** SQL statements the subgraph ran. */
  queries: string[];
  /** The consumer's side: its own adapter, bus and Prisma client. */
  db: Db;
  search: ListingSearch;
  bus: InProcessEventBus;
}

let secret: string;
let pg: Client;
const harnesses = new Map<Backend, Promise<Harness>>();
const seller: Identity = { userId: randomUUID(), role: 'SELLER', sessionId: randomUUID() };

function backendEnv(backend: Backend): Record<string, string> {
  return backend === 'elasticsearch' ? { ELASTICSEARCH_URL: ES_URL as string, ELASTICSEARCH_INDEX_PREFIX: PREFIX } : {};
}

function harness(backend: Backend): Promise<Harness> {
  let started = harnesses.get(backend);
  if (!started) {
    started = (async () => {
      const env = loadEnv({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        DATABASE_URL: testDatabaseUrl('listings'),
        GATEWAY_SIGNING_SECRET: secret,
        ...backendEnv(backend),
      });
      const queries: string[] = [];
      const subgraph = await createSubgraph(env, logger, { bus: null, onQuery: (sql) => queries.push(sql) });
      const running = await subgraph.listen(0, '127.0.0.1');
      const db = createPrisma(env.DATABASE_URL, 5);
      // Refresh on write: what the consumer wrote is searchable once the bus has drained.
      const search = createListingSearch(env, db, logger, { refreshOnWrite: true, dropDelayMs: 500 });
      const bus = new InProcessEventBus(logger, { attempts: 2, initialDelayMs: 10, maxDelayMs: 50 });
      await consumeSearchEvents(bus, db, search);
      return { backend, subgraph, running, queries, db, search, bus };
    })();
    harnesses.set(backend, started);
  }
  return started;
}

beforeAll(async () => {
  secret = (await testSecrets()).signingSecret;
  pg = new Client({ connectionString: testDatabaseUrl('listings') });
  await pg.connect();
});

afterAll(async () => {
  for (const started of harnesses.values()) {
    const h = await started;
    await h.running.close();
    await h.subgraph.close();
    await h.bus.close();
    await h.search.close();
    await h.db.$disconnect();
  }
  if (ES_URL) {
    const client = createElasticsearchClient(ES_URL);
    const indices = Object.keys(await client.indices.getAlias({ index: `${PREFIX}*` }));
    if (indices.length > 0) await client.indices.delete({ index: indices });
    await client.close();
  }
  await pg?.end();
});

async function call<T>(
  h: Harness,
  query: string,
  variables: Record<string, unknown>,
  identity: Identity | null = seller,
): Promise<GraphQLResponse<T>> {
  return callSubgraph<T>(h.running.url, { query, variables }, { secret, identity });
}

async function search(h: Harness, variables: Record<string, unknown>): Promise<SearchResult> {
  const res = await call<{ searchListings: SearchResult }>(h, SEARCH, variables, null);
  expect(res.errors).toBeUndefined();
  return res.data!.searchListings;
}

const ids = (result: SearchResult) => result.edges.map((e) => e.node.id);

function sale(city: string, overrides: Record<string, unknown> = {}) {
  return {
    title: 'Family house',
    description: 'Three bedrooms and a garden.',
    kind: 'SALE',
    propertyType: 'HOUSE',
    price: '350000',
    currency: 'EUR',
    address: { line1: 'Rua Augusta 10', city, country: 'PT' },
    bedrooms: 3,
    bathrooms: 2,
    toilets: 2,
    location: LISBON,
    status: 'ACTIVE',
    ...overrides,
  };
}

function rental(city: string, overrides: Record<string, unknown> = {}) {
  return sale(city, {
    title: 'City flat',
    kind: 'RENT',
    propertyType: 'APARTMENT',
    price: null,
    pricePerNight: '90',
    maxGuests: 4,
    ...overrides,
  });
}

/** Creates listings one after another (so createdAt follows the order given). */
async function create(h: Harness, ...inputs: Record<string, unknown>[]): Promise<Created[]> {
  const created: Created[] = [];
  for (const input of inputs) {
    const res = await call<{ createListing: Created }>(h, CREATE, { input });
    expect(res.errors).toBeUndefined();
    created.push(res.data!.createListing);
  }
  return created;
}

async function update(h: Harness, id: string, input: Record<string, unknown>): Promise<void> {
  const res = await call(h, UPDATE, { id, input });
  expect(res.errors).toBeUndefined();
}

async function remove(h: Harness, id: string): Promise<void> {
  const res = await call(h, DELETE, { id });
  expect(res.errors).toBeUndefined();
}

/** Publishes these listings' outbox events to the harness's bus, as the relay would, and waits until handled. */
async function deliver(h: Harness, listings: readonly { id: string }[]): Promise<void> {
  const { rows } = await pg.query<{ type: string; version: number; aggregate_id: string; payload: unknown; occurred_at: Date }>(
    `SELECT type, version, aggregate_id, payload, occurred_at FROM outbox_events
     WHERE aggregate_id = ANY($1::text[]) ORDER BY seq`,
    [listings.map((l) => l.id)],
  );
  const events = rows.map((r) => ({
    id: randomUUID(),
    type: r.type,
    version: r.version,
    aggregateId: r.aggregate_id,
    occurredAt: r.occurred_at.toISOString(),
    payload: r.payload,
  }));
  await h.bus.publish(events as never);
  await h.bus.drain();
  expect(await h.bus.deadLetters()).toEqual([]);
}

/** createdAt desc, id desc: the order of results that score alike. */
function newestFirst(listings: Created[]): string[] {
  return [...listings].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id)).map((l) => l.id);
}

for (const backend of ['postgres', 'elasticsearch'] as const) {
  const suite = backend === 'elasticsearch' && !ES_URL ? describe.skip : describe;

  suite(`searchListings on ${backend}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await harness(backend);
    });

    it('finds ACTIVE listings once their events are handled; drafts, archived and deleted listings are not found', async () => {
      const city = unique('City');
      const [active, draft, archived, deleted] = await create(
        h,
        sale(city, { title: 'Stone cottage' }),
        sale(city, { title: 'Stone cottage', status: 'DRAFT' }),
        sale(city, { title: 'Stone cottage' }),
        sale(city, { title: 'Stone cottage' }),
      );
      expect((await search(h, { text: 'cottage', filter: { city } })).totalCount).toBe(0);
      await deliver(h, [active!, draft!, archived!, deleted!]);
      expect(ids(await search(h, { text: 'cottage', filter: { city } })).sort()).toEqual([active!.id, archived!.id, deleted!.id].sort());

      await update(h, archived!.id, { status: 'ARCHIVED' });
      await remove(h, deleted!.id);
      await deliver(h, [archived!, deleted!]);
      const after = await search(h, { text: 'cottage', filter: { city } });
      expect(ids(after)).toEqual([active!.id]);
      expect(after.totalCount).toBe(1);

      // Unsearchable, then searchable again: the index follows the listing both ways.
      await update(h, active!.id, { status: 'DRAFT' });
      await deliver(h, [active!]);
      expect(ids(await search(h, { text: 'cottage', filter: { city } }))).toEqual([]);
      await update(h, active!.id, { status: 'ACTIVE', title: 'Stone cottage with well' });
      await deliver(h, [active!]);
      expect(ids(await search(h, { text: 'well', filter: { city } }))).toEqual([active!.id]);
    });

    it('matches words in the title, description or city, title matches first', async () => {
      const city = unique('City');
      const created = await create(
        h,
        sale(city, { title: 'Sunny loft', description: 'Quiet street.' }),
        sale(city, { title: 'Quiet house', description: 'A sunny garden.' }),
        sale(city, { title: 'Dark cellar', description: 'No windows.' }),
      );
      const [titled, described] = created;
      await deliver(h, created);
      const result = await search(h, { text: 'sunny', filter: { city } });
      expect(ids(result)).toEqual([titled!.id, described!.id]);
      expect(result.edges[0]!.score).toBeGreaterThan(result.edges[1]!.score);
      expect(ids(await search(h, { text: 'garden sunny', filter: { city } }))).toEqual([described!.id]);
      expect(ids(await search(h, { text: city.toLowerCase(), filter: { city } }))).toHaveLength(3);
    });

    it('forgives typos', async () => {
      const city = unique('City');
      const [flat, house] = await create(
        h,
        rental(city, { title: 'Bright apartment with balcony' }),
        sale(city, { title: 'Family house', description: 'Three bedrooms.' }),
      );
      await deliver(h, [flat!, house!]);
      expect(ids(await search(h, { text: 'appartment', filter: { city } }))).toEqual([flat!.id]);
      expect(ids(await search(h, { text: 'balconny', filter: { city } }))).toEqual([flat!.id]);
      expect(ids(await search(h, { text: 'familly', filter: { city } }))).toEqual([house!.id]);
    });

    it('filters by kind, property type, price by kind, bedrooms and city (case ignored)', async () => {
      const city = unique('City');
      const [house, condo, cheapFlat, dearFlat] = await create(
        h,
        sale(city, { propertyType: 'HOUSE', price: '250000', bedrooms: 3 }),
        sale(city, { propertyType: 'CONDO', price: '500000', bedrooms: 2 }),
        rental(city, { pricePerNight: '80', bedrooms: 1 }),
        rental(city, { pricePerNight: '150', bedrooms: 2 }),
      );
      await deliver(h, [house!, condo!, cheapFlat!, dearFlat!]);
      const found = async (filter: Record<string, unknown>) => ids(await search(h, { filter: { city, ...filter } })).sort();
      expect(await found({ kind: 'RENT' })).toEqual([cheapFlat!.id, dearFlat!.id].sort());
      expect(await found({ propertyType: 'CONDO' })).toEqual([condo!.id]);
      expect(await found({ minBedrooms: 2 })).toEqual([house!.id, condo!.id, dearFlat!.id].sort());
      expect(await found({ minPrice: '100', maxPrice: '300000' })).toEqual([house!.id, dearFlat!.id].sort());
      expect(await found({ kind: 'SALE', maxPrice: '300000' })).toEqual([house!.id]);
      expect(ids(await search(h, { filter: { city: city.toUpperCase() } })).sort()).toEqual(
        [house!.id, condo!.id, cheapFlat!.id, dearFlat!.id].sort(),
      );
    });

    it('finds listings within a radius', async () => {
      const city = unique('City');
      const [centre, threeKm, twentyFiveKm] = await create(
        h,
        sale(city, { location: LISBON }),
        sale(city, { location: { latitude: LISBON.latitude + 0.027, longitude: LISBON.longitude } }),
        sale(city, { location: { latitude: LISBON.latitude + 0.225, longitude: LISBON.longitude } }),
      );
      await deliver(h, [centre!, threeKm!, twentyFiveKm!]);
      const within = async (radiusKm: number) => ids(await search(h, { filter: { city, near: { ...LISBON, radiusKm } } })).sort();
      expect(await within(1)).toEqual([centre!.id]);
      expect(await within(5)).toEqual([centre!.id, threeKm!.id].sort());
      expect(await within(30)).toEqual([centre!.id, threeKm!.id, twentyFiveKm!.id].sort());
    });

    it('pages through results with cursors, without gaps or repeats', async () => {
      const city = unique('City');
      const created = await create(h, ...Array.from({ length: 5 }, () => sale(city, { title: 'Garden cottage' })));
      await deliver(h, created);
      for (const text of [null, 'cottage']) {
        const seen: string[] = [];
        let after: string | null = null;
        const pages: boolean[] = [];
        do {
          const page = await search(h, { text, filter: { city }, first: 2, after });
          expect(page.totalCount).toBe(5);
          seen.push(...ids(page));
          pages.push(page.pageInfo.hasNextPage);
          after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
        } while (after);
        expect(pages).toEqual([true, true, false]);
        // Equal scores: newest first.
        expect(seen).toEqual(newestFirst(created));
      }
      const bad = await call(h, SEARCH, { filter: { city }, after: 'not-a-cursor' }, null);
      expect(bad.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    });

    it('hydrates a page of results with one listings query', async () => {
      const city = unique('City');
      const created = await create(h, ...Array.from({ length: 4 }, () => sale(city)));
      await deliver(h, created);
      h.queries.length = 0;
      const result = await search(h, { filter: { city }, first: 4 });
      expect(result.edges).toHaveLength(4);
      expect(h.queries.filter((sql) => /FROM "public"\."listings"/.test(sql))).toHaveLength(1);
    });

    it('rebuilds the index from the database while searches keep answering, keeping changes made meanwhile', async () => {
      const city = unique('City');
      const seeded = await create(h, ...Array.from({ length: 12 }, (_, i) => sale(city, { title: `Villa number ${i}` })));
      await deliver(h, seeded);
      const [renamed, drafted, deleted, lost] = seeded;
      // Drift the index away from the database: a document missing, which the rebuild restores.
      await h.search.remove([lost!.id]);
      expect(ids(await search(h, { filter: { city }, first: 50 }))).not.toContain(lost!.id);

      // Searches run all along; each must answer.
      let rebuilding = true;
      const answers: number[] = [];
      const failures: unknown[] = [];
      const searching = (async () => {
        while (rebuilding) {
          const res = await call<{ searchListings: SearchResult }>(h, SEARCH, { filter: { city }, first: 50 }, null);
          if (res.errors) failures.push(res.errors);
          else answers.push(res.data!.searchListings.totalCount);
          await new Promise((r) => setTimeout(r, 10));
        }
      })();

      // Changes while the new index is loading, once the rebuild has read the listings they change:
      // its copies of them are stale and must not win.
      let added: Created | undefined;
      const unread = new Set([renamed!.id, drafted!.id, deleted!.id]);
      const source = listingsSource(h.db);
      const changing: ReindexSource = {
        ...source,
        async *documents(batchSize) {
          for await (const batch of source.documents(batchSize)) {
            yield batch;
            if (unread.size === 0) continue;
            for (const doc of batch) unread.delete(doc.id);
            if (unread.size > 0) continue;
            await update(h, renamed!.id, { title: 'Renamed mansion' });
            await update(h, drafted!.id, { status: 'DRAFT' });
            await remove(h, deleted!.id);
            [added] = await create(h, sale(city, { title: 'Villa added late' }));
            await deliver(h, [renamed!, drafted!, deleted!, added!]);
          }
        },
      };
      const progress: ReindexProgress[] = [];
      const report = await h.search.reindex(changing, { batchSize: 20, onProgress: (p) => progress.push(p) });
      rebuilding = false;
      await searching;

      expect(added).toBeDefined();
      expect(failures).toEqual([]);
      expect(answers.length).toBeGreaterThan(0);
      // Never fewer than the 12 seeded less the one drifted out, the drafted and the deleted.
      expect(Math.min(...answers)).toBeGreaterThanOrEqual(9);
      // The bar ends full, whatever the count said when it started.
      const last = progress.at(-1)!;
      expect(last.done).toBe(last.total);
      expect(last.done).toBeGreaterThanOrEqual(report.indexed);

      const expected = seeded
        .filter((l) => l !== drafted && l !== deleted)
        .map((l) => l.id)
        .concat(added!.id);
      expect(ids(await search(h, { filter: { city }, first: 50 })).sort()).toEqual(expected.sort());
      expect(ids(await search(h, { text: 'mansion', filter: { city } }))).toEqual([renamed!.id]);
      expect(ids(await search(h, { text: 'late', filter: { city } }))).toEqual([added!.id]);
    });
  });
}

(ES_URL ? describe : describe.skip)('Elasticsearch index lifecycle', () => {
  it('queries go through the alias, which a rebuild moves to a new listings_v<timestamp> index, dropping the old one', async () => {
    const h = await harness('elasticsearch');
    const client = createElasticsearchClient(ES_URL as string);
    try {
      const before = Object.keys(await client.indices.getAlias({ name: `${PREFIX}listings` }));
      expect(before).toHaveLength(1);
      const report = await h.search.reindex(listingsSource(h.db));
      expect(report.target).toMatch(new RegExp(`^${PREFIX}listings_v\\d{13}$`));
      expect(Object.keys(await client.indices.getAlias({ name: `${PREFIX}listings` }))).toEqual([report.target]);
      expect(Object.keys(await client.indices.getAlias({ index: `${PREFIX}listings_v*` }))).toEqual([report.target]);
      expect(await client.indices.exists({ index: before[0]! })).toBe(false);
      const mapping = await client.indices.getMapping({ index: report.target });
      expect(mapping[report.target]!.mappings.properties).toMatchObject({
        titleWords: { type: 'text', analyzer: 'standard' },
        fullText: { type: 'text', analyzer: 'standard' },
        cityKey: { type: 'keyword' },
        amount: { type: 'double' },
        amenities: { type: 'keyword' },
        price: { type: 'double' },
        bedrooms: { type: 'integer' },
        location: { type: 'geo_point' },
        createdAt: { type: 'date' },
      });
    } finally {
      await client.close();
    }
  });

  it('says loudly when the index behind the alias predates the current mapping', async () => {
    const client = createElasticsearchClient(ES_URL as string);
    const prefix = `${PREFIX}old_`;
    try {
      await client.indices.create({
        index: `${prefix}listings_v1`,
        mappings: { dynamic: 'strict', properties: { id: { type: 'keyword' }, status: { type: 'keyword' }, createdAt: { type: 'date' } } },
        aliases: { [`${prefix}listings`]: {} },
      });
      const errors: unknown[] = [];
      const spy = Object.assign(Object.create(logger) as typeof logger, { error: (...args: unknown[]) => errors.push(args[0]) });
      const search = createListingSearch(
        { ELASTICSEARCH_URL: ES_URL, ELASTICSEARCH_INDEX_PREFIX: prefix },
        await harness('postgres').then((h) => h.db),
        spy,
      );
      await search.search({ text: null, filter: {}, sort: 'NEWEST', first: 1, after: null });
      expect(errors).toEqual([
        expect.objectContaining({ index: `${prefix}listings_v1`, missing: expect.arrayContaining(['titleWords', 'amenities']) }),
      ]);
      await search.close();
    } finally {
      await client.indices.delete({ index: `${prefix}listings_v1`, ignore_unavailable: true });
      await client.close();
    }
  });

  it('gives the same results, in the same shape, as the PostgreSQL adapter', async () => {
    const [es, pgh] = await Promise.all([harness('elasticsearch'), harness('postgres')]);
    const city = unique('City');
    const created = await create(
      pgh,
      sale(city, { title: 'Sunny loft', price: '200000', bedrooms: 1 }),
      sale(city, { title: 'Garden house', description: 'Sunny garden.', price: '400000', bedrooms: 4 }),
      rental(city, { title: 'Bright apartment', pricePerNight: '70', bedrooms: 2 }),
      rental(city, { title: 'Harbour studio', pricePerNight: '120', bedrooms: 0, location: { latitude: 38.9, longitude: -9.1 } }),
    );
    await deliver(es, created);
    await deliver(pgh, created);
    const cases: { variables: Record<string, unknown>; ordered: boolean }[] = [
      { variables: { filter: { city } }, ordered: true },
      { variables: { filter: { city, kind: 'RENT', maxPrice: '100' } }, ordered: true },
      { variables: { filter: { city, minBedrooms: 2 } }, ordered: true },
      { variables: { filter: { city, near: { ...LISBON, radiusKm: 10 } } }, ordered: true },
      { variables: { text: 'sunny', filter: { city } }, ordered: false },
      { variables: { text: 'appartment', filter: { city } }, ordered: false },
      { variables: { filter: { city }, first: 2 }, ordered: true },
    ];
    for (const { variables, ordered } of cases) {
      const [a, b] = await Promise.all([search(es, variables), search(pgh, variables)]);
      expect(a.totalCount).toBe(b.totalCount);
      expect(a.pageInfo.hasNextPage).toBe(b.pageInfo.hasNextPage);
      expect(ordered ? ids(a) : ids(a).sort()).toEqual(ordered ? ids(b) : ids(b).sort());
      expect(a.edges.map((e) => Object.keys(e).sort())).toEqual(b.edges.map((e) => Object.keys(e).sort()));
    }
  });
});

describe('searchListings in a running subgraph', () => {
  it("indexes through the subgraph's own outbox relay and consumer when it is given a bus", async () => {
    const bus = new InProcessEventBus(logger);
    const env = loadEnv({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: testDatabaseUrl('listings'),
      GATEWAY_SIGNING_SECRET: secret,
    });
    const subgraph = await createSubgraph(env, logger, { bus });
    const running = await subgraph.listen(0, '127.0.0.1');
    try {
      const city = unique('City');
      const res = await callSubgraph<{ createListing: Created }>(
        running.url,
        { query: CREATE, variables: { input: sale(city) } },
        { secret, identity: seller },
      );
      expect(res.errors).toBeUndefined();
      const deadline = Date.now() + 15_000;
      let found: string[] = [];
      while (found.length === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        const page = await callSubgraph<{ searchListings: SearchResult }>(
          running.url,
          { query: SEARCH, variables: { filter: { city } } },
          { secret, identity: null },
        );
        found = page.data?.searchListings.edges.map((e) => e.node.id) ?? [];
      }
      expect(found).toEqual([res.data!.createListing.id]);
    } finally {
      await running.close();
      await subgraph.close();
      await bus.close();
    }
  });

  it('refuses bad arguments with BAD_USER_INPUT naming the field, never an internal error', async () => {
    const h = await harness('postgres');
    const refused: [Record<string, unknown>, string][] = [
      [{ first: 101 }, 'first'],
      [{ filter: { minPrice: 'cheap' } }, 'minPrice'],
      [{ filter: { minPrice: '500', maxPrice: '100' } }, 'maxPrice'],
      [{ filter: { minAreaSqm: 90, maxAreaSqm: 50 } }, 'maxAreaSqm'],
      [{ filter: { near: { latitude: 0, longitude: 0, radiusKm: -1 } } }, 'near.radiusKm'],
      [{ filter: { near: { latitude: 0, longitude: 0, radiusKm: 0 } } }, 'near.radiusKm'],
      [{ filter: { near: { latitude: 0, longitude: 0, radiusKm: 501 } } }, 'near.radiusKm'],
      [{ filter: { near: { latitude: 91, longitude: 0, radiusKm: 1 } } }, 'near.latitude'],
      [{ filter: { within: { north: 38, south: 39, east: -9, west: -10 } } }, 'within.south'],
      [{ filter: { within: { north: 39, south: 39, east: -9, west: -10 } } }, 'within.south'],
      [{ filter: { within: { north: 39, south: 38, east: -9, west: -9 } } }, 'within.east'],
      [{ sort: 'DISTANCE' }, 'sortFrom'],
      [{ text: 'cottage\u0000' }, 'text'],
      [{ filter: { city: 'Lis\u0000bon' } }, 'filter.city'],
      [{ filter: { zipCode: '\u0000' } }, 'filter.zipCode'],
      [{ after: 'x\u0000' }, 'after'],
    ];
    for (const [variables, field] of refused) {
      const res = await call(h, SEARCH, variables, null);
      expect({ variables, code: res.errors?.[0]?.extensions?.['code'] }).toEqual({ variables, code: 'BAD_USER_INPUT' });
      expect(Object.keys((res.errors?.[0]?.extensions?.['fields'] as Record<string, unknown>) ?? {})).toContain(field);
    }
    const SUGGEST = `query ($prefix: String!, $first: Int) { suggest(prefix: $prefix, first: $first) { kind text listingCount } }`;
    for (const variables of [{ prefix: 'l' }, { prefix: ' ' }, { prefix: 'é' }, { prefix: 'li\u0000' }, { prefix: 'li', first: 11 }]) {
      const res = await call(h, SUGGEST, variables, null);
      expect({ variables, code: res.errors?.[0]?.extensions?.['code'] }).toEqual({ variables, code: 'BAD_USER_INPUT' });
    }
    const CREATE_NUL = await call(h, CREATE, { input: sale(unique('City'), { title: 'Nul\u0000house' }) });
    expect(CREATE_NUL.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    // The box across the 180th meridian is a map view, not a crossed box.
    expect((await call(h, SEARCH, { filter: { within: { north: -16, south: -19, east: -179, west: 178 } } }, null)).errors).toBeUndefined();
  });

  it('answers facets and suggestions through the subgraph', async () => {
    const h = await harness('postgres');
    const city = unique('Facetville');
    const created = await create(
      h,
      sale(city, { title: 'Garden house', amenities: ['GARDEN', 'GARDEN', 'POOL'], areaSqm: 140, neighbourhood: 'Graça', bedrooms: 2 }),
      rental(city, { title: 'Garden flat', amenities: ['WIFI'], bedrooms: 1 }),
    );
    await deliver(h, created);
    const FACETS = `query ($filter: ListingSearchFilter) { searchListings(filter: $filter, first: 1) {
      totalCount totalCountExact
      edges { node { amenities areaSqm neighbourhood } }
      facets { kinds { kind count } bedrooms { bedrooms count } amenities { amenity count } prices { kind min max count } propertyTypes { propertyType count } } } }`;
    const res = await call<{ searchListings: Record<string, unknown> }>(h, FACETS, { filter: { city, kind: 'SALE' } }, null);
    expect(res.errors).toBeUndefined();
    expect(res.data!.searchListings).toEqual({
      totalCount: 1,
      totalCountExact: true,
      edges: [{ node: { amenities: ['GARDEN', 'POOL'], areaSqm: 140, neighbourhood: 'Graça' } }],
      facets: {
        kinds: [
          { kind: 'RENT', count: 1 },
          { kind: 'SALE', count: 1 },
        ],
        bedrooms: [{ bedrooms: 2, count: 1 }],
        amenities: [
          { amenity: 'GARDEN', count: 1 },
          { amenity: 'POOL', count: 1 },
        ],
        prices: [{ kind: 'SALE', min: '300000.00', max: '500000.00', count: 1 }],
        propertyTypes: [{ propertyType: 'HOUSE', count: 1 }],
      },
    });
    const SUGGEST = `query ($prefix: String!) { suggest(prefix: $prefix) { kind text listingCount } }`;
    const suggested = await call<{ suggest: unknown[] }>(h, SUGGEST, { prefix: city.slice(0, 6).toUpperCase() }, null);
    expect(suggested.data?.suggest).toEqual(expect.arrayContaining([{ kind: 'CITY', text: city, listingCount: 2 }]));
  });
});
