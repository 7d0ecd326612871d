/**
 * Search benchmark at marketplace scale, through the search port (the adapter `searchListings`
 * calls, with arguments checked by the same parser), one request at a time:
 *
 *   node -r @swc-node/register bench/search/run.ts [--listings 100000] [--runs 300] [--reuse] [--explain]
 *
 * Loads a seeded, realistic corpus (bench/search/corpus.ts) through each adapter's bulk rebuild
 * path (`reindex`: batched jsonb upserts into `listing_search` on PostgreSQL, the bulk helper into a
 * fresh index on Elasticsearch), with progress, then times typical searches: text + 2 filters +
 * sort, filters only, two-word text, a map box, facets, suggest. PostgreSQL: a database of its own
 * (bench_search) on BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres),
 * migrated like production, kept afterwards so `--reuse` can measure again without reloading.
 * Elasticsearch too when ELASTICSEARCH_URL is set (indices bench_search_listings_v*). `--explain`
 * prints PostgreSQL's plan for one query of each kind.
 */
import '../sources';
import { performance } from 'node:perf_hooks';
import { createLogger } from '@market/platform';
import { applyMigrations, databaseUrl, ensureDatabases, migrationsOf } from '@market/platform/db';
import { createPrisma, type Db } from '../../subgraphs/listings/src/db';
import { createListingSearch } from '../../subgraphs/listings/src/search/create-search';
import type { ListingDocument, ListingSearch, ReindexSource } from '../../subgraphs/listings/src/search/port';
import { buildFacetsSql, buildSearchSql, buildSuggestSql, buildTsquerySql } from '../../subgraphs/listings/src/search/postgres/query';
import { parseSearchArgs, parseSuggestArgs, type SearchArgs } from '../../subgraphs/listings/src/search/search-input';
import { AMENITIES, CITIES, corpus, rng } from './corpus';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const LISTINGS = option('listings', 100_000);
const RUNS = option('runs', 300);
const WARMUP = 30;
const REUSE = args.includes('--reuse');
const EXPLAIN = args.includes('--explain');
/** `--only <text>`: only the scenarios whose name starts with it (e.g. --only text). */
const ONLY = args.includes('--only') ? args[args.indexOf('--only') + 1]! : '';
const SERVER_URL = process.env['BENCH_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ES_URL = process.env['ELASTICSEARCH_URL'];
const logger = createLogger('bench-search', 'warn');

function progress(label: string) {
  let last = 0;
  let finished = false;
  return ({ done, total }: { done: number; total: number }) => {
    const now = Date.now();
    if (finished || (now - last < 1000 && done < total)) return;
    finished = done >= total && done > 0;
    last = now;
    process.stderr.write(
      `\r${label}: ${done.toLocaleString('en')} / ${total.toLocaleString('en')} (${Math.floor((100 * done) / Math.max(total, 1))}%)   `,
    );
    if (done >= total) process.stderr.write('\n');
  };
}

/** The corpus as a rebuild source: every listing once, nothing to drop afterwards. */
function source(count: number): ReindexSource {
  return {
    count: async () => count,
    async *documents(batchSize) {
      let batch: ListingDocument[] = [];
      for (const doc of corpus(count)) {
        batch.push(doc);
        if (batch.length === batchSize) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    },
    unsearchable: async () => [],
  };
}

const TEXTS = [
  'garden',
  'balcony',
  'sea view',
  'quiet street',
  'cottage',
  'cottge',
  'apartmnt',
  'terrace',
  'renovated kitchen',
  'metro',
  'quiet gardne',
  'loft',
  'fireplace',
  'pool',
  'sunny flat',
];
const random = rng(7);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));

/** A map view around a city centre: about 3 to 10 km across. */
function box() {
  const c = pick(CITIES);
  const half = 0.015 + random() * 0.03;
  const dLon = half / Math.cos((c.lat * Math.PI) / 180);
  return { north: c.lat + half, south: c.lat - half, east: c.lon + dLon, west: c.lon - dLon };
}

