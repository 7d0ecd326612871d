import { randomUUID } from 'node:crypto';
import { buildFacetsRequest, buildSearchRequest, decodeCursor, encodeCursor, filterClauses, prefixRegex, toHits } from './query';
import type { SearchQuery } from '../port';

const query = (overrides: Partial<SearchQuery> = {}): SearchQuery => ({
  text: null,
  filter: {},
  sort: 'RELEVANCE',
  first: 20,
  after: null,
  ...overrides,
});

describe('Elasticsearch query building', () => {
  it('browses newest first without text, counting up to one past the cap, one hit more than the page', () => {
    const request = buildSearchRequest(query({ first: 5 }), 'listings');
    expect(request).toMatchObject({
      index: 'listings',
      size: 6,
      track_total_hits: 1001,
      _source: false,
      query: { bool: { filter: [{ term: { status: 'ACTIVE' } }] } },
      sort: [{ createdAt: { order: 'desc' } }, { id: { order: 'desc' } }],
    });
  });

  it('requires every word, typos forgiven as PostgreSQL forgives them', () => {
    const request = buildSearchRequest(query({ text: 'Quiet, gardne!' }), 'listings');
    expect(request.query?.bool?.must).toEqual([
      {
        match: {
          fullText: {
            query: 'quiet gardne',
            operator: 'and',
            fuzziness: 'AUTO',
            prefix_length: 1,
            fuzzy_transpositions: false,
            max_expansions: 50,
          },
        },
      },
    ]);
    expect(request.sort).toEqual([{ _score: { order: 'desc' } }, { createdAt: { order: 'desc' } }, { id: { order: 'desc' } }]);
  });

  it('turns every filter into a non-scoring clause, marking the ones with a facet', () => {
    const clauses = filterClauses({
      kind: 'RENT',
      city: 'Lisbôa',
      minBedrooms: 2,
      amenities: ['WIFI', 'POOL'],
      minPrice: '50.00',
      maxPrice: '120.50',
      guests: 3,
      near: { latitude: 38.71, longitude: -9.14, radiusKm: 2.5 },
      within: { north: 1, south: 0, east: -179, west: 179 },
    });
    expect(clauses).toEqual([
      { query: { term: { status: 'ACTIVE' } } },
      { query: { term: { kind: 'RENT' } }, facet: 'kind' },
      { query: { term: { cityKey: 'lisboa' } } },
      { query: { range: { bedrooms: { gte: 2 } } }, facet: 'bedrooms' },
      { query: { range: { maxGuests: { gte: 3 } } } },
      { query: { bool: { filter: [{ term: { amenities: 'WIFI' } }, { term: { amenities: 'POOL' } }] } }, facet: 'amenities' },
      { query: { range: { amount: { gte: 50, lte: 120.5 } } }, facet: 'price' },
      { query: { geo_distance: { distance: '2.5km', distance_type: 'arc', location: { lat: 38.71, lon: -9.14 } } } },
      { query: { geo_bounding_box: { location: { top_left: { lat: 1, lon: 179 }, bottom_right: { lat: 0, lon: -179 } } } } },
    ]);
  });

  it('applies every faceted filter but its own to each facet', () => {
    const request = buildFacetsRequest(query({ filter: { kind: 'RENT', minBedrooms: 2 } }), 'listings');
    const aggs = request.aggs as Record<string, { filter: { bool: { filter: unknown[] } } }>;
    expect(aggs['kinds']!.filter.bool.filter).toEqual([{ range: { bedrooms: { gte: 2 } } }]);
    expect(aggs['bedrooms']!.filter.bool.filter).toEqual([{ term: { kind: 'RENT' } }]);
    expect(request.query?.bool?.filter).toEqual([{ term: { status: 'ACTIVE' } }]);
  });

  it('continues after a hit through search_after, from the cursor of the same sort', () => {
    const id = randomUUID();
    const q = query({ sort: 'PRICE_DESC' });
    const [hit] = toHits([{ _index: 'listings_v1', _id: id, _score: null, sort: [120.5, id] }], q);
    expect(buildSearchRequest({ ...q, after: hit!.cursor }, 'listings').search_after).toEqual([120.5, id]);
    const pgCursor = Buffer.from(JSON.stringify(['pg', 'PRICE_DESC', '120.50', id])).toString('base64url');
    for (const cursor of ['nope', pgCursor, encodeCursor('PRICE_DESC', [1, 'not-a-uuid']), encodeCursor('NEWEST', [1, id])]) {
      expect(() => decodeCursor(cursor, q)).toThrow(
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
      );
    }
  });

  it('escapes everything but letters and digits in a suggest prefix', () => {
    expect(prefixRegex('São .*')).toBe('sao\\ \\.\\*.*');
  });
});
