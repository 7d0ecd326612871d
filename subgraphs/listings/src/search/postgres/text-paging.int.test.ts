import { randomUUID } from 'node:crypto';
import { createPrisma, type Db } from '../../db';
import { privateListingsDatabase } from '../../testing/private-database';
import type { ListingDocument, SearchHit } from '../port';
import { parseSearchArgs, type SearchArgs } from '../search-input';
import { PostgresListingSearch } from './postgres-search';

/**
 * Text searches sorted by price or date take one of two plans: the page is sorted from the first
 * 2,001 matches when that is all of them, or read along the sort's index when there are more. Both
 * must give the order a full sort gives, page after page, with the count capped at 1,000. A
 * database of this file's own holds 2,500 listings with one common word, 1,200 with another and
 * 300 with a rare one.
 */
let database: { url: string; drop(): Promise<void> };
let db: Db;
let search: PostgresListingSearch;
const docs: ListingDocument[] = [];

function doc(i: number, word: string): ListingDocument {
  const createdAt = new Date(Date.UTC(2026, 0, 1) + ((i * 7919) % 4000) * 60_000);
  return {
    id: randomUUID(),
    title: `Flat ${word} number ${i}`,
    description: i % 3 === 0 ? 'with a garden' : 'near the river',
    kind: i % 2 === 0 ? 'RENT' : 'SALE',
    propertyType: 'APARTMENT',
    status: 'ACTIVE',
    price: i % 2 === 0 ? null : 100_000 + ((i * 37) % 50) * 1000,
    pricePerNight: i % 2 === 0 ? 50 + ((i * 13) % 40) : null,
    currency: 'EUR',
    address: 'Rua Nova 1',
    city: 'Lisbon',
    neighbourhood: null,
    country: 'PT',
    zipCode: null,
    bedrooms: i % 4,
    bathrooms: 1,
    areaSqm: null,
    maxGuests: null,
    instantBook: false,
    amenities: [],
    location: { lat: 38.7223, lon: -9.1393 },
    ownerId: randomUUID(),
    createdAt,
    updatedAt: createdAt,
  };
}

beforeAll(async () => {
  database = await privateListingsDatabase('text_paging');
  db = createPrisma(database.url, 4);
  search = new PostgresListingSearch(db);
  for (let i = 0; i < 2500; i++) docs.push(doc(i, 'commonword'));
  for (let i = 2500; i < 3700; i++) docs.push(doc(i, 'middleword'));
  for (let i = 3700; i < 4000; i++) docs.push(doc(i, 'rareword'));
  await search.index(docs);
  await db.$executeRawUnsafe('ANALYZE listing_search');
}, 120_000);

afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
});

const amountOf = (d: ListingDocument) => d.price ?? d.pricePerNight ?? 0;
const compareId = (a: ListingDocument, b: ListingDocument) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Every page of a search, by its cursors. */
async function allPages(args: SearchArgs): Promise<{ ids: string[]; totals: number[]; exact: boolean[]; scores: number[] }> {
  const ids: string[] = [];
  const totals: number[] = [];
  const exact: boolean[] = [];
  const scores: number[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await search.search(parseSearchArgs({ ...args, first: 100, after }));
    ids.push(...page.hits.map((h: SearchHit) => h.id));
    scores.push(...page.hits.map((h: SearchHit) => h.score));
    totals.push(page.total);
    exact.push(page.totalIsExact);
    if (!page.hasNextPage) return { ids, totals, exact, scores };
    after = page.hits[page.hits.length - 1]!.cursor;
  }
}

describe('PostgreSQL text search sorted by price or date, below and above the count cap', () => {
  it.each([
    ['commonword', 'PRICE_ASC', 2500],
    ['commonword', 'NEWEST', 2500],
    ['commonword', 'PRICE_DESC', 2500],
    ['middleword', 'PRICE_ASC', 1200],
    ['middleword', 'NEWEST', 1200],
    ['rareword', 'PRICE_ASC', 300],
    ['rareword', 'NEWEST', 300],
  ] as const)(
    '"%s" sorted %s pages through all %i matches in the sort order',
    async (word, sort, matches) => {
      const result = await allPages({ text: word, sort });
      const expected = docs
        .filter((d) => d.title.includes(word))
        .sort((a, b) => {
          switch (sort) {
            case 'PRICE_ASC':
              return amountOf(a) - amountOf(b) || compareId(a, b);
            case 'PRICE_DESC':
              return amountOf(b) - amountOf(a) || compareId(b, a);
            case 'NEWEST':
              return b.createdAt.getTime() - a.createdAt.getTime() || compareId(b, a);
          }
        })
        .map((d) => d.id);
      expect(result.ids).toHaveLength(matches);
      expect(result.ids).toEqual(expected);
      // The count is capped at 1,000 and says so; every hit is ranked (the word is in its title).
      expect(result.totals[0]).toBe(Math.min(matches, 1000));
      expect(result.exact[0]).toBe(matches <= 1000);
      expect(result.scores.every((s) => s > 0)).toBe(true);
    },
    120_000,
  );

  it('applies filters on both plans', async () => {
    for (const word of ['commonword', 'middleword', 'rareword']) {
      const result = await allPages({ text: word, filter: { kind: 'RENT', minBedrooms: 2 }, sort: 'PRICE_ASC' });
      const expected = docs
        .filter((d) => d.title.includes(word) && d.kind === 'RENT' && d.bedrooms >= 2)
        .sort((a, b) => amountOf(a) - amountOf(b) || compareId(a, b))
        .map((d) => d.id);
      expect(result.ids).toEqual(expected);
    }
  }, 120_000);
});
