import { InProcessEventBus, createLogger, type Identity } from '@market/platform';
import { testDatabaseUrl, unique } from '@market/platform/testing';
import { createPrisma } from '../db';
import { SavedRepository } from '../repositories/saved-repository';
import { eventually } from '@market/platform/testing';
import { codeOf, createListing, person, rentInput, saleInput, startListings, type Listings } from '../testing/harness';

/**
 * Favorites and saved searches through the subgraph, with listings' own events flowing through the
 * relay to the saved-search consumer on an in-process bus, against the real test database.
 */
let l: Listings;
let bus: InProcessEventBus;
let prisma: ReturnType<typeof createPrisma>;
beforeAll(async () => {
  bus = new InProcessEventBus(createLogger('bus', 'silent'), { attempts: 2, initialDelayMs: 10, maxDelayMs: 20 });
  l = await startListings({ bus });
  prisma = createPrisma(testDatabaseUrl('listings'), 2);
});
afterAll(async () => {
  await prisma?.$disconnect();
  await l?.close();
  await bus?.close();
});

const SAVE = `mutation ($id: ID!) { saveListing(listingId: $id) { id } }`;
const UNSAVE = `mutation ($id: ID!) { unsaveListing(listingId: $id) }`;
const MY_SAVED = `query ($first: Int, $after: String) { mySavedListings(first: $first, after: $after) { edges { cursor savedAt node { id } } pageInfo { hasNextPage endCursor } } }`;
const SAVE_SEARCH = `mutation ($query: String, $filter: ListingSearchFilter, $alert: SavedSearchAlert, $name: String) {
  saveSearch(query: $query, filter: $filter, alert: $alert, name: $name) {
    __typename ... on SavedSearch { id name query alert filter { kind city minPrice maxPrice minBedrooms near { radiusKm } } }
    ... on SavedSearchLimitReached { limit message } } }`;
const MY_SEARCHES = `{ mySavedSearches { id alert } }`;
const DELETE_SEARCH = `mutation ($id: ID!) { deleteSavedSearch(id: $id) }`;
const UPDATE = `mutation ($id: ID!, $input: UpdateListingInput!) { updateListing(id: $id, input: $input) { id version } }`;

