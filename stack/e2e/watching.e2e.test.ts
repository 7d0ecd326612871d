import { createUser, eventually, PASSWORD, startTestStack, type TestStack, type TestUser } from '../src/testing/stack';
import { subscribe } from '../src/testing/ws';
import { startConversation } from '../src/testing/messaging';

/**
 * Watching a listing through the real graph: listings owns the listing and announces its changes by
 * event; messaging keeps the watches, learns of the change and tells the watchers (stored, and live
 * over graphql-ws); the gateway resolves a watched listing's fields from listings.
 */

const CREATE = `mutation($input: CreateListingInput!) { createListing(input: $input) { id } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateListingInput!) { updateListing(id: $id, input: $input) { id price } }`;
const DELETE = `mutation($id: ID!) { deleteListing(id: $id) }`;
const WATCH = `mutation($listingId: ID!) { watchListing(listingId: $listingId) {
  __typename ... on ListingWatch { watchedAt listing { id title price watchedByMe } } } }`;
const LISTING = `query($id: ID!) { listing(id: $id) { title watchedByMe watcherCount } }`;
const WATCHED = `{ myWatchedListings { id title price owner { name } } }`;
const NOTIFICATIONS = `{ myNotifications { kind title body cursor } }`;
const NOTIFICATION_ADDED = `subscription { notificationAdded { kind title body cursor } }`;
const START = `mutation($input: StartConversationInput!) { startConversation(input: $input) { __typename ... on ParticipantsUnavailable { userIds } } }`;
const CONVERSATION = `query($id: ID!) { conversation(id: $id) { participants { name } messages { body removedAt sender { name } } } }`;
const DELETE_ACCOUNT = `mutation($password: String!) { deleteAccount(password: $password) { __typename } }`;

