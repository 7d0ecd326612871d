import { parseSearchArgs } from './search-input';

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
    expect(parseSearchArgs({})).toEqual({ text: null, first: 20, after: null, filter: {} });
    expect(parseSearchArgs({ text: '   ', first: null, after: '' })).toEqual({ text: null, first: 20, after: null, filter: {} });
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
      first: 5,
      after: null,
      filter: { kind: 'SALE', city: 'Lisbon', minPrice: '100.00', near: { latitude: 38.7, longitude: -9.1, radiusKm: 3 } },
    });
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
