import { randomUUID } from 'node:crypto';
import { BOOK, admin, day, inHours, person, startBookings, type Bookings } from './testing/harness';

let b: Bookings;
beforeAll(async () => {
  b = await startBookings();
});
afterAll(async () => {
  await b?.close();
});

const selects = (statements: string[]) => statements.filter((q) => /SELECT/i.test(q));
const book = async (listingId: string, from: number, to: number) =>
  (await b.call(person(), BOOK, { input: { listingId, checkIn: day(from), checkOut: day(to), guests: 1 } })).data.bookStay;

describe('batching', () => {
  it('resolves 50 Stay references with one SQL query, in order', async () => {
    const home = await b.listing();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await book(home.id, 100 + 2 * i, 101 + 2 * i)).id);
    const representations = Array.from({ length: 50 }, (_, i) => ({ __typename: 'Stay', id: ids[(i * 7) % ids.length] }));
    const { result, statements } = await b.countQueries(() =>
      b.call(
        home.owner,
        `query($r: [_Any!]!) { _entities(representations: $r) { ... on Stay { id nights price { total } listing { id } } } }`,
        {
          r: representations,
        },
      ),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data._entities.map((s: { id: string }) => s.id)).toEqual(representations.map((r) => r.id));
    expect(selects(statements)).toHaveLength(1);
  });

  it('resolves 50 ViewingAppointment references with one SQL query, in order', async () => {
    const house = await b.forSale();
    const buyer = person();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await b.call(
        buyer,
        `mutation($input: RequestViewingInput!) { requestViewing(input: $input) { ... on ViewingAppointment { id } } }`,
        {
          input: { listingId: house.id, startsAt: inHours(24 + 2 * i), endsAt: inHours(25 + 2 * i) },
        },
      );
      ids.push(res.data.requestViewing.id);
    }
    const representations = Array.from({ length: 50 }, (_, i) => ({ __typename: 'ViewingAppointment', id: ids[(i * 3) % ids.length] }));
    const { result, statements } = await b.countQueries(() =>
      b.call(buyer, `query($r: [_Any!]!) { _entities(representations: $r) { ... on ViewingAppointment { id agent { id } } } }`, {
        r: representations,
      }),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data._entities.map((v: { id: string }) => v.id)).toEqual(representations.map((r) => r.id));
    expect(selects(statements)).toHaveLength(1);
  });

  it('loads the stays of many listings with one query for owners and one for stays', async () => {
    const listings = await Promise.all(Array.from({ length: 10 }, () => b.listing()));
    for (const l of listings) await book(l.id, 7, 8);
    const { result, statements } = await b.countQueries(() =>
      b.call(admin(), `query($r: [_Any!]!) { _entities(representations: $r) { ... on Listing { id stays { id } } } }`, {
        r: listings.map((l) => ({ __typename: 'Listing', id: l.id })),
      }),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data._entities.map((l: { stays: unknown[] }) => l.stays.length)).toEqual(listings.map(() => 1));
    expect(selects(statements)).toHaveLength(2);
  });

  it('loads the viewing slots of many listings with one query', async () => {
    const houses = await Promise.all(Array.from({ length: 10 }, () => b.forSale()));
    for (const h of houses) {
      await b.call(h.owner, `mutation($l: ID!, $s: [ViewingSlotInput!]!) { publishViewingSlots(listingId: $l, slots: $s) { id } }`, {
        l: h.id,
        s: [{ startsAt: inHours(30), endsAt: inHours(31) }],
      });
    }
    const { result, statements } = await b.countQueries(() =>
      b.call(null, `query($r: [_Any!]!) { _entities(representations: $r) { ... on Listing { id viewingSlots { id available } } } }`, {
        r: houses.map((h) => ({ __typename: 'Listing', id: h.id })),
      }),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data._entities.map((l: { viewingSlots: unknown[] }) => l.viewingSlots.length)).toEqual(houses.map(() => 1));
    expect(selects(statements)).toHaveLength(1);
  });
});

