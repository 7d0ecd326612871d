import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import {
  createLogger,
  InProcessEventBus,
  type EventEnvelope,
  type EventPayload,
  type Identity,
  type Role,
  type RunningServer,
  type Subgraph,
} from '@market/platform';
import { callSubgraph, testDatabaseUrl, testSecrets } from '@market/platform/testing';
import { createSubgraph, loadEnv } from './server';
import { VIEWING_OVERLAP_CONSTRAINT } from './repositories/viewing-repository';

const STAY_FIELDS = `id checkIn checkOut nights guests totalPrice currency status createdAt listing { id } guest { id }`;
const BOOK = `mutation($input: BookStayInput!) { bookStay(input: $input) {
  __typename
  ... on Stay { ${STAY_FIELDS} }
  ... on DatesUnavailable { listingId checkIn checkOut message }
  ... on ListingUnavailable { listingId message } } }`;
const CANCEL = `mutation($id: ID!) { cancelStay(id: $id) { id status } }`;
const STAY = `query($id: ID!) { stay(id: $id) { ${STAY_FIELDS} } }`;
const REQUEST_VIEWING = `mutation($input: RequestViewingInput!) { requestViewing(input: $input) {
  id startsAt endsAt status note createdAt listing { id } buyer { id } agent { id } } }`;
const VIEWING = `query($id: ID!) { viewing(id: $id) { id status buyer { id } agent { id } } }`;
const LISTING_BOOKINGS = `query($r: [_Any!]!) { _entities(representations: $r) {
  ... on Listing { id stays { id status guest { id } } viewings { id buyer { id } } } } }`;
