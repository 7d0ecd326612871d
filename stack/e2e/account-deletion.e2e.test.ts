import { createUser, eventually, PASSWORD, startTestStack, type TestStack, type TestUser } from '../src/testing/stack';
import { startConversation } from '../src/testing/messaging';

/**
 * Deleting an account, end to end: the user's data in all six domains is removed or anonymized by
 * the `accounts.user.deleted` event, each domain on its own, and what other people keep (a booking,
 * a conversation) stays readable for them. Everything is made and checked through the gateway.
 */
const EVENTUAL_MS = 20_000;

describe('deleting an account reaches every domain', () => {
  let stack: TestStack;
  let admin: TestUser;
  beforeAll(async () => {
    stack = await startTestStack();
    admin = await createUser(stack, 'ADMIN', 'Ada Admin');
  });
  afterAll(async () => {
    await stack.stop();
  });

  const ok = async (query: string, variables: Record<string, unknown>, token?: string) => {
    const res = await stack.request(query, variables, token);
    expect(res.errors).toBeUndefined();
    return res.data;
  };

  async function rentalListing(host: TestUser, title: string): Promise<string> {
    const data = await ok(
      `mutation($input: CreateListingInput!) { createListing(input: $input) { id } }`,
      {
        input: {
          title,
          description: 'Quiet flat near the park, with a balcony and a fast connection.',
          kind: 'RENT',
          propertyType: 'APARTMENT',
          address: { line1: '5 Park Road', city: 'Leeds', country: 'GB' },
          zipCode: 'LS1 4AP',
          bedrooms: 1,
          bathrooms: 1,
          toilets: 1,
          location: { latitude: 53.8, longitude: -1.55 },
          images: ['https://images.example.com/flat-1.jpg'],
          status: 'ACTIVE',
          pricePerNight: '80.00',
          maxGuests: 2,
          timeZone: 'Europe/London',
          instantBook: true,
          cancellationPolicy: 'FLEXIBLE',
        },
      },
      host.token,
    );
    return data.createListing.id;
  }

  /** Books as soon as bookings has heard of the listing (it learns from the listing's event). */
  async function bookStay(guest: TestUser, listingId: string, checkIn: string, checkOut: string) {
    return eventually(async () => {
      const res = await stack.request(
        `mutation($input: BookStayInput!) { bookStay(input: $input) { __typename ... on Stay { id status totalPrice } } }`,
        { input: { listingId, checkIn, checkOut, guests: 1 } },
        guest.token,
      );
      return res.data?.bookStay?.__typename === 'Stay' ? (res.data.bookStay as { id: string; status: string; totalPrice: string }) : null;
    }, EVENTUAL_MS);
  }

  async function deleteAccount(user: TestUser) {
    const data = await ok(`mutation($p: String!) { deleteAccount(password: $p) { __typename } }`, { p: PASSWORD }, user.token);
    expect(data.deleteAccount.__typename).toBe('AccountDeleted');
  }

  it('a guest leaves: their stay is cancelled for the host, their messages erased, their watch, post and instance gone', async () => {
    const host = await createUser(stack, 'HOST', 'Hana Host');
    const guest = await createUser(stack, 'BUYER', 'Gil Guest');
    const listingId = await rentalListing(host, 'Flat by the park');

    const stay = await bookStay(guest, listingId, '2032-03-10', '2032-03-13');
    expect(stay.status).toBe('CONFIRMED');
    const watched = await eventually(async () => {
      const res = await stack.request(`mutation($id: ID!) { watchListing(listingId: $id) { __typename } }`, { id: listingId }, guest.token);
      return res.data?.watchListing?.__typename === 'ListingWatch';
    }, EVENTUAL_MS);
    expect(watched).toBe(true);
    const conversationId = await startConversation(stack, guest.token, [host.id], 'Is there parking nearby?');
    const post = await ok(`mutation { createPost(input: { body: "Off to Leeds in March!" }) { ... on Post { id } } }`, {}, guest.token);
    const machine = await ok(
      `mutation($input: CreateMachineInput!) { createMachine(input: $input) { id } }`,
      {
        input: {
          name: `leaver-${Date.now()}`,
          command: ['node', '-e', 'setInterval(() => {}, 1000)'],
          exposedPort: 8080,
          maxInstancesPerUser: 1,
          capacity: 5,
        },
      },
      admin.token,
    );
    const instance = await ok(
      `mutation($id: ID!) { createInstance(machineId: $id) { __typename ... on Instance { id } } }`,
      { id: machine.createMachine.id },
      guest.token,
    );
    const instanceId: string = instance.createInstance.id;
    expect((await ok(`query($id: ID!) { listing(id: $id) { watcherCount } }`, { id: listingId }, host.token)).listing.watcherCount).toBe(1);

    await deleteAccount(guest);

    // accounts: the profile is anonymized at once.
    expect((await ok(`query($id: ID!) { user(id: $id) { name avatarUrl } }`, { id: guest.id })).user).toEqual({
      name: 'Deleted user',
      avatarUrl: null,
    });
    // bookings: the host sees the stay cancelled by the guest who left, refunded under the listing's policy.
    const cancelled = await eventually(async () => {
      const res = await stack.request(
        `query($id: ID!) { stay(id: $id) { status refundAmount guest { name } } }`,
        { id: stay.id },
        host.token,
      );
      return res.data?.stay?.status === 'CANCELLED' ? res.data.stay : null;
    }, EVENTUAL_MS);
    expect(cancelled).toEqual({ status: 'CANCELLED', refundAmount: stay.totalPrice, guest: { name: 'Deleted user' } });
    // messaging: the host keeps the conversation, without the guest's words or name.
    const thread = await eventually(async () => {
      const res = await stack.request(
        `query($id: ID!) { conversation(id: $id) { participants { id } messages { body removedAt sender { name } } } }`,
        { id: conversationId },
        host.token,
      );
      return res.data?.conversation?.messages?.[0]?.removedAt ? res.data.conversation : null;
    }, EVENTUAL_MS);
    expect(thread.participants).toEqual([{ id: host.id }]);
    expect(thread.messages).toEqual([
      { body: 'This message was removed.', removedAt: expect.any(String), sender: { name: 'Deleted user' } },
    ]);
    await eventually(async () => {
      const res = await stack.request(`query($id: ID!) { listing(id: $id) { watcherCount } }`, { id: listingId }, host.token);
      return res.data?.listing?.watcherCount === 0;
    }, EVENTUAL_MS);
    // engagement: the post is gone.
    await eventually(
      async () => (await stack.request(`query($id: ID!) { post(id: $id) { id } }`, { id: post.createPost.id })).data?.post === null,
      EVENTUAL_MS,
    );
    // instances: the instance is removed (an admin can still look it up).
    const removed = await eventually(async () => {
      const res = await stack.request(`query($id: ID!) { instance(id: $id) { status } }`, { id: instanceId }, admin.token);
      return res.data?.instance === null || res.data?.instance?.status === 'REMOVED' ? { gone: true } : null;
    }, EVENTUAL_MS);
    expect(removed).toEqual({ gone: true });
    // The guest's unexpired access token is refused at the gateway, for every subgraph.
    for (const write of [
      `mutation { createPost(input: { body: "ghost" }) { ... on Post { id } } }`,
      `mutation($id: ID!) { watchListing(listingId: $id) { __typename } }`,
    ]) {
      const after = await stack.request(write, { id: listingId }, guest.token);
      expect(after.data ?? null).toBeNull();
      expect(after.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    }
  });

  it('a host leaves: their listings disappear and the stays booked there are cancelled with a full refund', async () => {
    const host = await createUser(stack, 'HOST', 'Harold Host');
    const guest = await createUser(stack, 'BUYER', 'Greta Guest');
    const listingId = await rentalListing(host, 'Studio on the square');
    const stay = await bookStay(guest, listingId, '2032-05-01', '2032-05-04');

    await deleteAccount(host);

    await eventually(
      async () => (await stack.request(`query($id: ID!) { listing(id: $id) { id } }`, { id: listingId })).data?.listing === null,
      EVENTUAL_MS,
    );
    const cancelled = await eventually(async () => {
      const res = await stack.request(`query($id: ID!) { stay(id: $id) { status refundAmount totalPrice } }`, { id: stay.id }, guest.token);
      return res.data?.stay?.status === 'CANCELLED' ? res.data.stay : null;
    }, EVENTUAL_MS);
    expect(cancelled.refundAmount).toBe(cancelled.totalPrice);
    // The guest's own list still reads whole: the listing is gone, what they booked is not.
    const mine = await stack.request(`{ myStays { id status listingTitle listing { id title } } }`, {}, guest.token);
    expect(mine.errors).toBeUndefined();
    expect(mine.data.myStays).toEqual([{ id: stay.id, status: 'CANCELLED', listingTitle: 'Studio on the square', listing: null }]);
    // The guest is told, in messaging, that the stay was cancelled.
    const notified = await eventually(async () => {
      const res = await stack.request(`{ myNotifications(first: 20) { kind title } }`, {}, guest.token);
      return (res.data?.myNotifications as { kind: string; title: string }[] | undefined)?.find(
        (n) => n.kind === 'BOOKING' && /cancel/i.test(n.title),
      );
    }, EVENTUAL_MS);
    expect(notified).toBeTruthy();
    // Nobody can book the place any more.
    const retry = await stack.request(
      `mutation($input: BookStayInput!) { bookStay(input: $input) { __typename } }`,
      { input: { listingId, checkIn: '2032-06-01', checkOut: '2032-06-03', guests: 1 } },
      guest.token,
    );
    expect(retry.data.bookStay.__typename).toBe('ListingUnavailable');
  });
});
