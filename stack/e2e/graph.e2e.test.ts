import { createUser, eventually, startTestStack, type TestStack } from '../src/testing/stack';
import { startConversation } from '../src/testing/messaging';

/**
 * One query across all six subgraphs, with every piece of data made through the gateway the way
 * clients make it, and cross-domain data carried by events (listing → bookings).
 */
describe('the graph, end to end through the gateway', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('answers a query that crosses all six subgraphs', async () => {
    const host = await createUser(stack, 'HOST', 'Harriet Host');
    const guest = await createUser(stack, 'BUYER', 'Gus Guest');
    const admin = await createUser(stack, 'ADMIN', 'Ada Admin');

    const created = await stack.request(
      `mutation($input: CreateListingInput!) { createListing(input: $input) { id title owner { id } } }`,
      {
        input: {
          title: 'Loft by the canal',
          description: 'Bright two-bedroom loft, five minutes from the station.',
          kind: 'RENT',
          propertyType: 'APARTMENT',
          address: { line1: '1 Canal Street', city: 'Manchester', country: 'GB' },
          zipCode: 'M1 3HE',
          bedrooms: 2,
          bathrooms: 1,
          toilets: 1,
          location: { latitude: 53.4776, longitude: -2.2353 },
          images: ['https://images.example.com/loft-1.jpg'],
          status: 'ACTIVE',
          pricePerNight: '120.00',
          maxGuests: 4,
          timeZone: 'Europe/London',
        },
      },
      host.token,
    );
    expect(created.errors).toBeUndefined();
    const listingId: string = created.data.createListing.id;

    // bookings learns about the listing from its event; book as soon as it has.
    const booked = await eventually(async () => {
      const res = await stack.request(
        `mutation($input: BookStayInput!) { bookStay(input: $input) { __typename ... on Stay { id nights totalPrice } } }`,
        { input: { listingId, checkIn: '2031-06-01', checkOut: '2031-06-04', guests: 2 } },
        guest.token,
      );
      return res.data?.bookStay?.__typename === 'Stay' ? res.data.bookStay : null;
    });
    expect(booked).toMatchObject({ nights: 3, totalPrice: '360.00' });

    await startConversation(stack, host.token, [guest.id], 'Welcome! The key is in the lockbox.');

    const post = await stack.request(
      `mutation($input: CreatePostInput!) { createPost(input: $input) { ... on Post { id } } }`,
      { input: { body: 'Just listed: a loft by the canal.', listingId } },
      host.token,
    );
    expect(post.errors).toBeUndefined();
    const reacted = await stack.request(
      `mutation($id: ID!) { react(postId: $id, kind: LOVE) { kind } }`,
      { id: post.data.createPost.id },
      guest.token,
    );
    expect(reacted.errors).toBeUndefined();

    const machine = await stack.request(
      `mutation($input: CreateMachineInput!) { createMachine(input: $input) { id name } }`,
      {
        input: {
          name: `static-site-${Date.now()}`,
          command: ['node', '--version'],
          exposedPort: 8080,
          maxInstancesPerUser: 2,
          capacity: 50,
        },
      },
      admin.token,
    );
    expect(machine.errors).toBeUndefined();
    const instance = await stack.request(
      `mutation($id: ID!) { createInstance(machineId: $id) { __typename ... on Instance { id status } } }`,
      { id: machine.data.createMachine.id },
      host.token,
    );
    expect(instance.data.createInstance.__typename).toBe('Instance');

    const me = await stack.request(
      `{ me { name
          listings { title stays { guest { name } } }
          conversations { messages { body sender { name } } }
          posts { reactions { kind user { name } } }
          instances { edges { node { status machine { name } } } } } }`,
      {},
      host.token,
    );
    expect(me.errors).toBeUndefined();
    expect(me.data.me).toEqual({
      name: 'Harriet Host',
      listings: [{ title: 'Loft by the canal', stays: [{ guest: { name: 'Gus Guest' } }] }],
      conversations: [{ messages: [{ body: 'Welcome! The key is in the lockbox.', sender: { name: 'Harriet Host' } }] }],
      posts: [{ reactions: [{ kind: 'LOVE', user: { name: 'Gus Guest' } }] }],
      instances: { edges: [{ node: { status: expect.any(String), machine: { name: machine.data.createMachine.name } } }] },
    });
  });

  it('keeps one user out of another user’s private data', async () => {
    const owner = await createUser(stack, 'SELLER');
    const stranger = await createUser(stack, 'BUYER');
    const res = await stack.request(
      `query($id: ID!) { user(id: $id) { name email conversations { id } instances { edges { node { id } } } } }`,
      { id: owner.id },
      stranger.token,
    );
    expect(res.data.user.name).toBe('Test User');
    expect(res.data.user.email).toBeNull();
    expect(res.data.user.conversations).toBeNull();
    expect(res.data.user.instances).toBeNull();
    expect(res.errors?.map((e) => e.extensions?.['code'])).toEqual(expect.arrayContaining(['FORBIDDEN']));
  });

  it('returns the rest of the data when one subgraph is down', async () => {
    const user = await createUser(stack, 'SELLER', 'Partial Pat');
    await stack.subgraphs.engagement.close();
    const res = await stack.request(`{ me { name listings { id } posts { id } } }`, {}, user.token);
    expect(res.data.me.name).toBe('Partial Pat');
    expect(res.data.me.listings).toEqual([]);
    expect(res.errors?.length).toBeGreaterThan(0);
    expect(res.errors?.every((e) => e.path?.includes('posts') ?? true)).toBe(true);
  });
});