type SavedPage = {
  mySavedListings: { edges: { cursor: string; node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
};

async function saveSearch(who: Identity, variables: Record<string, unknown>): Promise<string> {
  const res = await l.call<{ saveSearch: { __typename: string; id: string } }>(who, SAVE_SEARCH, variables);
  expect(res.errors).toBeUndefined();
  expect(res.data?.saveSearch.__typename).toBe('SavedSearch');
  return res.data!.saveSearch.id;
}

async function matchEvents(searchId: string) {
  const { rows } = await l.db.query<{ type: string; payload: Record<string, unknown> }>(
    'SELECT type, payload FROM outbox_events WHERE aggregate_id = $1 ORDER BY seq',
    [searchId],
  );
  return rows;
}

async function matches(searchId: string): Promise<string[]> {
  const { rows } = await l.db.query<{ listing_id: string }>(
    'SELECT listing_id FROM saved_search_matches WHERE saved_search_id = $1 ORDER BY matched_at',
    [searchId],
  );
  return rows.map((r) => r.listing_id);
}

/** Waits until the consumer has handled every listing event this test wrote (the search index sees them too). */
async function settled(...listingIds: string[]): Promise<void> {
  await eventually(async () => {
    const { rows } = await l.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM outbox_events WHERE aggregate_id = ANY($1) AND published_at IS NULL`,
      [listingIds],
    );
    return Number(rows[0]?.n) === 0;
  }, 10_000);
  await bus.drain();
  expect(await bus.deadLetters()).toEqual([]);
}

describe('favorites', () => {
  it('saves once, pages newest first, hides what the caller can no longer see, unsaves, and learns a favorite', async () => {
    const seller = person('SELLER');
    const [a, b, c] = [
      await createListing(l, seller, saleInput()),
      await createListing(l, seller, saleInput()),
      await createListing(l, seller, rentInput()),
    ];
    const me = person('BUYER');
    for (const x of [a, b, c, a]) expect((await l.call(me, SAVE, { id: x.id })).errors).toBeUndefined();

    const first = await l.call<SavedPage>(me, MY_SAVED, { first: 2 });
    expect(first.data?.mySavedListings.edges.map((e) => e.node.id)).toEqual([c.id, b.id]);
    expect(first.data?.mySavedListings.pageInfo.hasNextPage).toBe(true);
    const second = await l.call<SavedPage>(me, MY_SAVED, { first: 2, after: first.data?.mySavedListings.pageInfo.endCursor });
    expect(second.data?.mySavedListings.edges.map((e) => e.node.id)).toEqual([a.id]);
    expect(second.data?.mySavedListings.pageInfo.hasNextPage).toBe(false);

    const affinity = await l.db.query('SELECT affinity FROM recommendation_affinities WHERE user_id = $1 AND listing_id = $2', [
      me.userId,
      a.id,
    ]);
    expect(affinity.rows).toEqual([{ affinity: 3 }]);

    // Made a draft: out of the list while hidden (still saved).
    expect((await l.call(seller, UPDATE, { id: b.id, input: { status: 'DRAFT' } })).errors).toBeUndefined();
    expect((await l.call<SavedPage>(me, MY_SAVED, {})).data?.mySavedListings.edges.map((e) => e.node.id)).toEqual([c.id, a.id]);
    expect((await l.call(me, UNSAVE, { id: c.id })).data).toEqual({ unsaveListing: true });
    expect((await l.call(me, UNSAVE, { id: 'nope' })).data).toEqual({ unsaveListing: true });
    expect((await l.call<SavedPage>(me, MY_SAVED, {})).data?.mySavedListings.edges.map((e) => e.node.id)).toEqual([a.id]);

    // Someone else's draft cannot be saved; signed out nothing works.
    expect(codeOf(await l.call(person('BUYER'), SAVE, { id: b.id }))).toBe('NOT_FOUND');
    expect(codeOf(await l.call(null, SAVE, { id: a.id }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await l.call(null, MY_SAVED, {}))).toBe('UNAUTHENTICATED');
    expect(codeOf(await l.call(me, MY_SAVED, { after: 'garbage' }))).toBe('BAD_USER_INPUT');
  });
});

describe('saved searches', () => {
  it("matches a new or changed listing once per search, with one event for INSTANT, typos forgiven, never the owner's own", async () => {
    const city = `Qx${unique()}ville`;
    const me = person('AGENT');
    const instant = await saveSearch(me, { query: 'sunny cottge', filter: { city, kind: 'SALE', maxPrice: '500000' }, name: 'Cottages' });
    const off = await saveSearch(me, { filter: { city }, alert: 'OFF' });
    const seller = person('SELLER');
    const address = { line1: '2 Hill Rd', city, country: 'US' };

    const match = await createListing(l, seller, saleInput({ title: 'Sunny cottage by the river', address }));
    const tooDear = await createListing(l, seller, saleInput({ title: 'Sunny cottage, large', price: '900000', address }));
    const drafted = await createListing(l, seller, saleInput({ title: 'Sunny cottage draft', address, status: 'DRAFT' }));
    const mine = await createListing(l, me, saleInput({ title: 'Sunny cottage of my own', address }));
    await settled(match.id, tooDear.id, drafted.id, mine.id);

    expect(await matches(instant)).toEqual([match.id]);
    expect(await matchEvents(instant)).toEqual([
      {
        type: 'listings.saved-search.matched',
        payload: {
          savedSearchId: instant,
          userId: me.userId,
          searchName: 'Cottages',
          listingId: match.id,
          listingTitle: 'Sunny cottage by the river',
        },
      },
    ]);
    expect(await matches(off)).toEqual([match.id, tooDear.id]);
    expect(await matchEvents(off)).toEqual([]);

    // Changed: the still-matching listing matches nothing twice; the draft that goes live and the
    // listing whose price drops into range match now, each once.
    await l.call(seller, UPDATE, { id: match.id, input: { title: 'Sunny cottage by the river, renovated' } });
    await l.call(seller, UPDATE, { id: tooDear.id, input: { price: '450000' } });
    await l.call(seller, UPDATE, { id: drafted.id, input: { status: 'ACTIVE' } });
    await l.call(seller, UPDATE, { id: tooDear.id, input: { price: '440000' } });
    await settled(match.id, tooDear.id, drafted.id);
    expect((await matches(instant)).sort()).toEqual([match.id, tooDear.id, drafted.id].sort());
    expect((await matchEvents(instant)).map((e) => e.payload['listingId']).sort()).toEqual([match.id, tooDear.id, drafted.id].sort());
  });

  it('sends DAILY matches in one digest a day from the job, claimed once', async () => {
    const city = `Dg${unique()}ton`;
    const me = person('BUYER');
    const daily = await saveSearch(me, { filter: { city }, alert: 'DAILY' });
    const seller = person('HOST');
    const [x, y] = [
      await createListing(l, seller, rentInput({ address: { line1: '1 A St', city, country: 'PT' }, title: 'Flat one here' })),
      await createListing(l, seller, rentInput({ address: { line1: '2 A St', city, country: 'PT' }, title: 'Flat two here' })),
    ];
    await settled(x.id, y.id);
    expect((await matches(daily)).sort()).toEqual([x.id, y.id].sort());
    expect(await matchEvents(daily)).toEqual([]);

    const saved = new SavedRepository(prisma);
    const tomorrow = new Date(Date.now() + 25 * 3_600_000);
    // Two replicas at once: one digest.
    await Promise.all([saved.runDigest(1000, tomorrow), saved.runDigest(1000, tomorrow)]);
    const digests = await matchEvents(daily);
    expect(digests).toHaveLength(1);
    expect(digests[0]).toMatchObject({
      type: 'listings.saved-search.digest',
      payload: { savedSearchId: daily, userId: me.userId, matchCount: 2 },
    });
    // Not due again until a day later, and nothing new to send then.
    await saved.runDigest(1000, tomorrow);
    await saved.runDigest(1000, new Date(tomorrow.getTime() + 25 * 3_600_000));
    expect(await matchEvents(daily)).toHaveLength(1);
  });

  it("checks input like searchListings, lists and deletes only the caller's own, and caps how many", async () => {
    const me = person('BUYER');
    expect(codeOf(await l.call(me, SAVE_SEARCH, { filter: { minPrice: '10', maxPrice: '5' } }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await l.call(me, SAVE_SEARCH, {}))).toBe('BAD_USER_INPUT');
    expect(codeOf(await l.call(null, SAVE_SEARCH, { query: 'house' }))).toBe('UNAUTHENTICATED');
    const id = await saveSearch(me, { query: 'garden', filter: { near: { latitude: 1, longitude: 2, radiusKm: 5 } }, alert: 'DAILY' });
    expect((await l.call(me, MY_SEARCHES)).data).toEqual({ mySavedSearches: [{ id, alert: 'DAILY' }] });
    const other = person('BUYER');
    expect(codeOf(await l.call(other, DELETE_SEARCH, { id }))).toBe('NOT_FOUND');
    expect((await l.call(me, DELETE_SEARCH, { id })).data).toEqual({ deleteSavedSearch: true });
    expect((await l.call(me, MY_SEARCHES)).data).toEqual({ mySavedSearches: [] });

    for (let i = 0; i < 50; i++) await saveSearch(other, { query: `word${i}` });
    const over = await l.call<{ saveSearch: { __typename: string; limit: number } }>(other, SAVE_SEARCH, { query: 'one more' });
    expect(over.data?.saveSearch).toMatchObject({ __typename: 'SavedSearchLimitReached', limit: 50 });
  });
});
