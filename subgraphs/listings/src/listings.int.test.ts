import { Client } from 'pg';
import { createLogger, type Identity, type RunningServer, type Subgraph } from '@market/platform';
import { callSubgraph, testDatabaseUrl, testSecrets, unique, type GraphQLResponse } from '@market/platform/testing';
import { createSubgraph, loadEnv } from './subgraph';
import { codeOf, person } from './testing/harness';

const LISTING_FIELDS = `
  id title description kind propertyType price currency
  address { line1 line2 city region country } zipCode
  bedrooms bathrooms toilets location { latitude longitude } images status owner { id }
  pricePerNight maxGuests timeZone cleaningFee minNights maxNights instantBook
  weeklyDiscountPercent monthlyDiscountPercent cancellationPolicy version createdAt updatedAt`;

const CREATE = `mutation ($input: CreateListingInput!) { createListing(input: $input) { ${LISTING_FIELDS} } }`;
const UPDATE = `mutation ($id: ID!, $input: UpdateListingInput!) { updateListing(id: $id, input: $input) { ${LISTING_FIELDS} } }`;
const DELETE = `mutation ($id: ID!) { deleteListing(id: $id) }`;
const LISTING = `query ($id: ID!) { listing(id: $id) { ${LISTING_FIELDS} } }`;
const LISTINGS = `query ($first: Int, $after: String, $filter: ListingFilter) {
  listings(first: $first, after: $after, filter: $filter) {
    edges { cursor node { id title kind price pricePerNight bedrooms status } }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface ListingView {
  id: string;
  title: string;
  kind: 'SALE' | 'RENT';
  status: string;
  price: string | null;
  pricePerNight: string | null;
  owner: { id: string };
  [field: string]: unknown;
}

let subgraph: Subgraph;
let running: RunningServer;
let secret: string;
let db: Client;
const queries: string[] = [];

beforeAll(async () => {
  secret = (await testSecrets()).signingSecret;
  const env = loadEnv({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: testDatabaseUrl('listings'),
    GATEWAY_SIGNING_SECRET: secret,
  });
  subgraph = await createSubgraph(env, createLogger('listings', 'silent'), { bus: null, onQuery: (sql) => queries.push(sql) });
  running = await subgraph.listen(0, '127.0.0.1');
  db = new Client({ connectionString: testDatabaseUrl('listings') });
  await db.connect();
});

afterAll(async () => {
  await running?.close();
  await subgraph?.close();
  await db?.end();
});

function call<T = Record<string, unknown>>(query: string, variables: Record<string, unknown>, identity: Identity | null) {
  return callSubgraph<T>(running.url, { query, variables }, { secret, identity });
}

function saleInput(overrides: Record<string, unknown> = {}) {
  return {
    title: `House ${unique()}`,
    description: 'Three bedrooms and a garden.',
    kind: 'SALE',
    propertyType: 'HOUSE',
    price: '350000',
    address: { line1: '1 Main St', city: 'Springfield', region: 'IL', country: 'US' },
    zipCode: '62701',
    bedrooms: 3,
    bathrooms: 2,
    toilets: 2,
    location: { latitude: 39.7817, longitude: -89.6501 },
    images: ['https://cdn.example.com/house/1.jpg'],
    status: 'ACTIVE',
    ...overrides,
  };
}

function rentInput(overrides: Record<string, unknown> = {}) {
  return saleInput({
    title: `Flat ${unique()}`,
    kind: 'RENT',
    propertyType: 'APARTMENT',
    price: null,
    pricePerNight: '89.5',
    maxGuests: 4,
    cleaningFee: '25',
    minNights: 2,
    maxNights: 30,
    instantBook: true,
    timeZone: 'europe/lisbon',
    address: { line1: 'Rua Augusta 10', city: 'Lisbon', country: 'PT' },
    location: { latitude: 38.7101, longitude: -9.1366 },
    ...overrides,
  });
}

async function createListing(owner: Identity, input: Record<string, unknown>): Promise<ListingView> {
  const res = await call<{ createListing: ListingView }>(CREATE, { input }, owner);
  expect(res.errors).toBeUndefined();
  return res.data!.createListing;
}

async function rowCount(sql: string, params: unknown[]): Promise<number> {
  const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM (${sql}) AS q`, params);
  return Number(rows[0]!.n);
}