describe('listing snapshots from events', () => {
  it('keeps the rental terms of the newest event; terms an event leaves out read as none', async () => {
    const home = await b.listing({
      pricePerNight: '100.00',
      cleaningFee: '30.00',
      minNights: 2,
      maxNights: 5,
      instantBook: true,
      weeklyDiscountPercent: 10,
      monthlyDiscountPercent: 20,
      cancellationPolicy: 'FLEXIBLE',
    });
    const { rows } = await b.sql.query(
      'SELECT title, cleaning_fee, min_nights, max_nights, instant_book, weekly_discount_percent, monthly_discount_percent, cancellation_policy FROM listing_snapshots WHERE listing_id = $1',
      [home.id],
    );
    expect(rows[0]).toEqual({
      title: 'Sea view flat',
      cleaning_fee: '30.00',
      min_nights: 2,
      max_nights: 5,
      instant_book: true,
      weekly_discount_percent: 10,
      monthly_discount_percent: 20,
      cancellation_policy: 'FLEXIBLE',
    });
    // An event from a producer that does not know the terms yet.
    const {
      cleaningFee: _c,
      minNights: _min,
      maxNights: _max,
      instantBook: _i,
      weeklyDiscountPercent: _w,
      monthlyDiscountPercent: _m,
      cancellationPolicy: _p,
      ...older
    } = home.payload;
    await b.deliver('listings.listing.upserted', older, { occurredAt: new Date(Date.now() + 1_000).toISOString() });
    const stay = await book(home.id, 5, 6);
    expect(stay).toMatchObject({ status: 'REQUESTED', cancellationPolicy: 'MODERATE', price: { cleaningFee: '0.00', total: '100.00' } });
  });

  it('ignores an older upsert that arrives after a newer one', async () => {
    const home = await b.listing({ pricePerNight: '100.00' });
    await b.deliver(
      'listings.listing.upserted',
      { ...home.payload, pricePerNight: '200.00' },
      { occurredAt: new Date(Date.now() + 60_000).toISOString() },
    );
    await b.deliver(
      'listings.listing.upserted',
      { ...home.payload, pricePerNight: '50.00', status: 'PAUSED' },
      {
        occurredAt: new Date(Date.now() - 60_000).toISOString(),
      },
    );
    expect(await book(home.id, 5, 6)).toMatchObject({ __typename: 'Stay', totalPrice: '200.00' });
  });

  it('keeps a deleted listing deleted, whatever arrives later or earlier', async () => {
    const home = await b.listing();
    await b.deliver('listings.listing.deleted', { listingId: home.id, ownerId: home.owner.userId });
    await b.deliver('listings.listing.upserted', home.payload, { occurredAt: new Date(Date.now() - 60_000).toISOString() });
    expect((await book(home.id, 5, 6)).__typename).toBe('ListingUnavailable');

    // The deletion arrives first: a later, stale upsert must not create the listing.
    const ghost = { ...home.payload, listingId: randomUUID() };
    await b.deliver('listings.listing.deleted', { listingId: ghost.listingId, ownerId: ghost.ownerId });
    await b.deliver('listings.listing.upserted', ghost, { occurredAt: new Date(Date.now() - 60_000).toISOString() });
    expect((await book(ghost.listingId, 5, 6)).__typename).toBe('ListingUnavailable');
  });

  describe('ordered by the listing version, not by clocks', () => {
    const soon = (ms: number) => new Date(Date.now() + ms).toISOString();
    const held = async (listingId: string) =>
      (
        await b.sql.query<{ version: number | null; price: string | null; deleted: boolean }>(
          'SELECT version, price_per_night AS price, deleted_at IS NOT NULL AS deleted FROM listing_snapshots WHERE listing_id = $1',
          [listingId],
        )
      ).rows[0];

    it('ignores an older version that arrives after a newer one, even stamped later', async () => {
      const home = await b.listing({ pricePerNight: '100.00', version: 1 });
      await b.deliver('listings.listing.upserted', { ...home.payload, pricePerNight: '300.00', version: 3 });
      // Version 2 from a replica whose clock runs a minute ahead (or a dead letter replayed now).
      await b.deliver(
        'listings.listing.upserted',
        { ...home.payload, pricePerNight: '50.00', status: 'PAUSED', version: 2 },
        { occurredAt: soon(60_000) },
      );
      // The same version again, stamped later still (a republish), changes nothing either.
      await b.deliver('listings.listing.upserted', { ...home.payload, pricePerNight: '999.00', version: 3 }, { occurredAt: soon(120_000) });
      expect(await held(home.id)).toEqual({ version: 3, price: '300.00', deleted: false });
      expect(await book(home.id, 5, 6)).toMatchObject({ __typename: 'Stay', totalPrice: '300.00' });
    });

    it('applies a newer version stamped earlier than the state it replaces', async () => {
      const home = await b.listing({ pricePerNight: '100.00', version: 4 });
      // Written after version 4 by a replica whose clock runs a minute behind.
      await b.deliver('listings.listing.upserted', { ...home.payload, pricePerNight: '140.00', version: 5 }, { occurredAt: soon(-60_000) });
      expect(await held(home.id)).toEqual({ version: 5, price: '140.00', deleted: false });
      expect(await book(home.id, 5, 6)).toMatchObject({ __typename: 'Stay', totalPrice: '140.00' });
    });

    it('orders by time when either side has no version, and keeps the highest version seen', async () => {
      // Held without a version (written before versions existed): a versioned event is ordered by time.
      const home = await b.listing({ pricePerNight: '100.00' });
      expect(await held(home.id)).toMatchObject({ version: null });
      await b.deliver('listings.listing.upserted', { ...home.payload, pricePerNight: '10.00', version: 9 }, { occurredAt: soon(-60_000) });
      expect(await held(home.id)).toEqual({ version: null, price: '100.00', deleted: false });
      await b.deliver('listings.listing.upserted', { ...home.payload, pricePerNight: '110.00', version: 2 }, { occurredAt: soon(1_000) });
      expect(await held(home.id)).toEqual({ version: 2, price: '110.00', deleted: false });
      // A versionless event older than what is held (a replayed dead letter) changes nothing; a newer one applies
      // and leaves the version where it was, so a replayed version 1 still cannot win.
      await b.deliver('listings.listing.upserted', { ...home.payload, pricePerNight: '20.00' }, { occurredAt: soon(-120_000) });
      expect(await held(home.id)).toEqual({ version: 2, price: '110.00', deleted: false });
      await b.deliver('listings.listing.upserted', { ...home.payload, pricePerNight: '120.00' }, { occurredAt: soon(2_000) });
      expect(await held(home.id)).toEqual({ version: 2, price: '120.00', deleted: false });
      await b.deliver('listings.listing.upserted', { ...home.payload, pricePerNight: '30.00', version: 1 }, { occurredAt: soon(60_000) });
      expect(await book(home.id, 5, 6)).toMatchObject({ __typename: 'Stay', totalPrice: '120.00' });
    });

    it('keeps a deleted listing deleted: no upsert up to its version brings it back or changes it, however late it is stamped', async () => {
      const home = await b.listing({ pricePerNight: '100.00', version: 2 });
      await b.deliver(
        'listings.listing.deleted',
        { listingId: home.id, ownerId: home.owner.userId, version: 3 },
        { occurredAt: soon(-60_000) },
      );
      await b.deliver('listings.listing.upserted', { ...home.payload, pricePerNight: '70.00', version: 2 }, { occurredAt: soon(60_000) });
      expect(await held(home.id)).toEqual({ version: 3, price: '100.00', deleted: true });
      expect((await book(home.id, 5, 6)).__typename).toBe('ListingUnavailable');

      // The deletion arrives first: its tombstone carries its version, so no earlier state fills it in.
      const ghost = { ...home.payload, listingId: randomUUID(), version: 5 };
      await b.deliver(
        'listings.listing.deleted',
        { listingId: ghost.listingId, ownerId: ghost.ownerId, version: 6 },
        { occurredAt: soon(-60_000) },
      );
      await b.deliver('listings.listing.upserted', ghost, { occurredAt: soon(60_000) });
      expect(await held(ghost.listingId)).toEqual({ version: 6, price: null, deleted: true });
      expect((await book(ghost.listingId, 5, 6)).__typename).toBe('ListingUnavailable');
      expect(await b.bus.deadLetters()).toEqual([]);
    });
  });

  it('applies an event delivered twice only once (inbox)', async () => {
    const home = await b.listing({ pricePerNight: '80.00' });
    const update = await b.deliver(
      'listings.listing.upserted',
      { ...home.payload, pricePerNight: '90.00' },
      {
        occurredAt: new Date(Date.now() + 1_000).toISOString(),
      },
    );
    // The same event id again, even carrying other content and a newer time, has no second effect.
    await b.deliver(
      'listings.listing.upserted',
      { ...home.payload, pricePerNight: '999.00' },
      {
        id: update.id,
        occurredAt: new Date(Date.now() + 120_000).toISOString(),
      },
    );
    await b.bus.publish([update]);
    await b.bus.drain();
    expect(await book(home.id, 5, 7)).toMatchObject({ __typename: 'Stay', totalPrice: '180.00' });
    expect(await b.count('SELECT 1 FROM inbox_events WHERE event_id = $1', [update.id])).toBe(1);
    expect(await b.bus.deadLetters()).toEqual([]);
  });
});
