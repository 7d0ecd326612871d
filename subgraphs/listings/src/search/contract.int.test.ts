import { randomUUID } from 'node:crypto';
import { createLogger } from '@market/platform';
import { unique } from '@market/platform/testing';
import { createPrisma, type Db } from '../db';
import { privateListingsDatabase } from '../testing/private-database';
import { createListingSearch } from './create-search';
import { createElasticsearchClient } from './elasticsearch/elasticsearch-search';
import { orderFacets } from './facets';
import type { ListingDocument, ListingSearch, SearchFacets, Suggestion } from './port';
import { parseSearchArgs, parseSuggestArgs, type SearchArgs } from './search-input';

/**
 * The search contract: the same queries over one fixture corpus give the same answers on the
 * PostgreSQL adapter and, when ELASTICSEARCH_URL is set, the Elasticsearch adapter; and each answer
 * is the one a shopper expects (so both being wrong the same way fails too). Order is compared
 * wherever the sort decides it; relevance is compared as a set (scores differ between backends).
 * Adapters are called through the port, with arguments checked as `searchListings` checks them.
 */
const ES_URL = process.env['ELASTICSEARCH_URL'];
if (!ES_URL) console.warn('contract.int.test: ELASTICSEARCH_URL is not set, so only the PostgreSQL adapter is checked.');

const logger = createLogger('listings', 'silent');
const PREFIX = `contract_${unique('').toLowerCase()}_`;
const LISBON = { lat: 38.7223, lon: -9.1393 };
const PORTO = { lat: 41.1579, lon: -8.6291 };

let sequence = 0;
function listing(key: string, overrides: Partial<ListingDocument>): ListingDocument & { key: string } {
  sequence += 1;
  const createdAt = new Date(Date.UTC(2026, 0, 1) + sequence * 60_000);
  return {
    key,
    id: randomUUID(),
    title: 'Listing',
    description: '',
    kind: 'SALE',
    propertyType: 'HOUSE',
    status: 'ACTIVE',
    price: 100_000,
    pricePerNight: null,
    currency: 'EUR',
    address: 'Rua Nova 1',
    city: 'Lisbon',
    neighbourhood: null,
    country: 'PT',
    zipCode: null,
    bedrooms: 1,
    bathrooms: 1,
    areaSqm: null,
    maxGuests: null,
    instantBook: false,
    amenities: [],
    location: LISBON,
    ownerId: randomUUID(),
    createdAt,
    updatedAt: createdAt,
    ...overrides,
  };
}

const rent = (pricePerNight: number, maxGuests: number) => ({ kind: 'RENT' as const, price: null, pricePerNight, maxGuests });
const near = (base: { lat: number; lon: number }, dLat: number, dLon = 0) => ({ lat: base.lat + dLat, lon: base.lon + dLon });