const scenarios: { name: string; kind: 'search' | 'facets' | 'suggest'; args: () => SearchArgs | { prefix: string } }[] = [
  {
    name: 'text + 2 filters + sort',
    kind: 'search',
    args: () => ({
      text: pick(TEXTS),
      filter: { kind: pick(['SALE', 'RENT']), minBedrooms: int(1, 3) },
      sort: pick(['RELEVANCE', 'PRICE_ASC', 'NEWEST']),
    }),
  },
  {
    name: 'filters only (kind, bedrooms, price), newest',
    kind: 'search',
    args: () => {
      const rent = random() < 0.5;
      return rent
        ? {
            filter: { kind: 'RENT', minBedrooms: int(1, 3), minPrice: String(int(40, 90)), maxPrice: String(int(120, 300)) },
            sort: 'NEWEST',
          }
        : {
            filter: { kind: 'SALE', minBedrooms: int(1, 4), minPrice: String(int(1, 3) * 100_000), maxPrice: String(int(4, 9) * 100_000) },
            sort: 'NEWEST',
          };
    },
  },
  {
    name: 'city + amenity + guests, price up',
    kind: 'search',
    args: () => ({ filter: { city: pick(CITIES).name, amenities: [pick(AMENITIES)], guests: int(1, 4) }, sort: 'PRICE_ASC' }),
  },
  {
    name: 'two-word text, relevance',
    kind: 'search',
    args: () => ({
      text: `${pick(['quiet', 'sunny', 'bright', 'cosy', 'modern'])} ${pick(['garden', 'terrace', 'balcony', 'loft', 'house'])}`,
    }),
  },
  {
    name: 'map box, price up',
    kind: 'search',
    args: () => ({ filter: { within: box(), ...(random() < 0.5 ? { kind: 'RENT' } : {}) }, sort: 'PRICE_ASC' }),
  },
  {
    name: 'radius 5 km, nearest first',
    kind: 'search',
    args: () => {
      const c = pick(CITIES);
      return { filter: { near: { latitude: c.lat, longitude: c.lon, radiusKm: 5 } }, sort: 'DISTANCE' };
    },
  },
  {
    name: 'facets: city + kind + bedrooms',
    kind: 'facets',
    args: () => ({ filter: { city: pick(CITIES).name, kind: pick(['SALE', 'RENT']), minBedrooms: int(1, 2) } }),
  },
  { name: 'facets: text + kind', kind: 'facets', args: () => ({ text: pick(TEXTS), filter: { kind: pick(['SALE', 'RENT']) } }) },
  { name: 'facets: everything (no filter)', kind: 'facets', args: () => ({}) },
  {
    name: 'suggest (2-4 letters)',
    kind: 'suggest',
    args: () => {
      const c = pick(CITIES);
      const word = pick([c.name, pick(c.neighbourhoods), pick(['Bright', 'Quiet', 'Sunny', 'Cosy', 'Modern', 'Charming'])]);
      return { prefix: word.slice(0, int(2, 4)) };
    },
  },
  // The first scenario split by its sort (appended, so the scenarios above draw the same values).
  {
    name: 'text + 2 filters, price up or newest',
    kind: 'search',
    args: () => ({
      text: pick(TEXTS),
      filter: { kind: pick(['SALE', 'RENT']), minBedrooms: int(1, 3) },
      sort: pick(['PRICE_ASC', 'NEWEST']),
    }),
  },
  {
    name: 'text + 2 filters, relevance',
    kind: 'search',
    args: () => ({ text: pick(TEXTS), filter: { kind: pick(['SALE', 'RENT']), minBedrooms: int(1, 3) }, sort: 'RELEVANCE' }),
  },
];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function run(search: ListingSearch, scenario: (typeof scenarios)[number]): Promise<void> {
  if (scenario.kind === 'suggest') {
    const { prefix, first } = parseSuggestArgs(scenario.args() as { prefix: string });
    await search.suggest(prefix, first);
  } else if (scenario.kind === 'facets') {
    await search.facets(parseSearchArgs(scenario.args() as SearchArgs));
  } else {
    await search.search(parseSearchArgs({ first: 20, ...(scenario.args() as SearchArgs) }));
  }
}

async function measure(label: string, search: ListingSearch): Promise<string[]> {
  const rows: string[] = [];
  for (const scenario of scenarios.filter((s) => s.name.startsWith(ONLY))) {
    for (let i = 0; i < WARMUP; i++) await run(search, scenario);
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      await run(search, scenario);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const row = `| ${label} | ${scenario.name} | ${percentile(times, 50).toFixed(1)} | ${percentile(times, 95).toFixed(1)} | ${percentile(times, 99).toFixed(1)} |`;
    console.log(row);
    rows.push(row);
  }
  return rows;
}

async function loadPostgres(db: Db, search: ListingSearch): Promise<void> {
  const [row] = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM listing_search`;
  const n = row?.n ?? 0;
  if (REUSE && n === LISTINGS) {
    process.stderr.write(`postgres: reusing ${n.toLocaleString('en')} listings in bench_search\n`);
    return;
  }
  await db.$executeRaw`TRUNCATE listing_search`;
  const started = Date.now();
  const report = await search.reindex(source(LISTINGS), { batchSize: 1000, onProgress: progress('postgres: loading') });
  process.stderr.write(`postgres: loaded ${report.indexed.toLocaleString('en')} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  await db.$executeRawUnsafe('VACUUM ANALYZE listing_search');
  await db.$executeRawUnsafe('VACUUM ANALYZE listing_search_terms');
}