const listingsOf = (ownerId: string) => rowCount('SELECT 1 FROM listings WHERE owner_id = $1', [ownerId]);

async function outboxOf(listingId: string) {
  const { rows } = await db.query<{ type: string; payload: Record<string, unknown> }>(
    'SELECT type, payload FROM outbox_events WHERE aggregate_id = $1 ORDER BY seq',
    [listingId],
  );
  return rows;
}

describe('creating, reading, changing and deleting a listing', () => {
  it('persists a SALE listing that the query then returns', async () => {
    const seller = person('SELLER');
    const created = await createListing(
      seller,
      saleInput({ currency: 'eur', address: { line1: '5 Rue X', city: 'Paris', country: 'fr' } }),
    );
    expect(created).toMatchObject({
      kind: 'SALE',
      price: '350000.00',
      currency: 'EUR',
      address: { line1: '5 Rue X', line2: null, city: 'Paris', region: null, country: 'FR' },
      status: 'ACTIVE',
      owner: { id: seller.userId },
      pricePerNight: null,
      maxGuests: null,
      timeZone: 'UTC',
      instantBook: false,
    });
    const stranger = await call<{ listing: ListingView }>(LISTING, { id: created.id }, null);
    expect(stranger.data?.listing).toEqual(created);
  });

  it('persists a RENT listing with its rental fields', async () => {
    const host = person('HOST');
    const created = await createListing(host, rentInput());
    expect(created).toMatchObject({
      kind: 'RENT',
      price: null,
      pricePerNight: '89.50',
      cleaningFee: '25.00',
      maxGuests: 4,
      minNights: 2,
      maxNights: 30,
      instantBook: true,
      timeZone: 'Europe/Lisbon',
    });
    const { rows } = await db.query('SELECT price_per_night::text AS p FROM listings WHERE id = $1', [created.id]);
    expect(rows[0]).toEqual({ p: '89.50' });
  });

  it('updates only what is given and the query returns the change', async () => {
    const agent = person('AGENT');
    const created = await createListing(agent, saleInput());
    const res = await call<{ updateListing: ListingView }>(
      UPDATE,
      { id: created.id, input: { title: 'Price drop', price: '325000.5', zipCode: null } },
      agent,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.updateListing).toMatchObject({ title: 'Price drop', price: '325000.50', zipCode: null, bedrooms: 3 });
    const read = await call<{ listing: ListingView }>(LISTING, { id: created.id }, null);
    expect(read.data?.listing).toMatchObject({
      title: 'Price drop',
      price: '325000.50',
      zipCode: null,
      description: created['description'],
    });
  });

  it('switches a listing from SALE to RENT when the rental fields come along', async () => {
    const seller = person('SELLER');
    const created = await createListing(seller, saleInput());
    const res = await call<{ updateListing: ListingView }>(
      UPDATE,
      { id: created.id, input: { kind: 'RENT', price: null, pricePerNight: '120', maxGuests: 2 } },
      seller,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.updateListing).toMatchObject({ kind: 'RENT', price: null, pricePerNight: '120.00', maxGuests: 2 });
  });

  it('deletes a listing for good', async () => {
    const seller = person('SELLER');
    const created = await createListing(seller, saleInput());
    const res = await call<{ deleteListing: boolean }>(DELETE, { id: created.id }, seller);
    expect(res.data).toEqual({ deleteListing: true });
    expect((await call<{ listing: null }>(LISTING, { id: created.id }, seller)).data).toEqual({ listing: null });
    expect(await listingsOf(seller.userId)).toBe(0);
    expect(codeOf(await call(DELETE, { id: created.id }, seller))).toBe('NOT_FOUND');
  });

  it("lets an admin change and delete anyone's listing", async () => {
    const seller = person('SELLER');
    const admin = person('ADMIN');
    const created = await createListing(seller, saleInput({ status: 'DRAFT' }));
    const updated = await call<{ updateListing: ListingView }>(UPDATE, { id: created.id, input: { status: 'ARCHIVED' } }, admin);
    expect(updated.data?.updateListing).toMatchObject({ status: 'ARCHIVED', owner: { id: seller.userId } });
    expect((await call(DELETE, { id: created.id }, admin)).data).toEqual({ deleteListing: true });
  });
});