const corpus = [
  listing('cottage', {
    title: 'Stone cottage',
    description: 'Thick walls, cool in summer.',
    price: 350_000,
    bedrooms: 3,
    bathrooms: 2,
    areaSqm: 120,
    amenities: ['GARDEN', 'PARKING'],
    address: 'Rua Augusta 10',
    neighbourhood: 'Baixa',
    zipCode: '1100-048',
    location: near(LISBON, 0.001),
  }),
  listing('quietHouse', {
    title: 'Quiet house with a view',
    description: 'A lovely garden behind the kitchen.',
    price: 450_000,
    bedrooms: 4,
    bathrooms: 3,
    areaSqm: 200,
    amenities: ['GARDEN', 'POOL'],
    neighbourhood: 'Alfama',
    location: near(LISBON, 0.004),
  }),
  listing('gardenFlat', {
    ...rent(90, 4),
    title: 'Garden flat',
    description: 'On a quiet street.',
    propertyType: 'APARTMENT',
    instantBook: true,
    bedrooms: 2,
    areaSqm: 70,
    amenities: ['WIFI', 'KITCHEN', 'GARDEN'],
    neighbourhood: 'Alfama',
    location: near(LISBON, 0.006),
  }),
  listing('balcony', {
    ...rent(120, 2),
    title: 'Bright apartment with balcony',
    propertyType: 'APARTMENT',
    areaSqm: 45,
    amenities: ['WIFI', 'BALCONY'],
    neighbourhood: 'Chiado',
    location: near(LISBON, -0.003),
  }),
  listing('studio', {
    ...rent(45, 1),
    title: 'Harbour studio',
    propertyType: 'ROOM',
    bedrooms: 0,
    amenities: ['WIFI'],
    city: 'Porto',
    neighbourhood: 'Ribeira',
    address: 'Cais da Ribeira 5',
    location: near(PORTO, -0.01),
  }),
  listing('townhouse', {
    title: 'Family townhouse',
    propertyType: 'TOWNHOUSE',
    price: 280_000,
    bedrooms: 3,
    areaSqm: 150,
    amenities: ['PARKING', 'GARAGE'],
    city: 'Porto',
    neighbourhood: 'Foz',
    location: near(PORTO, 0.02, -0.04),
  }),
  listing('loft', {
    ...rent(150, 3),
    title: 'Loft in São Bento',
    propertyType: 'CONDO',
    instantBook: true,
    areaSqm: 60,
    amenities: ['WIFI', 'AIR_CONDITIONING', 'WORKSPACE'],
    neighbourhood: 'São Bento',
    zipCode: '1200-109',
    location: near(LISBON, 0.008, -0.01),
  }),
  listing('bungalow', {
    ...rent(200, 6),
    title: 'Beach bungalow',
    bedrooms: 3,
    amenities: ['POOL', 'SEA_VIEW'],
    city: 'Suva',
    country: 'FJ',
    location: { lat: -18.1416, lon: 178.4419 },
  }),
  listing('villa', {
    title: 'Island villa',
    price: 900_000,
    bedrooms: 5,
    amenities: ['POOL', 'SEA_VIEW', 'GARDEN'],
    city: 'Taveuni',
    country: 'FJ',
    location: { lat: -16.8, lon: -179.9 },
  }),
  listing('office', {
    title: 'Office space downtown',
    propertyType: 'COMMERCIAL',
    price: 1_200_000,
    bedrooms: 0,
    areaSqm: 400,
    amenities: ['ELEVATOR', 'AIR_CONDITIONING'],
    location: near(LISBON, -0.006, 0.004),
  }),
  listing('plot', { title: 'Building plot', propertyType: 'LAND', price: 90_000, bedrooms: 0, city: 'Porto', location: near(PORTO, 0.05) }),
  listing('room', {
    ...rent(35, 1),
    title: 'Cosy room near the university',
    propertyType: 'ROOM',
    amenities: ['WIFI'],
    location: near(LISBON, 0.012),
  }),
];
const keyOf = new Map(corpus.map((doc) => [doc.id, doc.key]));
/** One more listing than the count cap, in a town of their own. */
const crowd = Array.from({ length: 1001 }, (_, i) =>
  listing(`crowd${i}`, {
    title: `Crowd house ${i}`,
    propertyType: 'COMMERCIAL',
    bedrooms: 0,
    city: 'Capville',
    location: { lat: 60, lon: 60 },
  }),
);

interface Backend {
  name: 'postgres' | 'elasticsearch';
  search: ListingSearch;
}
const backends: Backend[] = [];
let db: Db;
let database: { url: string; drop(): Promise<void> };

beforeAll(async () => {
  database = await privateListingsDatabase('contract');
  db = createPrisma(database.url, 4);
  backends.push({
    name: 'postgres',
    search: createListingSearch({ ELASTICSEARCH_URL: undefined, ELASTICSEARCH_INDEX_PREFIX: '' }, db, logger),
  });
  if (ES_URL) {
    backends.push({
      name: 'elasticsearch',
      search: createListingSearch({ ELASTICSEARCH_URL: ES_URL, ELASTICSEARCH_INDEX_PREFIX: PREFIX }, db, logger, { refreshOnWrite: true }),
    });
  }
  for (const backend of backends) {
    await backend.search.index(corpus);
    await backend.search.index(crowd);
  }
}, 120_000);

afterAll(async () => {
  for (const backend of backends) await backend.search.close();
  if (ES_URL) {
    const client = createElasticsearchClient(ES_URL);
    const indices = Object.keys(await client.indices.getAlias({ index: `${PREFIX}*` }));
    if (indices.length > 0) await client.indices.delete({ index: indices });
    await client.close();
  }
  await db?.$disconnect();
  await database?.drop();
});