const USER_BOOKINGS = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id stays { id } viewings { id } } } }`;

const DAY_MS = 86_400_000;
/** A calendar date `days` from today (UTC, the test listings' zone). */
const day = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);

type Upserted = EventPayload<'listings.listing.upserted'>;

describe('bookings subgraph', () => {
  let subgraph: Subgraph;
  let running: RunningServer;
  let secret: string;
  let bus: InProcessEventBus;
  let sql: Client;
  const queries: string[] = [];

  beforeAll(async () => {
    secret = (await testSecrets()).signingSecret;
    const logger = createLogger('bookings', 'silent');
    bus = new InProcessEventBus(logger, { attempts: 1, initialDelayMs: 1, maxDelayMs: 1 });
    const env = loadEnv({
      NODE_ENV: 'test',
      DATABASE_URL: testDatabaseUrl('bookings'),
      GATEWAY_SIGNING_SECRET: secret,
      DATABASE_POOL_SIZE: '20',
    });
    subgraph = await createSubgraph(env, logger, { bus, onQuery: (q) => queries.push(q) });
    running = await subgraph.server.listen(0, '127.0.0.1');
    sql = new Client({ connectionString: testDatabaseUrl('bookings') });
    await sql.connect();
  });
  afterAll(async () => {
    await running.close();
    await bus.close();
    await subgraph.close();
    await sql.end();
  });

  const call = <T = any>(query: string, variables?: Record<string, unknown>, identity: Identity | null = null) =>
    callSubgraph<T>(running.url, { query, variables }, { secret, identity });
  const person = (role: Role = 'BUYER'): Identity => ({ userId: randomUUID(), role, sessionId: randomUUID() });
  const admin = person('ADMIN');

  /** Hands an event to the bus, as listings' outbox relay would, and waits until it is handled. */
  async function deliver<T extends 'listings.listing.upserted' | 'listings.listing.deleted'>(
    type: T,
    payload: EventPayload<T>,
    overrides: Partial<EventEnvelope<T>> = {},
  ): Promise<EventEnvelope<T>> {
    const event = {
      id: randomUUID(),
      type,
      version: 1,
      aggregateId: (payload as { listingId: string }).listingId,
      occurredAt: new Date().toISOString(),
      payload,
      ...overrides,
    } as EventEnvelope<T>;
    await bus.publish([event]);
    await bus.drain();
    return event;
  }

  /** A listing as bookings learns of it: through a `listings.listing.upserted` event. */
  async function listing(overrides: Partial<Upserted> = {}) {
    const owner = person('HOST');
    const payload: Upserted = {
      listingId: randomUUID(),
      ownerId: owner.userId,
      title: 'Sea view flat',
      kind: 'RENT',
      status: 'ACTIVE',
      price: null,
      pricePerNight: '120.50',
      currency: 'EUR',
      maxGuests: 4,
      timeZone: 'UTC',
      ...overrides,
    };
    await deliver('listings.listing.upserted', payload);
    return { id: payload.listingId, owner: { ...owner, userId: payload.ownerId }, payload };
  }

  const book = (guest: Identity, input: Record<string, unknown>) => call(BOOK, { input }, guest);
  const listingStays = async (listingId: string, who: Identity) =>
    (await call(LISTING_BOOKINGS, { r: [{ __typename: 'Listing', id: listingId }] }, who)).data._entities[0].stays;

  describe('bookStay', () => {
    it('books a stay priced by the server, and the parties read it back', async () => {
      const home = await listing();
      const guest = person();
      const res = await book(guest, { listingId: home.id, checkIn: day(10), checkOut: day(13), guests: 2 });
      expect(res.errors).toBeUndefined();
      const stay = res.data.bookStay;
      expect(stay).toEqual({
        __typename: 'Stay',
        id: expect.any(String),
        checkIn: day(10),
        checkOut: day(13),
        nights: 3,
        guests: 2,
        totalPrice: '361.50',
        currency: 'EUR',
        status: 'REQUESTED',
        createdAt: expect.any(String),
        listing: { id: home.id },
        guest: { id: guest.userId },
      });

      const { __typename: _t, ...asStored } = stay;
      for (const who of [guest, home.owner, admin]) {
        const read = await call(STAY, { id: stay.id }, who);
        expect(read.data.stay).toEqual(asStored);
      }
      const mine = await call(`{ myStays { id totalPrice } }`, {}, guest);
      expect(mine.data.myStays).toEqual([{ id: stay.id, totalPrice: '361.50' }]);
      expect(await listingStays(home.id, home.owner)).toEqual([{ id: stay.id, status: 'REQUESTED', guest: { id: guest.userId } }]);
      const user = await call(USER_BOOKINGS, { r: [{ __typename: 'User', id: guest.userId }] }, guest);
      expect(user.data._entities[0].stays).toEqual([{ id: stay.id }]);
    });

    it('refuses bad input with BAD_USER_INPUT and books nothing', async () => {
      const home = await listing({ maxGuests: 2 });
      const guest = person();
      const cases: [Record<string, unknown>, string][] = [
        [{ checkIn: day(5), checkOut: day(5), guests: 1 }, 'checkOut'],
        [{ checkIn: day(6), checkOut: day(5), guests: 1 }, 'checkOut'],
        [{ checkIn: day(5), checkOut: day(5 + 366), guests: 1 }, 'checkOut'],
        [{ checkIn: day(5), checkOut: day(7), guests: 0 }, 'guests'],
        [{ checkIn: day(5), checkOut: day(7), guests: 3 }, 'guests'],
        [{ checkIn: day(-1), checkOut: day(2), guests: 1 }, 'checkIn'],
        [{ listingId: 'not-a-listing', checkIn: day(5), checkOut: day(7), guests: 1 }, 'listingId'],
      ];
      for (const [input, field] of cases) {
        const res = await book(guest, { listingId: home.id, ...input });
        expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: { [field]: expect.any(Array) } });
        expect(res.data).toBeNull();
      }
      const malformedDate = await book(guest, { listingId: home.id, checkIn: '2030-02-30', checkOut: day(7), guests: 1 });
      expect(malformedDate.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
      expect(await listingStays(home.id, home.owner)).toEqual([]);
    });

    it('answers ListingUnavailable for unknown, sale, inactive or deleted listings', async () => {
      const guest = person();
      const forSale = await listing({ kind: 'SALE', pricePerNight: null, price: '350000.00' });
      const paused = await listing({ status: 'PAUSED' });
      const deleted = await listing();
      await deliver('listings.listing.deleted', { listingId: deleted.id, ownerId: deleted.owner.userId });
      for (const listingId of [randomUUID(), forSale.id, paused.id, deleted.id]) {
        const res = await book(guest, { listingId, checkIn: day(3), checkOut: day(4), guests: 1 });
        expect(res.data.bookStay).toEqual({ __typename: 'ListingUnavailable', listingId, message: 'Property not found or not available' });
      }
    });

    it('requires a signed-in guest who is not the owner', async () => {
      const home = await listing();
      const input = { listingId: home.id, checkIn: day(3), checkOut: day(4), guests: 1 };
      expect((await call(BOOK, { input })).errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
      expect((await book(home.owner, input)).errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    });
  });

  describe('no double booking', () => {
    it('lets exactly one of 50 concurrent overlapping bookings through', async () => {
      const home = await listing({ maxGuests: 10 });
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          book(person(), { listingId: home.id, checkIn: day(20 + (i % 3)), checkOut: day(23 + (i % 2)), guests: 1 }),
        ),
      );
      for (const r of results) expect(r.errors).toBeUndefined();
      const kinds = results.map((r) => r.data.bookStay.__typename);
      expect(kinds.filter((k) => k === 'Stay')).toHaveLength(1);
      expect(kinds.filter((k) => k === 'DatesUnavailable')).toHaveLength(49);
      const stays = await listingStays(home.id, home.owner);
      expect(stays).toHaveLength(1);
      expect(stays[0].id).toBe(results.find((r) => r.data.bookStay.__typename === 'Stay')?.data.bookStay.id);
    });

    it('allows back-to-back stays (check-out day = next check-in day) and refuses a one-night overlap', async () => {
      const home = await listing();
      const first = await book(person(), { listingId: home.id, checkIn: day(30), checkOut: day(33), guests: 1 });
      const second = await book(person(), { listingId: home.id, checkIn: day(33), checkOut: day(35), guests: 1 });
      const before = await book(person(), { listingId: home.id, checkIn: day(28), checkOut: day(30), guests: 1 });
      expect([first, second, before].map((r) => r.data.bookStay.__typename)).toEqual(['Stay', 'Stay', 'Stay']);
      const overlap = await book(person(), { listingId: home.id, checkIn: day(34), checkOut: day(36), guests: 1 });
      expect(overlap.data.bookStay).toEqual({
        __typename: 'DatesUnavailable',
        listingId: home.id,
        checkIn: day(34),
        checkOut: day(36),
        message: expect.any(String),
      });
    });

    it('frees the dates when a stay is cancelled, and cancels only once', async () => {
      const home = await listing();
      const guest = person();
      const input = { listingId: home.id, checkIn: day(40), checkOut: day(42), guests: 1 };
      const stay = (await book(guest, input)).data.bookStay;
      expect((await book(person(), input)).data.bookStay.__typename).toBe('DatesUnavailable');

      const cancelled = await call(CANCEL, { id: stay.id }, guest);
      expect(cancelled.data.cancelStay).toEqual({ id: stay.id, status: 'CANCELLED' });
      const again = await book(person(), input);
      expect(again.data.bookStay.__typename).toBe('Stay');

      const twice = await call(CANCEL, { id: stay.id }, guest);
      expect(twice.errors?.[0]?.extensions?.['code']).toBe('CONFLICT');
      expect((await call(STAY, { id: stay.id }, guest)).data.stay.status).toBe('CANCELLED');
    });

    it("lets the listing owner cancel a guest's stay", async () => {
      const home = await listing();
      const stay = (await book(person(), { listingId: home.id, checkIn: day(50), checkOut: day(51), guests: 1 })).data.bookStay;
      expect((await call(CANCEL, { id: stay.id }, home.owner)).data.cancelStay.status).toBe('CANCELLED');
    });
  });

  describe('privacy', () => {
    it('hides a stay from other users: NOT_FOUND to read or cancel, FORBIDDEN on their lists', async () => {
      const home = await listing();
      const guest = person();
      const stranger = person();
      const stay = (await book(guest, { listingId: home.id, checkIn: day(60), checkOut: day(62), guests: 1 })).data.bookStay;

      const read = await call(STAY, { id: stay.id }, stranger);
      expect(read.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
      expect(read.data.stay).toBeNull();
      // Someone else's stay reads exactly like one that does not exist.
      const missingId = randomUUID();
      const unknown = await call(STAY, { id: missingId }, stranger);
      expect(read.errors?.[0]?.message).toBe(`Stay ${stay.id} was not found.`);
      expect(unknown.errors?.[0]?.message).toBe(`Stay ${missingId} was not found.`);
      expect(unknown.errors?.[0]?.extensions).toEqual(read.errors?.[0]?.extensions);

      const cancel = await call(CANCEL, { id: stay.id }, stranger);
      expect(cancel.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
      expect((await call(STAY, { id: stay.id }, guest)).data.stay.status).toBe('REQUESTED');

      const entity = await call(`query($r: [_Any!]!) { _entities(representations: $r) { ... on Stay { id totalPrice } } }`, {
        r: [{ __typename: 'Stay', id: stay.id }],
      }, stranger);
      expect(entity.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
      expect(JSON.stringify(entity.data)).not.toContain(stay.totalPrice);

      const listingSide = await call(LISTING_BOOKINGS, { r: [{ __typename: 'Listing', id: home.id }] }, stranger);
      expect(listingSide.errors?.map((e) => e.extensions?.['code'])).toEqual(['FORBIDDEN', 'FORBIDDEN']);
      expect(listingSide.data._entities[0]).toEqual({ id: home.id, stays: null, viewings: null });
      const userSide = await call(USER_BOOKINGS, { r: [{ __typename: 'User', id: guest.userId }] }, stranger);
      expect(userSide.errors?.map((e) => e.extensions?.['code'])).toEqual(['FORBIDDEN', 'FORBIDDEN']);
      expect(userSide.data._entities[0]).toEqual({ id: guest.userId, stays: null, viewings: null });

      expect((await call(`{ myStays { id } }`, {}, stranger)).data.myStays).toEqual([]);
      expect((await call(`{ myStays { id } }`)).errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    });
  });

  describe('viewings', () => {
    const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();

    it("requests a viewing with the listing's owner as agent; buyer, agent and admin read it, others get NOT_FOUND", async () => {
      const house = await listing({ kind: 'SALE', price: '450000.00', pricePerNight: null, maxGuests: null });
      const buyer = person();
      const input = { listingId: house.id, startsAt: inHours(24), endsAt: inHours(25), note: '  After work, please. ' };
      const res = await call(REQUEST_VIEWING, { input }, buyer);
      expect(res.errors).toBeUndefined();
      const viewing = res.data.requestViewing;
      expect(viewing).toMatchObject({
        startsAt: input.startsAt,
        endsAt: input.endsAt,
        status: 'PENDING',
        note: 'After work, please.',
        listing: { id: house.id },
        buyer: { id: buyer.userId },
        agent: { id: house.owner.userId },
      });
      for (const who of [buyer, house.owner, admin]) {
        expect((await call(VIEWING, { id: viewing.id }, who)).data.viewing.id).toBe(viewing.id);
      }
      expect((await call(VIEWING, { id: viewing.id }, person())).errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
      const listingSide = await call(LISTING_BOOKINGS, { r: [{ __typename: 'Listing', id: house.id }] }, house.owner);
      expect(listingSide.data._entities[0].viewings).toEqual([{ id: viewing.id, buyer: { id: buyer.userId } }]);
      const userSide = await call(USER_BOOKINGS, { r: [{ __typename: 'User', id: buyer.userId }] }, buyer);
      expect(userSide.data._entities[0].viewings).toEqual([{ id: viewing.id }]);
    });

    it('refuses bad viewings and writes nothing', async () => {
      const house = await listing({ kind: 'SALE', price: '450000.00', pricePerNight: null });
      const rental = await listing();
      const buyer = person();
      const bad: [Record<string, unknown>, string][] = [
        [{ listingId: house.id, startsAt: inHours(24), endsAt: inHours(24.1) }, 'BAD_USER_INPUT'],
        [{ listingId: house.id, startsAt: inHours(24), endsAt: inHours(29) }, 'BAD_USER_INPUT'],
        [{ listingId: house.id, startsAt: inHours(-2), endsAt: inHours(-1) }, 'BAD_USER_INPUT'],
        [{ listingId: house.id, startsAt: inHours(24), endsAt: inHours(25), note: 'x'.repeat(1001) }, 'BAD_USER_INPUT'],
        [{ listingId: rental.id, startsAt: inHours(24), endsAt: inHours(25) }, 'BAD_USER_INPUT'],
        [{ listingId: randomUUID(), startsAt: inHours(24), endsAt: inHours(25) }, 'NOT_FOUND'],
      ];
      for (const [input, code] of bad) {
        const res = await call(REQUEST_VIEWING, { input }, buyer);
        expect(res.errors?.[0]?.extensions?.['code']).toBe(code);
      }
      const own = await call(REQUEST_VIEWING, { input: { listingId: house.id, startsAt: inHours(24), endsAt: inHours(25) } }, house.owner);
      expect(own.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
      const userSide = await call(USER_BOOKINGS, { r: [{ __typename: 'User', id: buyer.userId }] }, buyer);
      expect(userSide.data._entities[0].viewings).toEqual([]);
    });

    it('never lets two confirmed viewings of one agent overlap (database constraint)', async () => {
      const house = await listing({ kind: 'SALE', price: '1.00', pricePerNight: null });
      const insert = (startsH: number, endsH: number) =>
        sql.query(
          `INSERT INTO viewing_appointments (id, listing_id, buyer_id, agent_id, starts_at, ends_at, status, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, 'CONFIRMED', now())`,
          [randomUUID(), house.id, randomUUID(), house.owner.userId, inHours(startsH), inHours(endsH)],
        );
      await insert(48, 49);
      await insert(49, 50);
      await expect(insert(48.5, 49.5)).rejects.toMatchObject({ code: '23P01', constraint: VIEWING_OVERLAP_CONSTRAINT });
    });
  });

  describe('listing snapshots from events', () => {
    it('ignores an older upsert that arrives after a newer one', async () => {
      const home = await listing({ pricePerNight: '100.00' });
      const later = new Date(Date.now() + 60_000).toISOString();
      await deliver('listings.listing.upserted', { ...home.payload, pricePerNight: '200.00' }, { occurredAt: later });
      await deliver('listings.listing.upserted', { ...home.payload, pricePerNight: '50.00', status: 'PAUSED' }, {
        occurredAt: new Date(Date.now() - 60_000).toISOString(),
      });
      const res = await book(person(), { listingId: home.id, checkIn: day(5), checkOut: day(6), guests: 1 });
      expect(res.data.bookStay).toMatchObject({ __typename: 'Stay', totalPrice: '200.00' });
    });

    it('keeps a deleted listing deleted, whatever arrives later or earlier', async () => {
      const home = await listing();
      await deliver('listings.listing.deleted', { listingId: home.id, ownerId: home.owner.userId });
      await deliver('listings.listing.upserted', home.payload, { occurredAt: new Date(Date.now() - 60_000).toISOString() });
      const res = await book(person(), { listingId: home.id, checkIn: day(5), checkOut: day(6), guests: 1 });
      expect(res.data.bookStay.__typename).toBe('ListingUnavailable');

      // The deletion arrives first: a later, stale upsert must not create the listing.
      const ghost = { ...home.payload, listingId: randomUUID() };
      await deliver('listings.listing.deleted', { listingId: ghost.listingId, ownerId: ghost.ownerId });
      await deliver('listings.listing.upserted', ghost, { occurredAt: new Date(Date.now() - 60_000).toISOString() });
      const ghostRes = await book(person(), { listingId: ghost.listingId, checkIn: day(5), checkOut: day(6), guests: 1 });
      expect(ghostRes.data.bookStay.__typename).toBe('ListingUnavailable');
    });

    it('applies an event delivered twice only once (inbox)', async () => {
      const home = await listing({ pricePerNight: '80.00' });
      const update = await deliver('listings.listing.upserted', { ...home.payload, pricePerNight: '90.00' }, {
        occurredAt: new Date(Date.now() + 1_000).toISOString(),
      });
      // The same event id again, even carrying other content and a newer time, has no second effect.
      await deliver('listings.listing.upserted', { ...home.payload, pricePerNight: '999.00' }, {
        id: update.id,
        occurredAt: new Date(Date.now() + 120_000).toISOString(),
      });
      await bus.publish([update]);
      await bus.drain();
      const res = await book(person(), { listingId: home.id, checkIn: day(5), checkOut: day(7), guests: 1 });
      expect(res.data.bookStay).toMatchObject({ __typename: 'Stay', totalPrice: '180.00' });
      const inbox = await sql.query('SELECT count(*)::int AS n FROM inbox_events WHERE event_id = $1', [update.id]);
      expect(inbox.rows[0].n).toBe(1);
      expect(await bus.deadLetters()).toEqual([]);
    });
  });

  describe('batching', () => {
    it('resolves 50 Stay references with one SQL query, in order', async () => {
      const home = await listing();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push((await book(person(), { listingId: home.id, checkIn: day(100 + 2 * i), checkOut: day(101 + 2 * i), guests: 1 })).data.bookStay.id);
      }
      const representations = Array.from({ length: 50 }, (_, i) => ({ __typename: 'Stay', id: ids[(i * 7) % ids.length] }));
      queries.length = 0;
      const res = await call(`query($r: [_Any!]!) { _entities(representations: $r) { ... on Stay { id nights listing { id } } } }`, { r: representations }, home.owner);
      expect(res.errors).toBeUndefined();
      expect(res.data._entities.map((s: { id: string }) => s.id)).toEqual(representations.map((r) => r.id));
      expect(queries.filter((q) => /SELECT/i.test(q))).toHaveLength(1);
    });

    it('resolves 50 ViewingAppointment references with one SQL query, in order', async () => {
      const house = await listing({ kind: 'SALE', price: '1.00', pricePerNight: null });
      const buyer = person();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const at = (h: number) => new Date(Date.now() + (24 + 2 * i + h) * 3_600_000).toISOString();
        ids.push((await call(REQUEST_VIEWING, { input: { listingId: house.id, startsAt: at(0), endsAt: at(1) } }, buyer)).data.requestViewing.id);
      }
      const representations = Array.from({ length: 50 }, (_, i) => ({ __typename: 'ViewingAppointment', id: ids[(i * 3) % ids.length] }));
      queries.length = 0;
      const res = await call(`query($r: [_Any!]!) { _entities(representations: $r) { ... on ViewingAppointment { id agent { id } } } }`, { r: representations }, buyer);
      expect(res.errors).toBeUndefined();
      expect(res.data._entities.map((v: { id: string }) => v.id)).toEqual(representations.map((r) => r.id));
      expect(queries.filter((q) => /SELECT/i.test(q))).toHaveLength(1);
    });

    it('loads the stays of many listings with one query for owners and one for stays', async () => {
      const listings = await Promise.all(Array.from({ length: 10 }, () => listing()));
      for (const l of listings) await book(person(), { listingId: l.id, checkIn: day(7), checkOut: day(8), guests: 1 });
      queries.length = 0;
      const res = await call(`query($r: [_Any!]!) { _entities(representations: $r) { ... on Listing { id stays { id } } } }`, {
        r: listings.map((l) => ({ __typename: 'Listing', id: l.id })),
      }, admin);
      expect(res.errors).toBeUndefined();
      expect(res.data._entities.map((l: { stays: unknown[] }) => l.stays.length)).toEqual(listings.map(() => 1));
      expect(queries.filter((q) => /SELECT/i.test(q))).toHaveLength(2);
    });
  });
});