describe('refusals', () => {
  it('refuses a BUYER: FORBIDDEN and nothing written', async () => {
    const buyer = person('BUYER');
    const res = await call(CREATE, { input: saleInput() }, buyer);
    expect(codeOf(res)).toBe('FORBIDDEN');
    expect(res.data).toBeNull();
    expect(await listingsOf(buyer.userId)).toBe(0);
  });

  it('refuses an anonymous caller', async () => {
    expect(codeOf(await call(CREATE, { input: saleInput() }, null))).toBe('UNAUTHENTICATED');
  });

  it('refuses RENT without pricePerNight: BAD_USER_INPUT and nothing written', async () => {
    const host = person('HOST');
    const res = await call(CREATE, { input: rentInput({ pricePerNight: null }) }, host);
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.extensions?.['fields']).toEqual({ pricePerNight: ['a RENT listing needs pricePerNight'] });
    expect(await listingsOf(host.userId)).toBe(0);
    expect(await rowCount(`SELECT 1 FROM outbox_events WHERE payload->>'ownerId' = $1`, [host.userId])).toBe(0);
  });

  it.each([
    ['location.latitude', { location: { latitude: 91, longitude: 0 } }],
    ['images.0', { images: ['http://insecure.example.com/a.jpg'] }],
    ['images', { images: Array.from({ length: 31 }, (_, i) => `https://cdn.example.com/${i}.jpg`) }],
    ['price', { price: '-5' }],
    ['currency', { currency: 'DOLLARS' }],
    ['address.country', { address: { line1: 'x', city: 'y', country: 'USA' } }],
    ['timeZone', { timeZone: 'Not/AZone' }],
    ['maxGuests', { maxGuests: 3 }],
  ])('refuses a bad %s with nothing written', async (field, change) => {
    const seller = person('SELLER');
    const res = await call(CREATE, { input: saleInput(change) }, seller);
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(Object.keys(res.errors?.[0]?.extensions?.['fields'] as object)).toContain(field);
    expect(await listingsOf(seller.userId)).toBe(0);
  });

  it('refuses a bad update and leaves the listing as it was', async () => {
    const host = person('HOST');
    const created = await createListing(host, rentInput());
    for (const input of [{ pricePerNight: null }, { title: null }, { status: 'SOLD' }, { minNights: 40 }]) {
      expect(codeOf(await call(UPDATE, { id: created.id, input }, host))).toBe('BAD_USER_INPUT');
    }
    expect((await call<{ listing: ListingView }>(LISTING, { id: created.id }, host)).data?.listing).toEqual(created);
    expect(await outboxOf(created.id)).toHaveLength(1);
  });

  it("refuses another user's update and delete: FORBIDDEN, nothing changed", async () => {
    const owner = person('SELLER');
    const other = person('SELLER');
    const created = await createListing(owner, saleInput());
    const update = await call(UPDATE, { id: created.id, input: { title: 'Hijacked' } }, other);
    expect(codeOf(update)).toBe('FORBIDDEN');
    expect(update.data).toBeNull();
    expect(codeOf(await call(DELETE, { id: created.id }, other))).toBe('FORBIDDEN');
    expect((await call<{ listing: ListingView }>(LISTING, { id: created.id }, owner)).data?.listing).toEqual(created);
    expect(await outboxOf(created.id)).toHaveLength(1);
  });

  it("hides another user's DRAFT: null when read, NOT_FOUND when written", async () => {
    const owner = person('SELLER');
    const other = person('AGENT');
    const draft = await createListing(owner, saleInput({ status: 'DRAFT' }));
    expect((await call(LISTING, { id: draft.id }, other)).data).toEqual({ listing: null });
    expect((await call(LISTING, { id: draft.id }, null)).data).toEqual({ listing: null });
    const update = await call(UPDATE, { id: draft.id, input: { title: 'Mine now' } }, other);
    expect(codeOf(update)).toBe('NOT_FOUND');
    expect(codeOf(await call(DELETE, { id: draft.id }, other))).toBe('NOT_FOUND');
    expect((await call<{ listing: ListingView }>(LISTING, { id: draft.id }, owner)).data?.listing).toEqual(draft);
    expect((await call<{ listing: ListingView }>(LISTING, { id: draft.id }, person('ADMIN'))).data?.listing?.id).toBe(draft.id);
  });

  it('answers ids that are not uuids with null or NOT_FOUND', async () => {
    const seller = person('SELLER');
    expect((await call(LISTING, { id: 'not-a-uuid' }, seller)).data).toEqual({ listing: null });
    expect(codeOf(await call(UPDATE, { id: 'not-a-uuid', input: { title: 'x y z' } }, seller))).toBe('NOT_FOUND');
  });

  it('keeps the rules in the database too', async () => {
    const seller = person('SELLER');
    const created = await createListing(seller, saleInput());
    const violations: [string, string][] = [
      ['price = -1', 'listings_price_non_negative'],
      ['latitude = 95', 'listings_latitude_range'],
      ["kind = 'RENT', price = NULL, max_guests = 4", 'listings_rent_needs_price_per_night'],
      ['bedrooms = -2', 'listings_rooms_non_negative'],
      [`images = array_fill('https://x.example/a.jpg'::text, ARRAY[31])`, 'listings_images_at_most_30'],
    ];
    for (const [change, constraint] of violations) {
      await expect(db.query(`UPDATE listings SET ${change} WHERE id = $1`, [created.id])).rejects.toMatchObject({
        code: '23514',
        constraint,
      });
    }
  });
});