/** Every page of a search, `first` at a time, following the cursors: the keys in the order found. */
async function all(search: ListingSearch, args: SearchArgs, first = 3): Promise<{ keys: string[]; totals: number[] }> {
  const keys: string[] = [];
  const totals: number[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 50; pages++) {
    const page = await search.search(parseSearchArgs({ ...args, first, after }));
    keys.push(...page.hits.map((hit) => keyOf.get(hit.id) ?? hit.id));
    totals.push(page.total);
    if (!page.hasNextPage) return { keys, totals };
    after = page.hits.at(-1)!.cursor;
  }
  throw new Error('more than 50 pages');
}

const cases: { name: string; args: SearchArgs; expected: string[]; ordered?: boolean }[] = [
  { name: 'a typo in a title word', args: { text: 'cottge' }, expected: ['cottage'] },
  {
    name: 'typos in two words that are not adjacent, each in another field',
    args: { text: 'quiet gardne' },
    expected: ['quietHouse', 'gardenFlat'],
  },
  { name: 'a typo in the city', args: { text: 'lisbn cottage' }, expected: ['cottage'] },
  { name: 'a typo in the address', args: { text: 'agusta' }, expected: ['cottage'] },
  { name: 'the neighbourhood', args: { text: 'Baixa' }, expected: ['cottage'] },
  { name: 'accents ignored', args: { text: 'sao bento' }, expected: ['loft'] },
  { name: 'a description word', args: { text: 'kitchen' }, expected: ['quietHouse'] },
  { name: 'a doubled letter', args: { text: 'balconny' }, expected: ['balcony'] },
  { name: 'a swapped pair in a long word (two edits)', args: { text: 'harbuor' }, expected: ['studio'] },
  { name: 'a different first letter is not a typo', args: { text: 'xottage' }, expected: [] },
  { name: 'kind', args: { filter: { kind: 'RENT' } }, expected: ['gardenFlat', 'balcony', 'studio', 'loft', 'bungalow', 'room'] },
  { name: 'property type', args: { filter: { propertyType: 'HOUSE' } }, expected: ['cottage', 'quietHouse', 'bungalow', 'villa'] },
  { name: 'city, case ignored', args: { filter: { city: 'PORTO' } }, expected: ['studio', 'townhouse', 'plot'] },
  { name: 'zip, spaces ignored', args: { filter: { zipCode: '1100 048' } }, expected: ['cottage'] },
  { name: 'price range, by kind', args: { filter: { minPrice: '100', maxPrice: '200' } }, expected: ['balcony', 'loft', 'bungalow'] },
  { name: 'sale price ceiling', args: { filter: { kind: 'SALE', maxPrice: '300000', city: 'Porto' } }, expected: ['townhouse', 'plot'] },
  { name: 'bedrooms minimum', args: { filter: { minBedrooms: 3 } }, expected: ['cottage', 'quietHouse', 'townhouse', 'bungalow', 'villa'] },
  { name: 'bathrooms minimum', args: { filter: { minBathrooms: 2 } }, expected: ['cottage', 'quietHouse'] },
  { name: 'area range', args: { filter: { minAreaSqm: 50, maxAreaSqm: 150 } }, expected: ['cottage', 'gardenFlat', 'townhouse', 'loft'] },
  { name: 'every amenity asked for', args: { filter: { amenities: ['WIFI', 'GARDEN'] } }, expected: ['gardenFlat'] },
  { name: 'room for guests', args: { filter: { guests: 3 } }, expected: ['gardenFlat', 'loft', 'bungalow'] },
  { name: 'instant book', args: { filter: { instantBook: true } }, expected: ['gardenFlat', 'loft'] },
  {
    name: 'a radius',
    args: { filter: { near: { latitude: LISBON.lat, longitude: LISBON.lon, radiusKm: 5 } } },
    expected: ['cottage', 'quietHouse', 'gardenFlat', 'balcony', 'loft', 'office', 'room'],
  },
  {
    name: 'a map box',
    args: { filter: { within: { north: 41.3, south: 41.0, east: -8.5, west: -8.8 } } },
    expected: ['studio', 'townhouse', 'plot'],
  },
  {
    name: 'a map box across the 180th meridian',
    args: { filter: { within: { north: -16, south: -19, east: -179, west: 178 } } },
    expected: ['bungalow', 'villa'],
  },
  {
    name: 'cheapest first',
    args: { filter: { kind: 'RENT' }, sort: 'PRICE_ASC' },
    expected: ['room', 'studio', 'gardenFlat', 'balcony', 'loft', 'bungalow'],
    ordered: true,
  },
  {
    name: 'dearest first',
    args: { filter: { kind: 'SALE', city: 'lisbon' }, sort: 'PRICE_DESC' },
    expected: ['office', 'quietHouse', 'cottage'],
    ordered: true,
  },
  {
    name: 'newest first',
    args: { filter: { near: { latitude: LISBON.lat, longitude: LISBON.lon, radiusKm: 5 } }, sort: 'NEWEST' },
    expected: ['room', 'office', 'loft', 'balcony', 'gardenFlat', 'quietHouse', 'cottage'],
    ordered: true,
  },
  {
    name: 'nearest first',
    args: { filter: { propertyType: 'ROOM' }, sort: 'DISTANCE', sortFrom: { latitude: PORTO.lat, longitude: PORTO.lon } },
    expected: ['studio', 'room'],
    ordered: true,
  },
  {
    name: 'nearest to the centre of the radius',
    args: { filter: { near: { latitude: PORTO.lat, longitude: PORTO.lon, radiusKm: 20 } }, sort: 'DISTANCE' },
    expected: ['studio', 'townhouse', 'plot'],
    ordered: true,
  },
  {
    name: 'text, two filters and a sort',
    args: { text: 'quiet', filter: { minBedrooms: 2, city: 'Lisbon' }, sort: 'PRICE_DESC' },
    expected: ['quietHouse', 'gardenFlat'],
    ordered: true,
  },
];

