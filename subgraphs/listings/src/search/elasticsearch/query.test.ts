import { randomUUID } from 'node:crypto';
import { buildFilters, buildSearchRequest, decodeCursor, encodeCursor, toHits } from './query';
import type { SearchQuery } from '../port';

const query = (overrides: Partial<SearchQuery> = {}): SearchQuery => ({ text: null, filter: {}, first: 20, after: null, ...overrides });

describe('Elasticsearch query building', () => {
  it('browses ACTIVE listings newest first when there is no text, asking for one hit more than the page', () => {
    const request = buildSearchRequest(query({ first: 5 }), 'listings');
    expect(request).toMatchObject({
      index: 'listings',
      size: 6,
      track_total_hits: true,
      _source: false,
      query: { bool: { filter: [{ term: { status: 'ACTIVE' } }] } },
      sort: [{ _score: { order: 'desc' } }, { createdAt: { order: 'desc' } }, { id: { order: 'desc' } }],
    });
    expect(request.query?.bool?.must).toBeUndefined();
    expect(request.search_after).toBeUndefined();
  });

  it('requires every word in any field, with typos forgiven, and ranks title matches higher', () => {
    const request = buildSearchRequest(query({ text: 'sunny appartment' }), 'listings');
    expect(request.query?.bool?.must).toEqual([
      { match: { fullText: { query: 'sunny appartment', operator: 'and', fuzziness: 'AUTO', prefix_length: 1 } } },
    ]);
    expect(request.query?.bool?.should).toEqual([{ match: { title: { query: 'sunny appartment', boost: 2 } } }]);
  });

  it('turns every filter into a non-scoring clause', () => {
    const filters = buildFilters({
      kind: 'RENT',
      propertyType: 'APARTMENT',
      city: 'Lisbon',
      minBedrooms: 2,
      minPrice: '50.00',
      maxPrice: '120.50',
      near: { latitude: 38.71, longitude: -9.14, radiusKm: 2.5 },
    });
    expect(filters).toEqual([
      { term: { status: 'ACTIVE' } },
      { term: { kind: 'RENT' } },
      { term: { propertyType: 'APARTMENT' } },
      { term: { city: 'Lisbon' } },
      { range: { bedrooms: { gte: 2 } } },
      { bool: { filter: [{ term: { kind: 'RENT' } }, { range: { pricePerNight: { gte: 50, lte: 120.5 } } }] } },
      { geo_distance: { distance: '2.5km', location: { lat: 38.71, lon: -9.14 } } },
    ]);
  });

  it('compares a price range with the sale price or the nightly price, by kind', () => {
    const [, price] = buildFilters({ maxPrice: '300000.00' });
    expect(price).toEqual({
      bool: {
        should: [
          { bool: { filter: [{ term: { kind: 'SALE' } }, { range: { price: { lte: 300000 } } }] } },
          { bool: { filter: [{ term: { kind: 'RENT' } }, { range: { pricePerNight: { lte: 300000 } } }] } },
        ],
        minimum_should_match: 1,
      },
    });
    expect(buildFilters({ kind: 'SALE', minPrice: '1.00' })[2]).toEqual({
      bool: { filter: [{ term: { kind: 'SALE' } }, { range: { price: { gte: 1 } } }] },
    });
  });

  it('continues after a hit through search_after, from the cursor that hit carried', () => {
    const id = randomUUID();
    const [hit] = toHits([{ _index: 'listings_v1', _id: id, sort: [1.25, 1_760_000_000_000, id] }]);
    expect(hit).toMatchObject({ id, score: 1.25 });
    expect(decodeCursor(hit!.cursor)).toEqual([1.25, 1_760_000_000_000, id]);
    expect(buildSearchRequest(query({ after: hit!.cursor }), 'listings').search_after).toEqual([1.25, 1_760_000_000_000, id]);
  });

  it('refuses a cursor it did not hand out, including a PostgreSQL one', () => {
    const pgCursor = Buffer.from(JSON.stringify(['pg', '0.5', new Date().toISOString(), randomUUID()])).toString('base64url');
    for (const cursor of ['nope', pgCursor, encodeCursor([1, 2, 'not-a-uuid'])]) {
      expect(() => decodeCursor(cursor)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }));
    }
  });
});
