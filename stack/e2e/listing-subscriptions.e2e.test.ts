import { createUser, eventually, startTestStack, type TestStack, type TestUser } from '../src/testing/stack';
import { subscribe } from '../src/testing/ws';

/**
 * Listings' `listingUpdated` through the real graph: graphql-ws clients on the gateway, the six real
 * subgraphs on their test databases, fan-out through the stack's one in-process pub/sub.
 */

const LISTING_UPDATED = `subscription($listingId: ID!) {
  listingUpdated(listingId: $listingId) { id title status pricePerNight weeklyDiscountPercent cancellationPolicy version owner { id name } } }`;
const CREATE = `mutation($input: CreateListingInput!) { createListing(input: $input) { id version } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateListingInput!) { updateListing(id: $id, input: $input) { id version } }`;
const DELETE = `mutation($id: ID!) { deleteListing(id: $id) }`;
const LISTING = `query($id: ID!) { listing(id: $id) { id title pricePerNight version } }`;

interface ListingEvent {
  listingUpdated: {
    id: string;
    title: string;
    status: string;
    pricePerNight: string | null;
    weeklyDiscountPercent: number | null;
    cancellationPolicy: string | null;
    version: number;
    owner: { id: string; name: string };
  };
}

const channel = (listingId: string) => `live:listings.listingUpdated:${listingId}`;
/** Whether some subscriber of this process listens to the listing (the stack's subgraphs share one pub/sub). */
const listening = (stack: TestStack, listingId: string) => eventually(async () => stack.pubsub.channels().includes(channel(listingId)));

function rental(status: 'ACTIVE' | 'DRAFT' = 'ACTIVE') {
  return {
    title: 'Loft by the river',
    description: 'Bright open-plan loft with a view of the river and a short walk to the old town.',
    kind: 'RENT',
    propertyType: 'APARTMENT',
    address: { line1: '8 Quay Street', city: 'Porto', country: 'PT' },
    bedrooms: 1,
    bathrooms: 1,
    toilets: 1,
    location: { latitude: 41.14, longitude: -8.61 },
    images: ['https://images.example.com/loft-1.jpg'],
    status,
    pricePerNight: '110.00',
    maxGuests: 2,
    timeZone: 'Europe/Lisbon',
  };
}

describe('listing subscriptions through the gateway', () => {
  let stack: TestStack;
  let host: TestUser;
  let watcher: TestUser;
  let stranger: TestUser;

  const ok = async <T = any>(query: string, variables: Record<string, unknown>, user: TestUser): Promise<T> => {
    const res = await stack.request<T>(query, variables, user.token);
    if (!res.data || res.errors) throw new Error(`${query.slice(0, 40)} failed: ${JSON.stringify(res.errors)}`);
    return res.data;
  };
  const createListing = async (status: 'ACTIVE' | 'DRAFT' = 'ACTIVE') =>
    (await ok<{ createListing: { id: string; version: number } }>(CREATE, { input: rental(status) }, host)).createListing;

  beforeAll(async () => {
    stack = await startTestStack();
    [host, watcher, stranger] = await Promise.all([
      createUser(stack, 'HOST', 'Hana Host'),
      createUser(stack, 'BUYER', 'Walt Watcher'),
      createUser(stack, 'BUYER', 'Eve Stranger'),
    ]);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('tells a watcher about a change of price, with the owner resolved from accounts and the version to catch up from', async () => {
    const listing = await createListing();
    const forWatcher = subscribe<ListingEvent>(stack, LISTING_UPDATED, { listingId: listing.id }, watcher.token);
    await listening(stack, listing.id);

    const { updateListing } = await ok<{ updateListing: { version: number } }>(
      UPDATE,
      { id: listing.id, input: { pricePerNight: '95.00', weeklyDiscountPercent: 10, cancellationPolicy: 'STRICT' } },
      host,
    );
    const [event] = await forWatcher.waitFor(1);

    expect(event).toEqual({
      listingUpdated: {
        id: listing.id,
        title: 'Loft by the river',
        status: 'ACTIVE',
        pricePerNight: '95.00',
        weeklyDiscountPercent: 10,
        cancellationPolicy: 'STRICT',
        version: updateListing.version,
        owner: { id: host.id, name: 'Hana Host' },
      },
    });
    expect(event?.listingUpdated.version).toBe(2);
    expect(forWatcher.errors).toEqual([]);
    // Catching up after a reconnect is a read of the listing: it is at the version of the last event.
    const current = await stack.request(LISTING, { id: listing.id }, watcher.token);
    expect(current.data.listing).toEqual({ id: listing.id, title: 'Loft by the river', pricePerNight: '95.00', version: 2 });
    await forWatcher.disconnect();
  });

  it('lets anyone, signed in or not, watch a published listing to its deletion', async () => {
    const listing = await createListing();
    const anonymous = subscribe<ListingEvent>(stack, LISTING_UPDATED, { listingId: listing.id });
    await listening(stack, listing.id);

    expect((await ok(DELETE, { id: listing.id }, host)).deleteListing).toBe(true);
    const [event] = await anonymous.waitFor(1);
    expect(event?.listingUpdated).toMatchObject({ id: listing.id, status: 'DELETED', version: 2, owner: { name: 'Hana Host' } });
    expect((await stack.request(LISTING, { id: listing.id })).data).toEqual({ listing: null });
    // Nothing follows a deletion: the subscription completes, through the gateway, by itself.
    await anonymous.done;
    expect(anonymous.errors).toEqual([]);
    expect(anonymous.events).toHaveLength(1);
  });

  it("refuses a stranger's subscription to a draft, which only its owner then hears about", async () => {
    const draft = await createListing('DRAFT');
    const forStranger = subscribe<ListingEvent>(stack, LISTING_UPDATED, { listingId: draft.id }, stranger.token);
    await forStranger.done;
    expect(forStranger.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'NOT_FOUND' }) })]);
    const anonymous = subscribe<ListingEvent>(stack, LISTING_UPDATED, { listingId: draft.id });
    await anonymous.done;
    expect(anonymous.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'NOT_FOUND' }) })]);

    const forOwner = subscribe<ListingEvent>(stack, LISTING_UPDATED, { listingId: draft.id }, host.token);
    await listening(stack, draft.id);
    await ok(UPDATE, { id: draft.id, input: { title: 'Loft by the river (photos soon)' } }, host);
    const [event] = await forOwner.waitFor(1);
    expect(event?.listingUpdated).toMatchObject({
      status: 'DRAFT',
      title: 'Loft by the river (photos soon)',
      owner: { name: 'Hana Host' },
    });
    expect(forStranger.events).toEqual([]);
    expect(anonymous.events).toEqual([]);
    await forOwner.disconnect();
  });
});
