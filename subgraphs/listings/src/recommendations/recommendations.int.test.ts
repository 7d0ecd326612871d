import { randomUUID } from 'node:crypto';
import { InProcessEventBus, createLogger, type EventEnvelope, type EventType, type Identity } from '@market/platform';
import { eventually } from '@market/platform/testing';
import { codeOf, createListing, envelope, person, rentInput, saleInput, startListings, type Listings } from '../testing/harness';

/**
 * Recommendations through the subgraph: learned from views (`listing(id)`) and bookings' events on
 * the bus, against the real test database. Each test places its listings around its own random
 * point, so other tests' listings and interactions never reach its candidates.
 */
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

const RECOMMENDED = `query ($first: Int, $near: GeoPointInput) { recommendedListings(first: $first, near: $near) { id } }`;
const SIMILAR = `query ($id: ID!, $first: Int) { similarListings(listingId: $id, first: $first) { id } }`;
const VIEW = `query ($id: ID!) { listing(id: $id) { id } }`;

/** A random spot on land or sea far from every other test's. */
function somewhere() {
  return { latitude: -60 + Math.random() * 120, longitude: -170 + Math.random() * 340 };
}
function around(p: { latitude: number; longitude: number }, km: number) {
  return { latitude: p.latitude + km / 111, longitude: p.longitude };
}

async function affinities(userId: string): Promise<number> {
  const { rows } = await l.db.query<{ n: string }>('SELECT count(*) AS n FROM recommendation_affinities WHERE user_id = $1', [userId]);
  return Number(rows[0]?.n);
}

/** Views each listing as `who` and waits until every view was learned. */
async function view(who: Identity, ...ids: string[]): Promise<void> {
  const before = await affinities(who.userId);
  for (const id of ids) expect((await l.call(who, VIEW, { id })).errors).toBeUndefined();
  await eventually(async () => (await affinities(who.userId)) >= before + ids.length);
}

async function deliver<T extends EventType>(event: EventEnvelope<T>): Promise<void> {
  await bus.publish([event]);
  await bus.drain();
  expect(await bus.deadLetters()).toEqual([]);
}

async function recommended(who: Identity | null, variables: Record<string, unknown> = {}) {
  return l.call<{ recommendedListings: { id: string }[] }>(who, RECOMMENDED, variables);
}