async function explain(db: Db): Promise<void> {
  const tsquery = async (text: string) => (await db.$queryRaw<{ tsq: string }[]>(buildTsquerySql(text)))[0]!.tsq;
  const plans: [string, ReturnType<typeof buildSearchSql>][] = [
    [
      'text + 2 filters + sort',
      buildSearchSql(
        parseSearchArgs({ text: 'quiet gardne', filter: { kind: 'RENT', minBedrooms: 2 }, sort: 'PRICE_ASC' }),
        await tsquery('quiet gardne'),
      ),
    ],
    [
      'text + 2 filters + sort (a common word, price up)',
      buildSearchSql(
        parseSearchArgs({ text: 'garden', filter: { kind: 'RENT', minBedrooms: 2 }, sort: 'PRICE_ASC' }),
        await tsquery('garden'),
      ),
    ],
    [
      'text + 2 filters + sort (a common word, relevance)',
      buildSearchSql(
        parseSearchArgs({ text: 'garden', filter: { kind: 'RENT', minBedrooms: 2 }, sort: 'RELEVANCE' }),
        await tsquery('garden'),
      ),
    ],
    [
      'filters only',
      buildSearchSql(parseSearchArgs({ filter: { kind: 'SALE', minBedrooms: 2, minPrice: '200000', maxPrice: '500000' }, sort: 'NEWEST' })),
    ],
    [
      'map box',
      buildSearchSql(parseSearchArgs({ filter: { within: { north: 38.75, south: 38.69, east: -9.1, west: -9.18 } }, sort: 'PRICE_ASC' })),
    ],
    ['facets', buildFacetsSql(parseSearchArgs({ filter: { city: 'Lisbon', kind: 'RENT', minBedrooms: 1 } }))],
    ['suggest', buildSuggestSql('li', 5)],
  ];
  for (const [name, sql] of plans) {
    const rows = await db.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(`EXPLAIN (ANALYZE, BUFFERS) ${sql.text}`, ...sql.values);
    console.log(`\n-- ${name}\n${rows.map((r) => r['QUERY PLAN']).join('\n')}`);
  }
}

async function main(): Promise<void> {
  const url = databaseUrl(SERVER_URL, 'bench_search');
  await ensureDatabases(SERVER_URL, ['bench_search']);
  await applyMigrations({ databaseUrl: url, ...migrationsOf('listings') });
  const db = createPrisma(url, 4);
  const rows: string[] = [];
  try {
    const [settings] = await db.$queryRaw<{ v: string; sb: string }[]>`SELECT version() AS v, current_setting('shared_buffers') AS sb`;
    console.log(
      `${LISTINGS.toLocaleString('en')} listings, ${RUNS} runs per query after ${WARMUP} warm-up runs, one at a time, through the adapter`,
    );
    console.log(`PostgreSQL: ${settings!.v.split(',')[0]}, shared_buffers ${settings!.sb}`);
    const pg = createListingSearch({ ELASTICSEARCH_URL: undefined, ELASTICSEARCH_INDEX_PREFIX: '' }, db, logger);
    await loadPostgres(db, pg);
    if (EXPLAIN) await explain(db);
    console.log('\n| backend | query | p50 ms | p95 ms | p99 ms |\n| --- | --- | ---: | ---: | ---: |');
    rows.push(...(await measure('PostgreSQL', pg)));
    if (ES_URL) {
      const es = createListingSearch({ ELASTICSEARCH_URL: ES_URL, ELASTICSEARCH_INDEX_PREFIX: 'bench_search_' }, db, logger, {
        dropDelayMs: 0,
      });
      try {
        const count = await es.search(parseSearchArgs({ first: 0 }));
        if (!(REUSE && count.total >= Math.min(LISTINGS, 1000) && !count.totalIsExact)) {
          const started = Date.now();
          const report = await es.reindex(source(LISTINGS), { batchSize: 1000, onProgress: progress('elasticsearch: loading') });
          process.stderr.write(
            `elasticsearch: loaded ${report.indexed.toLocaleString('en')} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
          );
        }
        rows.push(...(await measure('Elasticsearch', es)));
      } finally {
        await es.close();
      }
    }
  } finally {
    await db.$disconnect();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
