import { randomUUID } from 'node:crypto';
import { InProcessEventBus, createLogger, type EventEnvelope, type EventType } from '@market/platform';
import { unique } from '@market/platform/testing';
import { eventually } from '@market/platform/testing';
import { codeOf, createListing, envelope, person, rentInput, saleInput, startListings, type Listings } from '../testing/harness';

/** `searchListings` with dates through the subgraph, fed bookings' stay events on an in-process bus. */
let l: Listings;
let bus: InProcessEventBus;
beforeAll(async () => {
  bus = new InProcessEventBus(createLogger('bus', 'silent'), { attempts: 2, initialDelayMs: 10, maxDelayMs: 20 });
  l = await startListings({ bus });
});
afterAll(async () => {
  await l?.close();
  await bus?.close();
});

const SEARCH = `query ($filter: ListingSearchFilter, $checkIn: Date, $checkOut: Date, $guests: Int, $first: Int, $after: String) {
  searchListings(filter: $filter, sort: PRICE_ASC, checkIn: $checkIn, checkOut: $checkOut, guests: $guests, first: $first, after: $after) {
    edges { node { id } } totalCountExact pageInfo { hasNextPage endCursor } } }`;
type Page = {
  searchListings: {
    edges: { node: { id: string } }[];
    totalCountExact: boolean;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
};

async function deliver<T extends EventType>(event: EventEnvelope<T>): Promise<void> {
  await bus.publish([event]);
  await bus.drain();
  expect(await bus.deadLetters()).toEqual([]);
}

function stay(listingId: string, checkIn: string, checkOut: string) {
  return {
    stayId: randomUUID(),
    listingId,
    listingTitle: 'Flat',
    hostId: randomUUID(),
    guestId: randomUUID(),
    checkIn,
    checkOut,
    nights: 1,
    guests: 2,
    totalPrice: '100.00',
    currency: 'EUR',
  };
}

describe('searchListings with dates', () => {
  it('keeps rentals whose terms allow the stay and whose nights no stay holds; cancellations free them; pages never skip or repeat', async () => {
    const city = `Dt${unique()}burg`;
    const host = person('HOST');
    const rental = (price: string, overrides: Record<string, unknown> = {}) =>
      createListing(l, host, rentInput({ pricePerNight: price, address: { line1: '1 Rua', city, country: 'PT' }, ...overrides }));
    const free1 = await rental('50');
    const booked = await rental('60');
    const small = await rental('70', { maxGuests: 1 });
    const longOnly = await rental('80', { minNights: 7 });
    const free2 = await rental('90');
    const touching = await rental('95');
    await createListing(l, host, saleInput({ address: { line1: '1 Rua', city, country: 'PT' } }));
    await eventually(async () => (await l.call<Page>(null, SEARCH, { filter: { city } })).data?.searchListings.edges.length === 7, 10_000);

    const held = stay(booked.id, '2027-06-01', '2027-06-05');
    await deliver(envelope('bookings.stay.requested', held.stayId, held));
    // Check-out on the first night searched: no overlap.
    const before = stay(touching.id, '2027-05-28', '2027-06-02');
    await deliver(envelope('bookings.stay.confirmed', before.stayId, { ...before, instantBook: true }));

    const dates = { filter: { city }, checkIn: '2027-06-02', checkOut: '2027-06-04', guests: 2 };
    const all = await l.call<Page>(null, SEARCH, { ...dates, first: 10 });
    expect(all.errors).toBeUndefined();
    expect(all.data?.searchListings.edges.map((e) => e.node.id)).toEqual([free1.id, free2.id, touching.id]);
    expect(all.data?.searchListings.totalCountExact).toBe(false);

    // One at a time: the same listings in the same order, none skipped, none twice.
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 5; i++) {
      const res: { data?: Page | null } = await l.call<Page>(null, SEARCH, { ...dates, first: 1, after });
      const page: Page['searchListings'] = res.data!.searchListings;
      seen.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual([free1.id, free2.id, touching.id]);

    // Cancelled: its nights are free again; a redelivered request never holds them again.
    const cancelled = { ...held, cancelledBy: held.guestId, refundAmount: '100.00' };
    await deliver(envelope('bookings.stay.cancelled', held.stayId, cancelled));
    await deliver(envelope('bookings.stay.requested', held.stayId, held));
    const after2 = await l.call<Page>(null, SEARCH, { ...dates, first: 10 });
    expect(after2.data?.searchListings.edges.map((e) => e.node.id)).toEqual([free1.id, booked.id, free2.id, touching.id]);
    // A week fits the long-stay-only listing.
    const week = await l.call<Page>(null, SEARCH, { ...dates, checkOut: '2027-06-09' });
    expect(week.data?.searchListings.edges.map((e) => e.node.id)).toContain(longOnly.id);
    expect(week.data?.searchListings.edges.map((e) => e.node.id)).not.toContain(small.id);
  });

  it('refuses dates that do not make a stay', async () => {
    expect(codeOf(await l.call(null, SEARCH, { checkIn: '2027-06-02' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await l.call(null, SEARCH, { checkIn: '2027-06-02', checkOut: '2027-06-02' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await l.call(null, SEARCH, { checkIn: '2027-06-02', checkOut: '2028-08-02' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await l.call(null, SEARCH, { checkIn: '2027-06-02', checkOut: '2027-06-03', guests: 0 }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await l.call(null, SEARCH, { checkIn: '2027-06-02', checkOut: '2027-06-03', filter: { kind: 'SALE' } }))).toBe(
      'BAD_USER_INPUT',
    );
    expect(codeOf(await l.call(null, SEARCH, { checkIn: '2027-02-30', checkOut: '2027-03-03' }))).toBe('BAD_USER_INPUT');
  });
});