describe('recommendedListings', () => {
  it("recommends what people with the same interests wanted, never the caller's own, hidden or already seen listings", async () => {
    const here = somewhere();
    const seller = person('SELLER');
    const make = (km: number, overrides: Record<string, unknown> = {}) =>
      createListing(l, seller, saleInput({ location: around(here, km), ...overrides }));
    const seen = await make(0);
    const wanted = await make(1);
    const alsoWanted = await make(2, { propertyType: 'CONDO', price: '900000' });
    const hidden = await make(1.5);
    const reader = person('AGENT');
    const mine = await createListing(l, reader, saleInput({ location: around(here, 0.5) }));

    // Three people who viewed `seen` also wanted `wanted` (two of them `alsoWanted` too, and the draft).
    for (const other of [person('BUYER'), person('BUYER'), person('BUYER')]) await view(other, seen.id, wanted.id);
    for (const other of [person('BUYER'), person('BUYER')]) await view(other, seen.id, alsoWanted.id, hidden.id, mine.id);
    expect(
      (await l.call(seller, `mutation ($id: ID!) { updateListing(id: $id, input: { status: DRAFT }) { id } }`, { id: hidden.id })).errors,
    ).toBeUndefined();

    await view(reader, seen.id);
    const res = await recommended(reader, { first: 5 });
    expect(res.errors).toBeUndefined();
    const ids = res.data!.recommendedListings.map((x) => x.id);
    expect(ids.slice(0, 2)).toEqual([wanted.id, alsoWanted.id]);
    expect(ids).not.toContain(seen.id);
    expect(ids).not.toContain(hidden.id);
    expect(ids).not.toContain(mine.id);
  });

  it("learns from bookings' stays and viewings once per event, and forgets a deleted user", async () => {
    const here = somewhere();
    const host = person('HOST');
    const flat = await createListing(l, host, rentInput({ location: here }));
    const guest = person('BUYER');
    const stay = {
      stayId: randomUUID(),
      listingId: flat.id,
      listingTitle: 'Flat',
      hostId: host.userId,
      guestId: guest.userId,
      checkIn: '2027-03-01',
      checkOut: '2027-03-04',
      nights: 3,
      guests: 2,
      totalPrice: '268.50',
      currency: 'EUR',
    };
    const confirmed = envelope('bookings.stay.confirmed', stay.stayId, { ...stay, instantBook: true });
    await deliver(envelope('bookings.stay.requested', stay.stayId, stay));
    await deliver(confirmed);
    await deliver(confirmed);
    const row = await l.db.query('SELECT affinity FROM recommendation_affinities WHERE user_id = $1 AND listing_id = $2', [
      guest.userId,
      flat.id,
    ]);
    expect(row.rows).toEqual([{ affinity: 5 }]);
    const popularity = await l.db.query('SELECT weight, users FROM recommendation_popularity WHERE listing_id = $1', [flat.id]);
    expect(popularity.rows).toEqual([{ weight: 5, users: 1 }]);

    const buyer = person('BUYER');
    const house = await createListing(l, person('AGENT'), saleInput({ location: here }));
    const viewing = {
      viewingId: randomUUID(),
      listingId: house.id,
      listingTitle: 'House',
      buyerId: buyer.userId,
      agentId: randomUUID(),
      startsAt: '2027-03-01T10:00:00Z',
      endsAt: '2027-03-01T10:30:00Z',
    };
    await deliver(envelope('bookings.viewing.requested', viewing.viewingId, viewing));
    // A stay and a viewing of the same person make a co-occurrence pair, both ways.
    await deliver(envelope('bookings.stay.requested', randomUUID(), { ...stay, stayId: randomUUID(), guestId: buyer.userId }));
    const pairs = await l.db.query(
      'SELECT weight FROM recommendation_cooccurrence WHERE (listing_id, other_id) IN (($1::uuid, $2::uuid), ($2::uuid, $1::uuid))',
      [flat.id, house.id],
    );
    expect(pairs.rows).toEqual([{ weight: 4 }, { weight: 4 }]);

    await deliver(envelope('accounts.user.deleted', buyer.userId, { userId: buyer.userId }));
    expect(await affinities(buyer.userId)).toBe(0);
  });

  it('gives a newcomer what is popular around them, and refuses the signed-out and bad sizes', async () => {
    const here = somewhere();
    const far = around(here, 400);
    const seller = person('SELLER');
    const popular = await createListing(l, seller, saleInput({ location: around(here, 3) }));
    const lessPopular = await createListing(l, seller, saleInput({ location: around(here, 1) }));
    const elsewhere = await createListing(l, seller, saleInput({ location: far }));
    for (const other of [person('BUYER'), person('BUYER')]) await view(other, popular.id, elsewhere.id);
    await view(person('BUYER'), lessPopular.id);

    const res = await recommended(person('BUYER'), { near: here, first: 10 });
    expect(res.errors).toBeUndefined();
    const ids = res.data!.recommendedListings.map((x) => x.id);
    expect(ids.indexOf(popular.id)).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf(popular.id)).toBeLessThan(ids.indexOf(lessPopular.id));
    expect(ids).not.toContain(elsewhere.id);

    expect(codeOf(await recommended(null))).toBe('UNAUTHENTICATED');
    expect(codeOf(await recommended(person('BUYER'), { first: 0 }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await recommended(person('BUYER'), { near: { latitude: 91, longitude: 0 } }))).toBe('BAD_USER_INPUT');
  });
});

describe('similarListings', () => {
  it("finds listings alike in kind, type, price and place; not itself, not the caller's, nothing for a hidden listing", async () => {
    const here = somewhere();
    const seller = person('SELLER');
    const listing = await createListing(l, seller, saleInput({ location: here, price: '400000', bedrooms: 3 }));
    const twin = await createListing(l, seller, saleInput({ location: around(here, 0.5), price: '410000', bedrooms: 3 }));
    const unlike = await createListing(
      l,
      seller,
      saleInput({ location: around(here, 20), price: '90000', bedrooms: 0, propertyType: 'LAND' }),
    );
    const rental = await createListing(l, seller, rentInput({ location: here }));
    const callers = person('AGENT');
    const theirs = await createListing(l, callers, saleInput({ location: here, price: '400000', bedrooms: 3 }));

    const res = await l.call<{ similarListings: { id: string }[] }>(callers, SIMILAR, { id: listing.id, first: 10 });
    expect(res.errors).toBeUndefined();
    const ids = res.data!.similarListings.map((x) => x.id);
    expect(ids[0]).toBe(twin.id);
    expect(ids).toContain(unlike.id);
    expect(ids).not.toContain(listing.id);
    expect(ids).not.toContain(rental.id);
    expect(ids).not.toContain(theirs.id);

    const draft = await createListing(l, seller, saleInput({ location: here, status: 'DRAFT' }));
    // A hidden listing answers like a missing one: NOT_FOUND, as every id that does not resolve.
    expect((await l.call(callers, SIMILAR, { id: draft.id })).errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    expect((await l.call(null, SIMILAR, { id: 'not-a-uuid' })).errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
  });
});
