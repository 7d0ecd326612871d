import { BadUserInputError } from '@market/platform';
import type { ListingData } from '../domain';
import { applyListingChanges, parseListingSearch, parseNewListing } from './listing-input';

const sale = {
  title: 'Sunny family house',
  description: 'Three bedrooms, a garden and a garage.',
  kind: 'SALE',
  propertyType: 'HOUSE',
  price: '350000',
  address: { line1: '1 Main St', city: 'Springfield', country: 'us' },
  location: { latitude: 39.78, longitude: -89.65 },
};

const rent = {
  ...sale,
  kind: 'RENT',
  propertyType: 'APARTMENT',
  price: null,
  pricePerNight: '89.5',
  maxGuests: 4,
  timeZone: 'europe/lisbon',
};

function fieldsOf(fn: () => unknown): Record<string, string[]> {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(BadUserInputError);
    return (err as BadUserInputError).extensions['fields'] as Record<string, string[]>;
  }
  throw new Error('expected BAD_USER_INPUT');
}

describe('parseNewListing', () => {
  it('normalizes money, codes and time zones and applies defaults', () => {
    const data = parseNewListing(sale);
    expect(data).toMatchObject({
      price: '350000.00',
      currency: 'USD',
      address: { line1: '1 Main St', line2: null, city: 'Springfield', region: null, country: 'US' },
      bedrooms: 0,
      images: [],
      status: 'DRAFT',
      timeZone: 'UTC',
      pricePerNight: null,
      maxGuests: null,
      instantBook: false,
    });
    expect(parseNewListing(rent)).toMatchObject({ price: null, pricePerNight: '89.50', maxGuests: 4, timeZone: 'Europe/Lisbon' });
  });

  it('refuses a RENT listing without pricePerNight or maxGuests', () => {
    const fields = fieldsOf(() => parseNewListing({ ...rent, pricePerNight: undefined, maxGuests: null }));
    expect(Object.keys(fields).sort()).toEqual(['maxGuests', 'pricePerNight']);
  });

  it('refuses a SALE listing without a price, or with rental fields', () => {
    expect(Object.keys(fieldsOf(() => parseNewListing({ ...sale, price: null })))).toEqual(['price']);
    expect(Object.keys(fieldsOf(() => parseNewListing({ ...sale, maxGuests: 2, instantBook: true }))).sort()).toEqual([
      'instantBook',
      'maxGuests',
    ]);
  });

  it.each([
    ['price', { price: '-1' }],
    ['price', { price: '12.345' }],
    ['price', { price: '12345678901' }],
    ['currency', { currency: 'XXY' }],
    ['address.country', { address: { ...sale.address, country: 'EU' } }],
    ['location.latitude', { location: { latitude: 90.5, longitude: 0 } }],
    ['location.longitude', { location: { latitude: 0, longitude: -181 } }],
    ['images.0', { images: ['http://example.com/a.jpg'] }],
    ['images', { images: Array.from({ length: 31 }, (_, i) => `https://cdn.example.com/${i}.jpg`) }],
    ['timeZone', { timeZone: 'Mars/Olympus_Mons' }],
    ['status', { status: 'SOLD' }],
    ['bedrooms', { bedrooms: -1 }],
    ['title', { title: '  ' }],
  ])('refuses a bad %s', (field, change) => {
    expect(Object.keys(fieldsOf(() => parseNewListing({ ...sale, ...change })))).toContain(field);
  });

  it('refuses minNights above maxNights', () => {
    expect(fieldsOf(() => parseNewListing({ ...rent, minNights: 5, maxNights: 2 }))).toHaveProperty('maxNights');
  });
});

describe('applyListingChanges', () => {
  const current: ListingData = parseNewListing(rent);

  it('keeps what is left out and clears what is null', () => {
    const next = applyListingChanges(current, { title: 'Renamed flat', cleaningFee: '20', minNights: undefined });
    expect(next).toEqual({ ...current, title: 'Renamed flat', cleaningFee: '20.00' });
    expect(applyListingChanges(next, { cleaningFee: null }).cleaningFee).toBeNull();
  });

  it('refuses null for a required field and checks the merged result', () => {
    expect(fieldsOf(() => applyListingChanges(current, { title: null }))).toHaveProperty('title');
    expect(fieldsOf(() => applyListingChanges(current, { pricePerNight: null }))).toHaveProperty('pricePerNight');
    expect(fieldsOf(() => applyListingChanges(current, { status: 'SOLD' }))).toHaveProperty('status');
  });

  it('switches kind when the fields of the new kind come along', () => {
    const next = applyListingChanges(current, {
      kind: 'SALE',
      price: '500000',
      pricePerNight: null,
      maxGuests: null,
    });
    expect(next).toMatchObject({ kind: 'SALE', price: '500000.00', pricePerNight: null, maxGuests: null });
    expect(fieldsOf(() => applyListingChanges(current, { kind: 'SALE', price: '1' }))).toHaveProperty('pricePerNight');
  });
});

describe('parseListingSearch', () => {
  it('drops nulls and normalizes amounts', () => {
    expect(parseListingSearch({ kind: null, city: ' Porto ', minPrice: '100', maxPrice: null })).toEqual({ city: 'Porto', minPrice: '100.00' });
    expect(parseListingSearch(null)).toEqual({});
  });

  it('refuses a range that is upside down', () => {
    expect(fieldsOf(() => parseListingSearch({ minPrice: '200', maxPrice: '100' }))).toHaveProperty('maxPrice');
  });
});
