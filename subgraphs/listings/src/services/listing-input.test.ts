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
    expect(parseListingSearch({ kind: null, city: ' Porto ', minPrice: '100', maxPrice: null })).toEqual({
      city: 'Porto',
      minPrice: '100.00',
    });
    expect(parseListingSearch(null)).toEqual({});
  });

  it('refuses a range that is upside down', () => {
    expect(fieldsOf(() => parseListingSearch({ minPrice: '200', maxPrice: '100' }))).toHaveProperty('maxPrice');
  });
});

describe('rental terms', () => {
  it('gives a RENT listing the MODERATE policy and no discounts unless its owner chose', () => {
    expect(parseNewListing(rent)).toMatchObject({
      weeklyDiscountPercent: null,
      monthlyDiscountPercent: null,
      cancellationPolicy: 'MODERATE',
    });
    expect(parseNewListing({ ...rent, weeklyDiscountPercent: 10, monthlyDiscountPercent: 25, cancellationPolicy: 'STRICT' })).toMatchObject(
      {
        weeklyDiscountPercent: 10,
        monthlyDiscountPercent: 25,
        cancellationPolicy: 'STRICT',
      },
    );
    // Either discount alone, and the bounds themselves, are fine.
    expect(parseNewListing({ ...rent, monthlyDiscountPercent: 100 })).toMatchObject({
      weeklyDiscountPercent: null,
      monthlyDiscountPercent: 100,
    });
    expect(parseNewListing({ ...rent, weeklyDiscountPercent: 0 })).toMatchObject({
      weeklyDiscountPercent: 0,
      monthlyDiscountPercent: null,
    });
  });

  it('leaves a SALE listing without terms and refuses them there', () => {
    expect(parseNewListing(sale)).toMatchObject({ weeklyDiscountPercent: null, monthlyDiscountPercent: null, cancellationPolicy: null });
    const fields = fieldsOf(() =>
      parseNewListing({ ...sale, weeklyDiscountPercent: 5, monthlyDiscountPercent: 10, cancellationPolicy: 'FLEXIBLE' }),
    );
    expect(fields).toEqual({
      weeklyDiscountPercent: ['applies to RENT listings only'],
      monthlyDiscountPercent: ['applies to RENT listings only'],
      cancellationPolicy: ['applies to RENT listings only'],
    });
  });

  it.each([
    ['weeklyDiscountPercent', { weeklyDiscountPercent: -1 }],
    ['weeklyDiscountPercent', { weeklyDiscountPercent: 101 }],
    ['monthlyDiscountPercent', { monthlyDiscountPercent: 12.5 }],
    ['cancellationPolicy', { cancellationPolicy: 'LENIENT' }],
  ])('refuses a bad %s', (field, change) => {
    expect(Object.keys(fieldsOf(() => parseNewListing({ ...rent, ...change })))).toEqual([field]);
  });

  it('refuses a monthly discount below the weekly one, which would never apply', () => {
    expect(fieldsOf(() => parseNewListing({ ...rent, weeklyDiscountPercent: 20, monthlyDiscountPercent: 10 }))).toEqual({
      monthlyDiscountPercent: ['must not be less than weeklyDiscountPercent'],
    });
    expect(parseNewListing({ ...rent, weeklyDiscountPercent: 15, monthlyDiscountPercent: 15 }).monthlyDiscountPercent).toBe(15);
    const current = parseNewListing({ ...rent, weeklyDiscountPercent: 10, monthlyDiscountPercent: 20 });
    expect(fieldsOf(() => applyListingChanges(current, { weeklyDiscountPercent: 30 }))).toHaveProperty('monthlyDiscountPercent');
  });

  it('changes, clears and resets terms on update, and lets the policy follow a change of kind', () => {
    const current = parseNewListing({ ...rent, weeklyDiscountPercent: 10, cancellationPolicy: 'STRICT' });
    expect(applyListingChanges(current, { weeklyDiscountPercent: null, cancellationPolicy: 'FLEXIBLE' })).toMatchObject({
      weeklyDiscountPercent: null,
      cancellationPolicy: 'FLEXIBLE',
    });
    // Null on a RENT listing means the default.
    expect(applyListingChanges(current, { cancellationPolicy: null }).cancellationPolicy).toBe('MODERATE');
    const sold = applyListingChanges(current, {
      kind: 'SALE',
      price: '1',
      pricePerNight: null,
      maxGuests: null,
      weeklyDiscountPercent: null,
    });
    expect(sold.cancellationPolicy).toBeNull();
    // Left in place, a discount stops the switch like any other rental field.
    expect(fieldsOf(() => applyListingChanges(current, { kind: 'SALE', price: '1', pricePerNight: null, maxGuests: null }))).toEqual({
      weeklyDiscountPercent: ['applies to RENT listings only'],
    });
    expect(fieldsOf(() => applyListingChanges(sold, { cancellationPolicy: 'STRICT' }))).toHaveProperty('cancellationPolicy');
    expect(applyListingChanges(sold, { kind: 'RENT', price: null, pricePerNight: '50', maxGuests: 2 }).cancellationPolicy).toBe('MODERATE');
  });

  it('refuses DELETED as a status one sets', () => {
    expect(Object.keys(fieldsOf(() => applyListingChanges(parseNewListing(sale), { status: 'DELETED' })))).toEqual(['status']);
  });
});
