import { createListing, person, rentInput, saleInput, startListings, type Listings } from './testing/harness';

/** `Listing.priceHistory` through the subgraph, against the real test database. */
let l: Listings;
beforeAll(async () => {
  l = await startListings();
});
afterAll(async () => {
  await l?.close();
});

const HISTORY = `query ($id: ID!) { listing(id: $id) { priceHistory { kind price pricePerNight currency changedAt } } }`;
const UPDATE = `mutation ($id: ID!, $input: UpdateListingInput!) { updateListing(id: $id, input: $input) { id } }`;
const ENTITIES = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Listing { id priceHistory { price } } } }`;

type History = {
  listing: { priceHistory: { kind: string; price: string | null; pricePerNight: string | null; currency: string; changedAt: string }[] };
};

describe('Listing.priceHistory', () => {
  it('keeps the first price and every change of price, kind or currency, oldest first; other edits add nothing', async () => {
    const seller = person('SELLER');
    const house = await createListing(l, seller, saleInput({ price: '350000' }));
    for (const input of [{ title: 'Renamed house' }, { price: '340000' }, { price: '340000.00', bedrooms: 4 }, { currency: 'EUR' }]) {
      expect((await l.call(seller, UPDATE, { id: house.id, input })).errors).toBeUndefined();
    }
    const res = await l.call<History>(null, HISTORY, { id: house.id });
    const history = res.data!.listing.priceHistory;
    expect(history.map(({ changedAt: _c, ...p }) => p)).toEqual([
      { kind: 'SALE', price: '350000.00', pricePerNight: null, currency: 'USD' },
      { kind: 'SALE', price: '340000.00', pricePerNight: null, currency: 'USD' },
      { kind: 'SALE', price: '340000.00', pricePerNight: null, currency: 'EUR' },
    ]);
    const times = history.map((p) => Date.parse(p.changedAt));
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    const host = person('HOST');
    const flat = await createListing(l, host, rentInput({ pricePerNight: '80' }));
    await l.call(host, UPDATE, { id: flat.id, input: { pricePerNight: '95.5' } });
    // Many listings' histories in one batch, as the gateway asks for them.
    const both = await l.call<{ _entities: { id: string; priceHistory: { price: string | null }[] }[] }>(null, ENTITIES, {
      reps: [
        { __typename: 'Listing', id: house.id },
        { __typename: 'Listing', id: flat.id },
      ],
    });
    expect(both.data?._entities.map((e) => e.priceHistory.length)).toEqual([3, 2]);
  });
});
