import type { ListingRecord } from '../../domain';
import { matchesSavedSearch, wordMatches } from './match';

const listing = (overrides: Partial<ListingRecord> = {}): ListingRecord => ({
  id: '00000000-0000-4000-8000-000000000001',
  ownerId: '00000000-0000-4000-8000-000000000002',
  title: 'Quiet cottage with a garden',
  description: 'Two bedrooms near the river.',
  kind: 'RENT',
  propertyType: 'HOUSE',
  price: null,
  currency: 'EUR',
  address: { line1: 'Rua Augusta 10', line2: null, city: 'Lisboa', region: null, country: 'PT' },
  zipCode: '1100-048',
  neighbourhood: 'Baixa',
  bedrooms: 2,
  bathrooms: 1,
  toilets: 1,
  areaSqm: 70,
  amenities: ['WIFI', 'GARDEN'],
  location: { latitude: 38.71, longitude: -9.137 },
  images: [],
  status: 'ACTIVE',
  pricePerNight: '90.00',
  maxGuests: 4,
  timeZone: 'Europe/Lisbon',
  cleaningFee: null,
  minNights: null,
  maxNights: null,
  instantBook: true,
  weeklyDiscountPercent: null,
  monthlyDiscountPercent: null,
  cancellationPolicy: 'MODERATE',
  version: 1,
  createdAt: new Date(),
  updatedAt: new Date(),
  ...overrides,
});

describe('matchesSavedSearch', () => {
  it('forgives typos as search does: one edit from 3 letters, two from 6, first letter as typed', () => {
    expect(wordMatches('cottge', 'cottage')).toBe(true);
    expect(wordMatches('gardne', 'garden')).toBe(true);
    expect(wordMatches('xottage', 'cottage')).toBe(false);
    expect(wordMatches('ab', 'ac')).toBe(false);
    expect(matchesSavedSearch(listing(), { text: 'quiet gardne', filter: {} })).toBe(true);
    expect(matchesSavedSearch(listing(), { text: 'baixa river lisboa', filter: {} })).toBe(true);
    expect(matchesSavedSearch(listing(), { text: 'quiet pool', filter: {} })).toBe(false);
  });

  it('holds every filter given, and never for a listing that is not ACTIVE', () => {
    const l = listing();
    expect(
      matchesSavedSearch(l, {
        text: null,
        filter: { kind: 'RENT', city: 'LISBOA', maxPrice: '90', minBedrooms: 2, amenities: ['GARDEN'], guests: 4, zipCode: '1100 048' },
      }),
    ).toBe(true);
    expect(matchesSavedSearch(l, { text: null, filter: { maxPrice: '89.99' } })).toBe(false);
    expect(matchesSavedSearch(l, { text: null, filter: { guests: 5 } })).toBe(false);
    expect(matchesSavedSearch(l, { text: null, filter: { amenities: ['POOL'] } })).toBe(false);
    expect(matchesSavedSearch(l, { text: null, filter: { near: { latitude: 38.72, longitude: -9.14, radiusKm: 2 } } })).toBe(true);
    expect(matchesSavedSearch(l, { text: null, filter: { near: { latitude: 41.15, longitude: -8.61, radiusKm: 50 } } })).toBe(false);
    expect(matchesSavedSearch(l, { text: null, filter: { within: { north: 39, south: 38, east: -9, west: -10 } } })).toBe(true);
    expect(
      matchesSavedSearch(listing({ location: { latitude: 0, longitude: 179.5 } }), {
        text: null,
        filter: { within: { north: 1, south: -1, east: -179, west: 179 } },
      }),
    ).toBe(true);
    expect(matchesSavedSearch(listing({ status: 'DRAFT' }), { text: null, filter: {} })).toBe(false);
  });
});
