import { parseSearchArgs, parseSuggestArgs } from './search-input';

function badInputFields(run: () => unknown): Record<string, string[]> {
  try {
    run();
  } catch (err) {
    const extensions = (err as { extensions?: Record<string, unknown> }).extensions;
    expect(extensions?.['code']).toBe('BAD_USER_INPUT');
    return extensions?.['fields'] as Record<string, string[]>;
  }
  throw new Error('expected BAD_USER_INPUT');
}

describe('searchListings arguments', () => {
  it('defaults to 20 results, no text and no filters; blank text means no text', () => {
    expect(parseSearchArgs({})).toEqual({ text: null, sort: 'RELEVANCE', first: 20, after: null, filter: {} });
    expect(parseSearchArgs({ text: '   ', first: null, after: '' })).toEqual({
      text: null,
      sort: 'RELEVANCE',
      first: 20,
      after: null,
      filter: {},
    });
    // Punctuation alone holds no word to search for.
    expect(parseSearchArgs({ text: ' -- !' }).text).toBeNull();
  });

  it('keeps trimmed text and normalized filters, including a radius', () => {
    expect(
      parseSearchArgs({
        text: '  sea view ',
        first: 5,
        filter: { kind: 'SALE', city: ' Lisbon ', minPrice: '100', maxPrice: null, near: { latitude: 38.7, longitude: -9.1, radiusKm: 3 } },
      }),
    ).toEqual({
      text: 'sea view',
      sort: 'RELEVANCE',
      first: 5,
      after: null,
      filter: { kind: 'SALE', city: 'Lisbon', minPrice: '100.00', near: { latitude: 38.7, longitude: -9.1, radiusKm: 3 } },
      // DISTANCE would measure from the circle's centre.
      from: { latitude: 38.7, longitude: -9.1 },
    });
  });

  it('keeps the search-only filters, drops repeated amenities and measures distance from sortFrom', () => {
    expect(
      parseSearchArgs({
        sort: 'DISTANCE',
        sortFrom: { latitude: 41, longitude: -8 },
        filter: {
          zipCode: '1100-048',
          amenities: ['POOL', 'POOL', 'WIFI'],
          guests: 2,
          instantBook: false,
          minAreaSqm: 50,
          within: { north: 2, south: 1, east: -179, west: 179 },
        },
      }),
    ).toEqual({
      text: null,
      sort: 'DISTANCE',
      first: 20,
      after: null,
      from: { latitude: 41, longitude: -8 },
      filter: {
        zipCode: '1100-048',
        amenities: ['POOL', 'WIFI'],
        guests: 2,
        instantBook: false,
        minAreaSqm: 50,
        within: { north: 2, south: 1, east: -179, west: 179 },
      },
    });
  });

  it('refuses what would otherwise be an internal error or a meaningless search', () => {
    expect(badInputFields(() => parseSearchArgs({ filter: { near: { latitude: 0, longitude: 0, radiusKm: 0 } } }))).toHaveProperty([
      'near.radiusKm',
    ]);
    expect(badInputFields(() => parseSearchArgs({ filter: { near: { latitude: 0, longitude: 0, radiusKm: 500.1 } } }))).toHaveProperty([
      'near.radiusKm',
    ]);
    expect(badInputFields(() => parseSearchArgs({ filter: { within: { north: 1, south: 2, east: 1, west: 0 } } }))).toHaveProperty([
      'within.south',
    ]);
    expect(badInputFields(() => parseSearchArgs({ filter: { minAreaSqm: 100, maxAreaSqm: 99 } }))).toHaveProperty('maxAreaSqm');
    expect(badInputFields(() => parseSearchArgs({ sort: 'DISTANCE' }))).toHaveProperty('sortFrom');
    expect(badInputFields(() => parseSearchArgs({ text: 'a\u0000b' }))).toHaveProperty('text');
    expect(badInputFields(() => parseSuggestArgs({ prefix: 'x' }))).toHaveProperty('prefix');
    expect(badInputFields(() => parseSuggestArgs({ prefix: 'ü ' }))).toHaveProperty('prefix');
    expect(badInputFields(() => parseSuggestArgs({ prefix: 'li\u0000' }))).toHaveProperty('prefix');
    expect(parseSuggestArgs({ prefix: 'Li' })).toEqual({ prefix: 'Li', first: 5 });
  });

  it('refuses out-of-range pages, prices and circles, naming the field', () => {
    expect(badInputFields(() => parseSearchArgs({ first: 101 }))).toHaveProperty('first');
    expect(badInputFields(() => parseSearchArgs({ filter: { minPrice: '-1' } }))).toHaveProperty('minPrice');
    expect(badInputFields(() => parseSearchArgs({ filter: { minPrice: '10', maxPrice: '5' } }))).toHaveProperty('maxPrice');
    expect(badInputFields(() => parseSearchArgs({ filter: { near: { latitude: 91, longitude: 0, radiusKm: 0 } } }))).toEqual({
      'near.latitude': [expect.any(String)],
      'near.radiusKm': [expect.any(String)],
    });
  });
});