interface NotificationView {
  kind: string;
  title: string;
  body: string;
  cursor: string;
}

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe('watching a listing through the gateway', () => {
  let owner: TestUser;
  let watcher: TestUser;
  let bystander: TestUser;
  let listingId: string;

  const listingNotifications = async (user: TestUser): Promise<NotificationView[]> => {
    const res = await stack.request(NOTIFICATIONS, {}, user.token);
    expect(res.errors).toBeUndefined();
    return (res.data.myNotifications as NotificationView[]).filter((n) => n.kind === 'LISTING');
  };

  beforeAll(async () => {
    [owner, watcher, bystander] = await Promise.all([
      createUser(stack, 'SELLER', 'Sara Seller'),
      createUser(stack, 'BUYER', 'Wes Watcher'),
      createUser(stack, 'BUYER', 'Bo Bystander'),
    ]);
    const created = await stack.request(
      CREATE,
      {
        input: {
          title: 'Townhouse on the green',
          description: 'Three bedrooms, a walled garden, and the village green at the door.',
          kind: 'SALE',
          propertyType: 'HOUSE',
          price: '450000',
          currency: 'GBP',
          address: { line1: '3 The Green', city: 'Richmond', country: 'GB' },
          bedrooms: 3,
          bathrooms: 2,
          toilets: 2,
          location: { latitude: 51.4613, longitude: -0.3037 },
          status: 'ACTIVE',
        },
      },
      owner.token,
    );
    expect(created.errors).toBeUndefined();
    listingId = created.data.createListing.id;
  });

  it('lets a user watch a listing, with its fields resolved from listings', async () => {
    // Messaging learns of the new listing from its event: watch as soon as it has.
    const watched = await eventually(async () => {
      const res = await stack.request(WATCH, { listingId }, watcher.token);
      return res.data?.watchListing?.__typename === 'ListingWatch' ? res.data.watchListing : null;
    });
    expect(watched.listing).toEqual({ id: listingId, title: 'Townhouse on the green', price: '450000.00', watchedByMe: true });

    const seen = await stack.request(LISTING, { id: listingId }, watcher.token);
    expect(seen.data.listing).toEqual({ title: 'Townhouse on the green', watchedByMe: true, watcherCount: 1 });
    const seenByOther = await stack.request(LISTING, { id: listingId }, bystander.token);
    expect(seenByOther.data.listing).toEqual({ title: 'Townhouse on the green', watchedByMe: false, watcherCount: 1 });
    const seenSignedOut = await stack.request(LISTING, { id: listingId });
    expect(seenSignedOut.data.listing).toEqual({ title: 'Townhouse on the green', watchedByMe: false, watcherCount: 1 });

    const mine = await stack.request(WATCHED, {}, watcher.token);
    expect(mine.errors).toBeUndefined();
    expect(mine.data.myWatchedListings).toEqual([
      { id: listingId, title: 'Townhouse on the green', price: '450000.00', owner: { name: 'Sara Seller' } },
    ]);

    const own = await stack.request(WATCH, { listingId }, owner.token);
    expect(own.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('tells the watcher, stored and live, when the owner lowers the price, and nobody else', async () => {
    const live = subscribe<{ notificationAdded: NotificationView }>(stack, NOTIFICATION_ADDED, {}, watcher.token);
    await eventually(async () => stack.pubsub.channels().includes(`live:messaging.notificationAdded:${watcher.id}`));

    const updated = await stack.request(UPDATE, { id: listingId, input: { price: '425000' } }, owner.token);
    expect(updated.errors).toBeUndefined();

    const expected = {
      kind: 'LISTING',
      title: 'Price drop: Townhouse on the green',
      body: 'The asking price is now 425000.00 GBP (was 450000.00 GBP).',
      cursor: expect.any(String),
    };
    const [event] = await live.waitFor(1, 15_000);
    expect(event?.notificationAdded).toEqual(expected);
    const stored = await eventually(async () => {
      const list = await listingNotifications(watcher);
      return list.length > 0 ? list : null;
    });
    expect(stored).toEqual([{ ...expected, cursor: event?.notificationAdded.cursor }]);
    expect(await listingNotifications(bystander)).toEqual([]);
    expect(await listingNotifications(owner)).toEqual([]);
    await live.disconnect();
  });

  it('tells the watcher when the listing is deleted, and forgets the watch', async () => {
    const deleted = await stack.request(DELETE, { id: listingId }, owner.token);
    expect(deleted.data?.deleteListing).toBe(true);

    const removed = await eventually(async () =>
      (await listingNotifications(watcher)).find((n) => n.title === 'Townhouse on the green was removed'),
    );
    expect(removed.body).toContain('taken off your watched listings');
    const mine = await stack.request(WATCHED, {}, watcher.token);
    expect(mine.data.myWatchedListings).toEqual([]);
    const again = await stack.request(WATCH, { listingId }, watcher.token);
    expect(again.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('a watcher who deletes their account', () => {
  it('stops watching, and leaves their conversations readable to the other person with their words removed', async () => {
    const [owner, leaver] = await Promise.all([createUser(stack, 'SELLER', 'Olga Owner'), createUser(stack, 'BUYER', 'Lee Leaver')]);
    const created = await stack.request(
      CREATE,
      {
        input: {
          title: 'Canal boat mooring',
          description: 'A residential mooring with shore power, water and a small garden.',
          kind: 'SALE',
          propertyType: 'LAND',
          price: '60000',
          address: { line1: 'Mooring 7, Towpath', city: 'Oxford', country: 'GB' },
          location: { latitude: 51.7586, longitude: -1.2724 },
          status: 'ACTIVE',
        },
      },
      owner.token,
    );
    expect(created.errors).toBeUndefined();
    const id = created.data.createListing.id;
    await eventually(
      async () => (await stack.request(WATCH, { listingId: id }, leaver.token)).data?.watchListing?.__typename === 'ListingWatch',
    );
    const conversationId = await startConversation(stack, leaver.token, [owner.id], 'Is the mooring still free? Call me on 555-0142.');

    const gone = await stack.request(DELETE_ACCOUNT, { password: PASSWORD }, leaver.token);
    expect(gone.data?.deleteAccount.__typename).toBe('AccountDeleted');

    await eventually(async () => (await stack.request(LISTING, { id }, owner.token)).data?.listing?.watcherCount === 0);
    const read = await eventually(async () => {
      const res = await stack.request(CONVERSATION, { id: conversationId }, owner.token);
      return res.data?.conversation?.messages[0]?.removedAt ? res.data.conversation : null;
    });
    expect(read).toEqual({
      participants: [{ name: 'Olga Owner' }],
      messages: [{ body: 'This message was removed.', removedAt: expect.any(String), sender: { name: 'Deleted user' } }],
    });
    const again = await stack.request(START, { input: { participantIds: [leaver.id] } }, owner.token);
    expect(again.data?.startConversation).toEqual({ __typename: 'ParticipantsUnavailable', userIds: [leaver.id] });
  });
});