describe('browsing', () => {
  interface Page {
    listings: {
      edges: { cursor: string; node: { id: string; title: string } }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  }

  it('returns every row exactly once across pages, newest first with ties broken by id', async () => {
    const seller = person('SELLER');
    const city = unique('City');
    const made: ListingView[] = [];
    for (let i = 0; i < 7; i++)
      made.push(await createListing(seller, saleInput({ address: { line1: `${i} Elm St`, city, country: 'US' } })));
    await createListing(seller, saleInput({ status: 'DRAFT', address: { line1: 'Draft St', city, country: 'US' } }));
    // Four listings share one instant, so only the id can order them.
    const tie = made.slice(0, 4).map((l) => l.id);
    await db.query(`UPDATE listings SET created_at = '2030-01-01T00:00:00Z' WHERE id = ANY($1::uuid[])`, [tie]);

    const seen: string[] = [];
    const sizes: number[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 10; guard++) {
      const res: GraphQLResponse<Page> = await call<Page>(LISTINGS, { first: 3, after, filter: { city: city.toUpperCase() } }, null);
      expect(res.errors).toBeUndefined();
      const page = res.data!.listings;
      seen.push(...page.edges.map((e) => e.node.id));
      sizes.push(page.edges.length);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(sizes).toEqual([3, 3, 1]);
    expect(new Set(seen).size).toBe(seen.length);
    const { rows } = await db.query<{ id: string }>(
      `SELECT id FROM listings WHERE city = $1 AND status = 'ACTIVE' ORDER BY created_at DESC, id DESC`,
      [city],
    );
    expect(seen).toEqual(rows.map((r) => r.id));
    expect(seen.slice(0, 4).sort()).toEqual([...tie].sort());
  });

  it('filters by kind, property type, price on the right column, and bedrooms', async () => {
    const seller = person('SELLER');
    const host = person('HOST');
    const city = unique('Town');
    const at = (extra: Record<string, unknown>) => ({ address: { line1: '1 A St', city, country: 'US' }, ...extra });
    const cheapHouse = await createListing(seller, saleInput(at({ price: '100000', bedrooms: 2 })));
    const dearCondo = await createListing(seller, saleInput(at({ price: '900000', propertyType: 'CONDO', bedrooms: 4 })));
    const flat = await createListing(host, rentInput(at({ pricePerNight: '150', bedrooms: 1 })));
    const ids = async (filter: Record<string, unknown>) => {
      const res = await call<Page>(LISTINGS, { first: 100, filter: { city, ...filter } }, null);
      expect(res.errors).toBeUndefined();
      return res.data!.listings.edges.map((e) => e.node.id).sort();
    };
    expect(await ids({})).toEqual([cheapHouse.id, dearCondo.id, flat.id].sort());
    expect(await ids({ kind: 'RENT' })).toEqual([flat.id]);
    expect(await ids({ propertyType: 'CONDO' })).toEqual([dearCondo.id]);
    expect(await ids({ minPrice: '120', maxPrice: '200000' })).toEqual([cheapHouse.id, flat.id].sort());
    expect(await ids({ kind: 'SALE', minPrice: '200000' })).toEqual([dearCondo.id]);
    expect(await ids({ minBedrooms: 2 })).toEqual([cheapHouse.id, dearCondo.id].sort());
  });

  it('refuses a page over 100 and a forged cursor', async () => {
    expect(codeOf(await call(LISTINGS, { first: 101 }, null))).toBe('BAD_USER_INPUT');
    expect(codeOf(await call(LISTINGS, { first: 5, after: 'bm9wZQ' }, null))).toBe('BAD_USER_INPUT');
  });
});

describe('User.listings', () => {
  const USER_LISTINGS = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { id listings { id status } } } }`;

  it('shows ACTIVE listings to everyone and every status to the owner and admins', async () => {
    const owner = person('SELLER');
    const active = await createListing(owner, saleInput());
    const draft = await createListing(owner, saleInput({ status: 'DRAFT' }));
    const reps = [{ __typename: 'User', id: owner.userId }];
    type Res = { _entities: { id: string; listings: { id: string }[] }[] };
    const seenBy = async (who: Identity | null) =>
      (await call<Res>(USER_LISTINGS, { reps }, who)).data!._entities[0]!.listings.map((l) => l.id);
    expect(await seenBy(null)).toEqual([active.id]);
    expect(await seenBy(person('BUYER'))).toEqual([active.id]);
    expect(await seenBy(owner)).toEqual([draft.id, active.id]);
    expect(await seenBy(person('ADMIN'))).toEqual([draft.id, active.id]);
  });
});

describe('batching', () => {
  // The subgraph's own periodic jobs (the auction closer polls every second) run beside the request:
  // only the request's statements count.
  const requestQueries = () => queries.filter((q) => !/\bauction/i.test(q));
  it('resolves 50 Listing references with one SQL query, in order, hiding drafts', async () => {
    const seller = person('SELLER');
    const made: ListingView[] = [];
    for (let i = 0; i < 50; i++) made.push(await createListing(seller, saleInput({ status: i === 7 ? 'DRAFT' : 'ACTIVE' })));
    const reps = [...made].reverse().map((l) => ({ __typename: 'Listing', id: l.id }));
    queries.length = 0;
    const res = await call<{ _entities: ({ id: string; title: string } | null)[] }>(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Listing { id title owner { id } } } }`,
      { reps },
      null,
    );
    expect(requestQueries()).toHaveLength(1);
    expect(res.data!._entities.map((e) => e?.id ?? null)).toEqual([...made].reverse().map((l) => (l.id === made[7]!.id ? null : l.id)));
  });

  it('resolves the listings of 50 users with one SQL query', async () => {
    const owners = Array.from({ length: 50 }, () => person('HOST'));
    const made = await Promise.all(owners.slice(0, 10).map((o) => createListing(o, rentInput())));
    queries.length = 0;
    const res = await call<{ _entities: { id: string; listings: { id: string }[] }[] }>(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { id listings { id } } } }`,
      { reps: owners.map((o) => ({ __typename: 'User', id: o.userId })) },
      null,
    );
    expect(requestQueries()).toHaveLength(1);
    expect(res.data!._entities.map((u) => u.id)).toEqual(owners.map((o) => o.userId));
    expect(res.data!._entities.map((u) => u.listings.map((l) => l.id))).toEqual(owners.map((_, i) => (i < 10 ? [made[i]!.id] : [])));
  });
});

describe('events', () => {
  it('writes listings.listing.upserted with each create and update, and listings.listing.deleted with the delete', async () => {
    const host = person('HOST');
    const created = await createListing(
      host,
      rentInput({ status: 'DRAFT', amenities: ['WIFI', 'POOL', 'WIFI'], areaSqm: 80, neighbourhood: 'Alfama' }),
    );
    expect(await outboxOf(created.id)).toEqual([
      {
        type: 'listings.listing.upserted',
        payload: {
          listingId: created.id,
          ownerId: host.userId,
          title: created.title,
          kind: 'RENT',
          status: 'DRAFT',
          price: null,
          pricePerNight: '89.50',
          currency: 'USD',
          maxGuests: 4,
          timeZone: 'Europe/Lisbon',
          cleaningFee: '25.00',
          minNights: 2,
          maxNights: 30,
          instantBook: true,
          weeklyDiscountPercent: null,
          monthlyDiscountPercent: null,
          amenities: ['WIFI', 'POOL'],
          areaSqm: 80,
          neighbourhood: 'Alfama',
          city: 'Lisbon',
          country: 'PT',
          cancellationPolicy: 'MODERATE',
          version: 1,
        },
      },
    ]);
    await call(UPDATE, { id: created.id, input: { status: 'ACTIVE', pricePerNight: '95' } }, host);
    const afterUpdate = await outboxOf(created.id);
    expect(afterUpdate).toHaveLength(2);
    expect(afterUpdate.map((e) => e.payload)).toContainEqual(
      expect.objectContaining({ status: 'ACTIVE', pricePerNight: '95.00', version: 2 }),
    );
    await call(DELETE, { id: created.id }, host);
    const events = await outboxOf(created.id);
    expect(events).toHaveLength(3);
    // One version past the last state, like the listing's last listingUpdated event.
    expect(events).toContainEqual({
      type: 'listings.listing.deleted',
      payload: { listingId: created.id, ownerId: host.userId, version: 3 },
    });
  });
});

describe('rental terms', () => {
  it('stores length-of-stay discounts and the cancellation policy of a RENT listing, and sends them with its events', async () => {
    const host = person('HOST');
    const created = await createListing(
      host,
      rentInput({ weeklyDiscountPercent: 10, monthlyDiscountPercent: 25, cancellationPolicy: 'STRICT' }),
    );
    expect(created).toMatchObject({ weeklyDiscountPercent: 10, monthlyDiscountPercent: 25, cancellationPolicy: 'STRICT' });
    expect((await call<{ listing: ListingView }>(LISTING, { id: created.id }, null)).data?.listing).toEqual(created);
    const updated = await call<{ updateListing: ListingView }>(
      UPDATE,
      { id: created.id, input: { weeklyDiscountPercent: null, monthlyDiscountPercent: 30, cancellationPolicy: 'FLEXIBLE' } },
      host,
    );
    expect(updated.errors).toBeUndefined();
    expect(updated.data?.updateListing).toMatchObject({
      weeklyDiscountPercent: null,
      monthlyDiscountPercent: 30,
      cancellationPolicy: 'FLEXIBLE',
    });
    const payloads = (await outboxOf(created.id)).map((e) => e.payload);
    expect(payloads).toEqual([
      expect.objectContaining({ weeklyDiscountPercent: 10, monthlyDiscountPercent: 25, cancellationPolicy: 'STRICT' }),
      expect.objectContaining({ weeklyDiscountPercent: null, monthlyDiscountPercent: 30, cancellationPolicy: 'FLEXIBLE' }),
    ]);
  });

  it('gives a RENT listing the MODERATE policy by default and a SALE listing no terms at all', async () => {
    const host = person('HOST');
    const rental = await createListing(host, rentInput());
    expect(rental).toMatchObject({ weeklyDiscountPercent: null, monthlyDiscountPercent: null, cancellationPolicy: 'MODERATE' });
    const sale = await createListing(person('SELLER'), saleInput());
    expect(sale).toMatchObject({ weeklyDiscountPercent: null, monthlyDiscountPercent: null, cancellationPolicy: null });
    // The contract reads an absent policy as MODERATE, so a SALE listing's event leaves it out.
    const [event] = await outboxOf(sale.id);
    expect(event?.payload).not.toHaveProperty('cancellationPolicy');
    expect(event?.payload).toMatchObject({ weeklyDiscountPercent: null, monthlyDiscountPercent: null });
  });

  it.each([
    ['monthlyDiscountPercent', 'RENT', { weeklyDiscountPercent: 20, monthlyDiscountPercent: 10 }],
    ['weeklyDiscountPercent', 'RENT', { weeklyDiscountPercent: 101 }],
    ['cancellationPolicy', 'SALE', { cancellationPolicy: 'STRICT' }],
    ['weeklyDiscountPercent', 'SALE', { weeklyDiscountPercent: 5 }],
  ])('refuses a bad %s on a %s listing with nothing written', async (field, kind, change) => {
    const owner = person('AGENT');
    const res = await call(CREATE, { input: kind === 'RENT' ? rentInput(change) : saleInput(change) }, owner);
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(Object.keys(res.errors?.[0]?.extensions?.['fields'] as object)).toEqual([field]);
    expect(await listingsOf(owner.userId)).toBe(0);
  });

  it('keeps the terms true in the database too', async () => {
    const rental = await createListing(person('HOST'), rentInput({ weeklyDiscountPercent: 10, monthlyDiscountPercent: 20 }));
    const sale = await createListing(person('SELLER'), saleInput());
    const violations: [string, string, string][] = [
      [rental.id, 'weekly_discount_percent = 101, monthly_discount_percent = NULL', 'listings_weekly_discount_percent_range'],
      [rental.id, 'monthly_discount_percent = -1, weekly_discount_percent = NULL', 'listings_monthly_discount_percent_range'],
      [rental.id, 'monthly_discount_percent = 5', 'listings_monthly_discount_not_below_weekly'],
      [rental.id, 'cancellation_policy = NULL', 'listings_rental_needs_cancellation_policy'],
      [sale.id, "cancellation_policy = 'STRICT'", 'listings_rental_terms_on_rent_only'],
      [sale.id, 'weekly_discount_percent = 5', 'listings_rental_terms_on_rent_only'],
      [sale.id, 'version = 0', 'listings_version_positive'],
    ];
    for (const [id, change, constraint] of violations) {
      await expect(db.query(`UPDATE listings SET ${change} WHERE id = $1`, [id])).rejects.toMatchObject({ code: '23514', constraint });
    }
  });
});

describe('versions', () => {
  it('starts at 1 and counts every change, refused ones excepted', async () => {
    const seller = person('SELLER');
    const created = await createListing(seller, saleInput());
    expect(created['version']).toBe(1);
    await call(UPDATE, { id: created.id, input: { title: 'First change' } }, seller);
    await call(UPDATE, { id: created.id, input: { price: '-1' } }, seller);
    const second = await call<{ updateListing: ListingView }>(UPDATE, { id: created.id, input: { status: 'UNDER_OFFER' } }, seller);
    expect(second.data?.updateListing['version']).toBe(3);
    expect((await call<{ listing: ListingView }>(LISTING, { id: created.id }, null)).data?.listing['version']).toBe(3);
  });
});
