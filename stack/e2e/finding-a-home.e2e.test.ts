import { randomUUID } from 'node:crypto';
import { createUser, eventually, startTestStack, type TestStack, type TestUser } from '../src/testing/stack';

/**
 * Finding a home through the real graph: search with dates (listings narrows by what bookings'
 * events told it, bookings' `availableListings` answers for the candidates, and concurrent bookings
 * of the same nights leave exactly one stay), favorites, price history, and recommendations learned
 * from a stay booked in bookings.
 */

const CREATE = `mutation($input: CreateListingInput!) { createListing(input: $input) { id } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateListingInput!) { updateListing(id: $id, input: $input) { id } }`;
const BOOK = `mutation($input: BookStayInput!, $key: String) { bookStay(input: $input, idempotencyKey: $key) { __typename ... on Stay { id status } } }`;
const SEARCH = `query($filter: ListingSearchFilter, $checkIn: Date, $checkOut: Date, $guests: Int) {
  searchListings(filter: $filter, sort: PRICE_ASC, checkIn: $checkIn, checkOut: $checkOut, guests: $guests) { edges { node { id title } } } }`;
const AVAILABLE = `query($from: Date!, $to: Date!, $guests: Int!, $ids: [ID!]) { availableListings(from: $from, to: $to, guests: $guests, listingIds: $ids) { id title } }`;
const SAVE = `mutation($id: ID!) { saveListing(listingId: $id) { id } }`;
const SAVED = `{ mySavedListings { edges { node { id title owner { name } } } } }`;
const HISTORY = `query($id: ID!) { listing(id: $id) { priceHistory { pricePerNight } } }`;
const RECOMMENDED = `{ recommendedListings(first: 5) { id title } }`;

function day(offset: number): string {
  return new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
}

let stack: TestStack;
let host: TestUser;
let guests: TestUser[];
const city = `Porto ${randomUUID().slice(0, 8)}`;
const ids: Record<'cheap' | 'dear', string> = { cheap: '', dear: '' };
let race: { winner: TestUser; loser: TestUser };

beforeAll(async () => {
  stack = await startTestStack();
  [host, ...guests] = await Promise.all([
    createUser(stack, 'HOST', 'Hana Host'),
    createUser(stack, 'BUYER', 'Gil Guest'),
    createUser(stack, 'BUYER', 'Gaia Guest'),
  ]);
  for (const [name, price] of [
    ['cheap', '70'],
    ['dear', '120'],
  ] as const) {
    const res = await stack.request(
      CREATE,
      {
        input: {
          title: `Flat by the river, ${name}`,
          description: 'Two bedrooms over the Douro.',
          kind: 'RENT',
          propertyType: 'APARTMENT',
          pricePerNight: price,
          maxGuests: 3,
          instantBook: true,
          timeZone: 'Europe/Lisbon',
          address: { line1: 'Cais da Ribeira 1', city, country: 'PT' },
          bedrooms: 2,
          location: { latitude: 41.1405, longitude: -8.6131 },
          status: 'ACTIVE',
        },
      },
      host.token,
    );
    expect(res.errors).toBeUndefined();
    ids[name] = res.data.createListing.id;
  }
});
afterAll(async () => {
  await stack?.stop();
});

describe('finding a home through the gateway', () => {
  it('searches with dates: two guests racing for the same nights leave one stay, and search and availableListings agree on what is left', async () => {
    const [checkIn, checkOut] = [day(40), day(43)];
    const dates = { checkIn, checkOut, guests: 2 };
    const initial = await stack.request(SEARCH, { filter: { city }, ...dates });
    expect(initial.errors).toBeUndefined();
    await eventually(async () => (await stack.request(SEARCH, { filter: { city }, ...dates })).data.searchListings.edges.length === 2);

    const attempts = await Promise.all(
      guests.map((guest) =>
        stack.request(BOOK, { input: { listingId: ids.cheap, checkIn, checkOut, guests: 2 }, key: randomUUID() }, guest.token),
      ),
    );
    const outcomes = attempts.map((r) => r.data?.bookStay.__typename);
    expect([...outcomes].sort()).toEqual(['DatesUnavailable', 'Stay']);
    const won = outcomes.indexOf('Stay');
    race = { winner: guests[won] as TestUser, loser: guests[1 - won] as TestUser };

    // Listings learns of the stay from bookings' event; then its answer leaves the cheap flat out.
    const remaining = await eventually(async () => {
      const res = await stack.request(SEARCH, { filter: { city }, ...dates });
      const found = res.data.searchListings.edges.map((e: { node: { id: string } }) => e.node.id);
      return found.length === 1 ? found : null;
    });
    expect(remaining).toEqual([ids.dear]);
    // The combined answer: bookings' calendar confirms the candidates listings returned.
    const confirmed = await stack.request(AVAILABLE, { from: checkIn, to: checkOut, guests: 2, ids: remaining });
    expect(confirmed.errors).toBeUndefined();
    expect(confirmed.data.availableListings).toEqual([{ id: ids.dear, title: 'Flat by the river, dear' }]);
    // Other nights: both again.
    const later = await stack.request(SEARCH, { filter: { city }, checkIn: day(50), checkOut: day(52), guests: 2 });
    expect(later.data.searchListings.edges).toHaveLength(2);
  });

  it('saves favorites, keeps price history and recommends from the booked stay', async () => {
    const { winner, loser } = race;
    expect((await stack.request(SAVE, { id: ids.dear }, loser.token)).errors).toBeUndefined();
    const saved = await stack.request(SAVED, {}, loser.token);
    expect(saved.data.mySavedListings.edges).toEqual([
      { node: { id: ids.dear, title: 'Flat by the river, dear', owner: { name: 'Hana Host' } } },
    ]);

    expect((await stack.request(UPDATE, { id: ids.dear, input: { pricePerNight: '110' } }, host.token)).errors).toBeUndefined();
    const history = await stack.request(HISTORY, { id: ids.dear });
    expect(history.data.listing.priceHistory).toEqual([{ pricePerNight: '120.00' }, { pricePerNight: '110.00' }]);

    // The guest who got the cheap flat (bookings' stay event, learned by listings) is shown the
    // other one, never the one they booked.
    const shown = await eventually(async () => {
      const res = await stack.request(RECOMMENDED, {}, winner.token);
      expect(res.errors).toBeUndefined();
      const found: string[] = res.data.recommendedListings.map((l: { id: string }) => l.id);
      return found.includes(ids.dear) ? found : null;
    });
    expect(shown).not.toContain(ids.cheap);
    expect((await stack.request(RECOMMENDED, {})).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