describe('the search contract', () => {
  it.each(cases)('$name', async ({ args, expected, ordered }) => {
    const answers: Record<string, string[]> = {};
    for (const { name, search } of backends) {
      const { keys, totals } = await all(search, args);
      expect({ backend: name, keys: ordered ? keys : [...keys].sort() }).toEqual({
        backend: name,
        keys: ordered ? expected : [...expected].sort(),
      });
      expect(totals.every((total) => total === expected.length)).toBe(true);
      answers[name] = keys;
    }
    if (answers['elasticsearch'])
      expect(ordered ? answers['elasticsearch'] : [...answers['elasticsearch']].sort()).toEqual(
        ordered ? answers['postgres'] : [...answers['postgres']!].sort(),
      );
  });

  it('pages through every sort without gaps or repeats, in the same order on both', async () => {
    for (const sort of ['NEWEST', 'PRICE_ASC', 'PRICE_DESC', 'DISTANCE'] as const) {
      const orders: string[][] = [];
      for (const { search } of backends) {
        const { keys } = await all(
          search,
          { filter: { minBedrooms: 0, maxAreaSqm: 500 }, sort, sortFrom: { latitude: 0, longitude: 0 } },
          2,
        );
        expect(new Set(keys).size).toBe(keys.length);
        expect([...keys].sort()).toEqual(
          corpus
            .filter((d) => d.areaSqm !== null)
            .map((d) => d.key)
            .sort(),
        );
        orders.push(keys);
      }
      if (orders.length === 2) expect(orders[1]).toEqual(orders[0]);
    }
  });

  it('counts up to 1,000 matches and says when there are more', async () => {
    for (const { search } of backends) {
      const capped = await search.search(parseSearchArgs({ filter: { city: 'Capville' }, first: 5 }));
      expect({ total: capped.total, exact: capped.totalIsExact, hits: capped.hits.length, next: capped.hasNextPage }).toEqual({
        total: 1000,
        exact: false,
        hits: 5,
        next: true,
      });
      const counted = await search.search(parseSearchArgs({ filter: { city: 'Capville', maxPrice: '100000' }, text: 'crowd 7', first: 5 }));
      expect({ total: counted.total, exact: counted.totalIsExact }).toEqual({ total: 1, exact: true });
    }
  });

  it('counts facets over the filtered set, each ignoring its own filter', async () => {
    const answers: SearchFacets[] = [];
    for (const { search } of backends) {
      const facets = orderFacets(await search.facets(parseSearchArgs({ filter: { kind: 'RENT', minBedrooms: 1, amenities: ['WIFI'] } })));
      // Kinds ignore `kind`: listings with 1+ bedrooms and wifi, of either kind.
      expect(facets.kinds).toEqual([{ value: 'RENT', count: 4 }]);
      // Bedrooms ignore `minBedrooms`: RENT listings with wifi by bedroom count.
      expect(facets.bedrooms).toEqual([
        { value: '0', count: 1 },
        { value: '1', count: 3 },
        { value: '2', count: 1 },
      ]);
      // Amenities ignore `amenities`: RENT listings with 1+ bedrooms.
      expect(facets.amenities).toEqual([
        { value: 'WIFI', count: 4 },
        { value: 'AIR_CONDITIONING', count: 1 },
        { value: 'BALCONY', count: 1 },
        { value: 'GARDEN', count: 1 },
        { value: 'KITCHEN', count: 1 },
        { value: 'POOL', count: 1 },
        { value: 'SEA_VIEW', count: 1 },
        { value: 'WORKSPACE', count: 1 },
      ]);
      expect(facets.propertyTypes).toEqual([
        { value: 'APARTMENT', count: 2 },
        { value: 'CONDO', count: 1 },
        { value: 'ROOM', count: 1 },
      ]);
      expect(facets.prices).toEqual([
        { kind: 'RENT', min: 0, max: 50, count: 1 },
        { kind: 'RENT', min: 50, max: 100, count: 1 },
        { kind: 'RENT', min: 100, max: 150, count: 1 },
        { kind: 'RENT', min: 150, max: 200, count: 1 },
      ]);
      answers.push(facets);
    }
    if (answers.length === 2) expect(answers[1]).toEqual(answers[0]);
  });

  it('facets follow the text and the filters without a facet', async () => {
    const answers: SearchFacets[] = [];
    for (const { search } of backends) {
      const facets = orderFacets(await search.facets(parseSearchArgs({ text: 'gardne', filter: { city: 'Lisbon', minPrice: '100000' } })));
      expect(facets.kinds).toEqual([{ value: 'SALE', count: 1 }]);
      expect(facets.prices).toEqual([
        { kind: 'RENT', min: 50, max: 100, count: 1 },
        { kind: 'SALE', min: 300_000, max: 500_000, count: 1 },
      ]);
      answers.push(facets);
    }
    if (answers.length === 2) expect(answers[1]).toEqual(answers[0]);
  });

  it('suggests cities and neighbourhoods by listings, then titles, from two characters, accents ignored', async () => {
    const answers: Suggestion[][] = [];
    for (const { search } of backends) {
      const suggest = async (prefix: string) => {
        const args = parseSuggestArgs({ prefix });
        return search.suggest(args.prefix, args.first);
      };
      expect(await suggest('li')).toEqual([{ kind: 'CITY', text: 'Lisbon', listingCount: 7 }]);
      expect(await suggest('AL')).toEqual([{ kind: 'NEIGHBOURHOOD', text: 'Alfama', listingCount: 2 }]);
      expect(await suggest('sã')).toEqual([{ kind: 'NEIGHBOURHOOD', text: 'São Bento', listingCount: 1 }]);
      expect(await suggest('cr')).toEqual([
        { kind: 'TITLE', text: 'Crowd house 0', listingCount: 1 },
        { kind: 'TITLE', text: 'Crowd house 1', listingCount: 1 },
        { kind: 'TITLE', text: 'Crowd house 10', listingCount: 1 },
        { kind: 'TITLE', text: 'Crowd house 100', listingCount: 1 },
        { kind: 'TITLE', text: 'Crowd house 1000', listingCount: 1 },
      ]);
      const porto = await suggest('po');
      expect(porto).toEqual([{ kind: 'CITY', text: 'Porto', listingCount: 3 }]);
      answers.push([...(await suggest('ca')), ...(await suggest('lo'))]);
    }
    expect(answers[0]).toEqual([
      { kind: 'CITY', text: 'Capville', listingCount: 1001 },
      { kind: 'TITLE', text: 'Loft in São Bento', listingCount: 1 },
    ]);
    if (answers.length === 2) expect(answers[1]).toEqual(answers[0]);
  });
});
