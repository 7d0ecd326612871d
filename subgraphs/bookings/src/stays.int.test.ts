import { randomUUID } from 'node:crypto';
import type { Identity } from '@market/platform';
import { createPrisma } from './db';
import { startOfDayIn } from './rules/days';
import { StayRepository } from './repositories/stay-repository';
import { priceStay } from './rules/pricing';
import { admin, BOOK, codeOf, day, person, STAY, startBookings, type Bookings } from './testing/harness';

const CONFIRM = `mutation($id: ID!, $key: String) { confirmStay(id: $id, idempotencyKey: $key) { id status } }`;
const DECLINE = `mutation($id: ID!, $key: String) { declineStay(id: $id, idempotencyKey: $key) { id status } }`;
const CANCEL = `mutation($id: ID!, $key: String) { cancelStay(id: $id, idempotencyKey: $key) { id status refundAmount cancelledAt } }`;
const COMPLETE = `mutation($id: ID!) { completeStay(id: $id) { id status } }`;
const QUOTE = `query($id: ID!) { cancellationQuote(stayId: $id) { stay { id } policy refundPercent refundAmount currency refundableUntil explanation } }`;
const LISTING_STAYS = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Listing { id stays { id status guest { id } } } } }`;
const USER_STAYS = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id stays { id } } } }`;

let b: Bookings;
beforeAll(async () => {
  b = await startBookings();
});
afterAll(async () => {
  await b?.close();
});

const book = (guest: Identity, input: Record<string, unknown>, key?: string) => b.call(guest, BOOK, { input, ...(key ? { key } : {}) });
const bookOk = async (guest: Identity, input: Record<string, unknown>) => {
  const res = await book(guest, input);
  expect(res.errors).toBeUndefined();
  expect(res.data.bookStay.__typename).toBe('Stay');
  return res.data.bookStay;
};
const listingStays = async (listingId: string, who: Identity) =>
  (await b.call(who, LISTING_STAYS, { r: [{ __typename: 'Listing', id: listingId }] })).data._entities[0].stays;
const liveStays = (listingId: string) =>
  b.count(`SELECT 1 FROM stays WHERE listing_id = $1 AND status IN ('REQUESTED', 'CONFIRMED')`, [listingId]);

describe('bookStay', () => {
  it('books a REQUESTED stay priced by the server, which its parties read back, and announces it', async () => {
    const home = await b.listing();
    const guest = person();
    const stay = await bookOk(guest, { listingId: home.id, checkIn: day(10), checkOut: day(13), guests: 2 });
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
      cancellationPolicy: 'MODERATE',
      refundAmount: null,
      cancelledAt: null,
      createdAt: expect.any(String),
      price: {
        nightlyRate: '120.50',
        nights: 3,
        nightlySubtotal: '361.50',
        discountPercent: 0,
        discount: '0.00',
        cleaningFee: '0.00',
        total: '361.50',
        currency: 'EUR',
      },
      listing: { id: home.id },
      guest: { id: guest.userId },
    });

    const { __typename: _t, ...asStored } = stay;
    for (const who of [guest, home.owner, admin()]) {
      expect((await b.call(who, STAY, { id: stay.id })).data.stay).toEqual(asStored);
    }
    expect((await b.call(guest, `{ myStays { id totalPrice } }`)).data.myStays).toEqual([{ id: stay.id, totalPrice: '361.50' }]);
    expect(await listingStays(home.id, home.owner)).toEqual([{ id: stay.id, status: 'REQUESTED', guest: { id: guest.userId } }]);
    const user = await b.call(guest, USER_STAYS, { r: [{ __typename: 'User', id: guest.userId }] });
    expect(user.data._entities[0].stays).toEqual([{ id: stay.id }]);

    expect(await b.outbox(stay.id)).toEqual([
      {
        type: 'bookings.stay.requested',
        payload: {
          stayId: stay.id,
          listingId: home.id,
          listingTitle: 'Sea view flat',
          hostId: home.owner.userId,
          guestId: guest.userId,
          checkIn: day(10),
          checkOut: day(13),
          nights: 3,
          guests: 2,
          totalPrice: '361.50',
          currency: 'EUR',
        },
      },
    ]);
  });

  it('adds the cleaning fee and takes the weekly or monthly discount off the nights, exactly', async () => {
    const home = await b.listing({ pricePerNight: '100.00', cleaningFee: '40.00', weeklyDiscountPercent: 10, monthlyDiscountPercent: 25 });
    const priced = async (from: number, nights: number) =>
      (await bookOk(person(), { listingId: home.id, checkIn: day(from), checkOut: day(from + nights), guests: 1 })).price;
    expect(await priced(5, 3)).toMatchObject({
      nightlySubtotal: '300.00',
      discountPercent: 0,
      discount: '0.00',
      cleaningFee: '40.00',
      total: '340.00',
    });
    expect(await priced(10, 7)).toMatchObject({ nightlySubtotal: '700.00', discountPercent: 10, discount: '70.00', total: '670.00' });
    expect(await priced(20, 28)).toMatchObject({ nightlySubtotal: '2800.00', discountPercent: 25, discount: '700.00', total: '2140.00' });

    // Odd cents round half up, and the frozen price survives a later price change.
    const odd = await b.listing({ pricePerNight: '33.33', weeklyDiscountPercent: 15 });
    const stay = await bookOk(person(), { listingId: odd.id, checkIn: day(5), checkOut: day(12), guests: 1 });
    expect(stay.price).toMatchObject({ nightlySubtotal: '233.31', discount: '35.00', total: '198.31' });
    await b.deliver(
      'listings.listing.upserted',
      { ...odd.payload, pricePerNight: '999.00' },
      { occurredAt: new Date(Date.now() + 1_000).toISOString() },
    );
    expect((await b.call(odd.owner, STAY, { id: stay.id })).data.stay.totalPrice).toBe('198.31');
  });

  it('confirms an instant-book stay at once and announces it as confirmed', async () => {
    const home = await b.listing({ instantBook: true, cancellationPolicy: 'STRICT' });
    const stay = await bookOk(person(), { listingId: home.id, checkIn: day(5), checkOut: day(7), guests: 1 });
    expect(stay).toMatchObject({ status: 'CONFIRMED', cancellationPolicy: 'STRICT' });
    expect((await b.outbox(stay.id)).map((e) => [e.type, e.payload['instantBook']])).toEqual([['bookings.stay.confirmed', true]]);
  });

  it('refuses bad input with BAD_USER_INPUT and books nothing', async () => {
    const home = await b.listing({ maxGuests: 2, minNights: 2, maxNights: 10 });
    const guest = person();
    const cases: [Record<string, unknown>, string][] = [
      [{ checkIn: day(5), checkOut: day(5), guests: 1 }, 'checkOut'],
      [{ checkIn: day(6), checkOut: day(5), guests: 1 }, 'checkOut'],
      [{ checkIn: day(5), checkOut: day(5 + 366), guests: 1 }, 'checkOut'],
      [{ checkIn: day(5), checkOut: day(6), guests: 1 }, 'checkOut'],
      [{ checkIn: day(5), checkOut: day(16), guests: 1 }, 'checkOut'],
      [{ checkIn: day(5), checkOut: day(7), guests: 0 }, 'guests'],
      [{ checkIn: day(5), checkOut: day(7), guests: 3 }, 'guests'],
      [{ checkIn: day(-1), checkOut: day(2), guests: 1 }, 'checkIn'],
    ];
    for (const [input, field] of cases) {
      const res = await book(guest, { listingId: home.id, ...input });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: { [field]: expect.any(Array) } });
      expect(res.data).toBeNull();
    }
    // A listing id that is not one names nothing: NOT_FOUND, as for an unknown listing (gateway/CLIENTS.md).
    const notAnId = await book(guest, { listingId: 'not-a-listing', checkIn: day(5), checkOut: day(7), guests: 1 });
    expect(notAnId.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });
    expect(notAnId.data).toBeNull();
    const malformedDate = await book(guest, { listingId: home.id, checkIn: '2030-02-30', checkOut: day(7), guests: 1 });
    expect(codeOf(malformedDate)).toBe('BAD_USER_INPUT');
    const badKey = await book(guest, { listingId: home.id, checkIn: day(5), checkOut: day(7), guests: 1 }, 'k'.repeat(201));
    expect(badKey.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: { idempotencyKey: expect.any(Array) } });
    expect(await listingStays(home.id, home.owner)).toEqual([]);
    // Within the listing's limits it books.
    await bookOk(guest, { listingId: home.id, checkIn: day(5), checkOut: day(15), guests: 2 });
  });

  it('answers ListingUnavailable for unknown, sale, inactive or deleted listings', async () => {
    const guest = person();
    const forSale = await b.forSale();
    const paused = await b.listing({ status: 'PAUSED' });
    const deleted = await b.listing();
    await b.deliver('listings.listing.deleted', { listingId: deleted.id, ownerId: deleted.owner.userId });
    for (const listingId of [randomUUID(), forSale.id, paused.id, deleted.id]) {
      const res = await book(guest, { listingId, checkIn: day(3), checkOut: day(4), guests: 1 });
      expect(res.data.bookStay).toEqual({ __typename: 'ListingUnavailable', listingId, message: 'Property not found or not available' });
    }
  });

  it('requires a signed-in guest who is not the owner', async () => {
    const home = await b.listing();
    const input = { listingId: home.id, checkIn: day(3), checkOut: day(4), guests: 1 };
    expect(codeOf(await b.call(null, BOOK, { input }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await book(home.owner, input))).toBe('FORBIDDEN');
  });
});

describe('status flow', () => {
  it('lets the host confirm a REQUESTED stay once; the guest cannot', async () => {
    const home = await b.listing();
    const guest = person();
    const stay = await bookOk(guest, { listingId: home.id, checkIn: day(8), checkOut: day(9), guests: 1 });
    expect(codeOf(await b.call(guest, CONFIRM, { id: stay.id }))).toBe('FORBIDDEN');
    expect((await b.call(home.owner, CONFIRM, { id: stay.id })).data.confirmStay).toEqual({ id: stay.id, status: 'CONFIRMED' });
    expect(codeOf(await b.call(home.owner, CONFIRM, { id: stay.id }))).toBe('CONFLICT');
    expect(codeOf(await b.call(home.owner, DECLINE, { id: stay.id }))).toBe('CONFLICT');
    expect((await b.outbox(stay.id)).map((e) => e.type)).toEqual(['bookings.stay.requested', 'bookings.stay.confirmed']);
  });

  it('lets the host decline a REQUESTED stay, which frees its nights', async () => {
    const home = await b.listing();
    const input = { listingId: home.id, checkIn: day(8), checkOut: day(10), guests: 1 };
    const stay = await bookOk(person(), input);
    expect((await b.call(home.owner, DECLINE, { id: stay.id })).data.declineStay).toEqual({ id: stay.id, status: 'DECLINED' });
    await bookOk(person(), input);
    expect((await b.outbox(stay.id)).map((e) => e.type)).toEqual(['bookings.stay.requested', 'bookings.stay.declined']);
  });

  it('frees the dates when a stay is cancelled, and cancels only once', async () => {
    const home = await b.listing();
    const guest = person();
    const input = { listingId: home.id, checkIn: day(40), checkOut: day(42), guests: 1 };
    const stay = await bookOk(guest, input);
    expect((await book(person(), input)).data.bookStay.__typename).toBe('DatesUnavailable');

    const cancelled = await b.call(guest, CANCEL, { id: stay.id });
    expect(cancelled.data.cancelStay).toMatchObject({
      id: stay.id,
      status: 'CANCELLED',
      refundAmount: '241.00',
      cancelledAt: expect.any(String),
    });
    await bookOk(person(), input);
    expect(codeOf(await b.call(guest, CANCEL, { id: stay.id }))).toBe('CONFLICT');
    expect((await b.call(guest, STAY, { id: stay.id })).data.stay.status).toBe('CANCELLED');
  });

  it('completes a CONFIRMED stay from its check-out day on, by the host only', async () => {
    const home = await b.listing();
    const future = await bookOk(person(), { listingId: home.id, checkIn: day(3), checkOut: day(4), guests: 1 });
    await b.call(home.owner, CONFIRM, { id: future.id });
    expect(codeOf(await b.call(home.owner, COMPLETE, { id: future.id }))).toBe('CONFLICT');

    // A stay that has ended (written directly: the API books no past nights).
    const guest = person();
    const past = randomUUID();
    await b.sql.query(
      `INSERT INTO stays (id, listing_id, guest_id, check_in, check_out, nights, guests, nightly_rate, nightly_subtotal, cleaning_fee,
         discount_percent, discount_amount, total_price, currency, cancellation_policy, status, updated_at)
       VALUES ($1, $2, $3, $4, $5, 2, 1, 10, 20, 0, 0, 0, 20, 'EUR', 'MODERATE', 'CONFIRMED', now())`,
      [past, home.id, guest.userId, day(-3), day(-1)],
    );
    expect(codeOf(await b.call(guest, COMPLETE, { id: past }))).toBe('FORBIDDEN');
    expect((await b.call(home.owner, COMPLETE, { id: past })).data.completeStay).toEqual({ id: past, status: 'COMPLETED' });
    // Engagement opens the guest's and host's reviews from this event.
    expect((await b.outbox(past)).map((e) => [e.type, e.payload['guestId']])).toEqual([['bookings.stay.completed', guest.userId]]);
    expect(codeOf(await b.call(home.owner, CANCEL, { id: past }))).toBe('CONFLICT');
  });
});

describe('cancellation policy and refunds', () => {
  async function confirmedStay(policy: 'FLEXIBLE' | 'MODERATE' | 'STRICT', inDays: number, timeZone = 'UTC') {
    const home = await b.listing({ cancellationPolicy: policy, pricePerNight: '100.00', cleaningFee: '21.00', timeZone });
    const guest = person();
    const stay = await bookOk(guest, { listingId: home.id, checkIn: day(inDays), checkOut: day(inDays + 2), guests: 1 });
    await b.call(home.owner, CONFIRM, { id: stay.id });
    return { home, guest, stay };
  }

  it.each([
    ['FLEXIBLE', 2, 100, '221.00'],
    ['FLEXIBLE', 0, 0, '0.00'],
    ['MODERATE', 6, 100, '221.00'],
    ['MODERATE', 4, 0, '0.00'],
    ['STRICT', 8, 50, '110.50'],
    ['STRICT', 6, 0, '0.00'],
  ] as const)('%s, %i days ahead: the guest gets %i%% back (%s)', async (policy, inDays, percent, amount) => {
    const { guest, stay } = await confirmedStay(policy, inDays);
    const quote = (await b.call(guest, QUOTE, { id: stay.id })).data.cancellationQuote;
    expect(quote).toMatchObject({ stay: { id: stay.id }, policy, refundPercent: percent, refundAmount: amount, currency: 'EUR' });
    expect(quote.explanation).toContain(policy);
    const cancelled = (await b.call(guest, CANCEL, { id: stay.id })).data.cancelStay;
    expect(cancelled).toMatchObject({ status: 'CANCELLED', refundAmount: amount });
    const event = (await b.outbox(stay.id)).find((e) => e.type === 'bookings.stay.cancelled');
    expect(event?.payload).toMatchObject({ refundAmount: amount, cancelledBy: guest.userId, totalPrice: '221.00' });
  });

  it("counts to the start of the check-in day in the listing's time zone", async () => {
    const { guest, stay } = await confirmedStay('FLEXIBLE', 3, 'Pacific/Auckland');
    const quote = (await b.call(guest, QUOTE, { id: stay.id })).data.cancellationQuote;
    const deadline = new Date(startOfDayIn(day(3), 'Pacific/Auckland').getTime() - 86_400_000);
    expect(quote.refundableUntil).toBe(deadline.toISOString());
  });

  it('refunds everything when the host cancels, or when the stay was never confirmed', async () => {
    const { home, guest, stay } = await confirmedStay('STRICT', 2);
    expect((await b.call(guest, QUOTE, { id: stay.id })).data.cancellationQuote.refundPercent).toBe(0);
    expect((await b.call(home.owner, QUOTE, { id: stay.id })).data.cancellationQuote).toMatchObject({
      refundPercent: 100,
      refundableUntil: null,
    });
    expect((await b.call(home.owner, CANCEL, { id: stay.id })).data.cancelStay.refundAmount).toBe('221.00');

    const strict = await b.listing({ cancellationPolicy: 'STRICT' });
    const requested = await bookOk(guest, { listingId: strict.id, checkIn: day(1), checkOut: day(2), guests: 1 });
    expect((await b.call(guest, CANCEL, { id: requested.id })).data.cancelStay.refundAmount).toBe('120.50');
  });

  it('quotes only live stays, and only for their parties', async () => {
    const { home, guest, stay } = await confirmedStay('MODERATE', 10);
    expect(codeOf(await b.call(person(), QUOTE, { id: stay.id }))).toBe('NOT_FOUND');
    expect(codeOf(await b.call(null, QUOTE, { id: stay.id }))).toBe('UNAUTHENTICATED');
    await b.call(home.owner, CANCEL, { id: stay.id });
    expect(codeOf(await b.call(guest, QUOTE, { id: stay.id }))).toBe('CONFLICT');
  });
});

describe('no double booking', () => {
  it('lets exactly one of 200 concurrent overlapping bookings through; all others get DatesUnavailable', async () => {
    const home = await b.listing({ maxGuests: 10 });
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        book(person(), { listingId: home.id, checkIn: day(20 + (i % 3)), checkOut: day(23 + (i % 2)), guests: 1 }),
      ),
    );
    for (const r of results) expect(r.errors).toBeUndefined();
    const kinds = results.map((r) => r.data.bookStay.__typename);
    expect(kinds.filter((k) => k === 'Stay')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'DatesUnavailable')).toHaveLength(199);
    const stays = await listingStays(home.id, home.owner);
    expect(stays).toHaveLength(1);
    expect(stays[0].id).toBe(results.find((r) => r.data.bookStay.__typename === 'Stay')?.data.bookStay.id);
    expect(await b.count('SELECT 1 FROM calendar_holds WHERE listing_id = $1', [home.id])).toBe(1);
  });

  it('leaves the decision to the database: concurrent inserts past the early check still yield one stay', async () => {
    const home = await b.listing();
    const db = createPrisma(b.env.DATABASE_URL, 20);
    try {
      const repository = new StayRepository(db);
      const outcomes = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          repository.book(
            {
              id: randomUUID(),
              listingId: home.id,
              guestId: randomUUID(),
              checkIn: day(50 + (i % 2)),
              checkOut: day(52),
              guests: 1,
              price: priceStay(
                { pricePerNight: '10.00', cleaningFee: null, currency: 'EUR', weeklyDiscountPercent: null, monthlyDiscountPercent: null },
                2 - (i % 2),
              ),
              cancellationPolicy: 'MODERATE',
              status: 'REQUESTED',
              respondBy: new Date(Date.now() + 3_600_000),
            },
            null,
            { instantBook: false },
          ),
        ),
      );
      expect(outcomes.filter((o) => o.kind === 'created')).toHaveLength(1);
      expect(outcomes.filter((o) => o.kind === 'overlap')).toHaveLength(29);
      expect(await liveStays(home.id)).toBe(1);
    } finally {
      await db.$disconnect();
    }
  });

  it('allows back-to-back stays (check-out day = next check-in day) and refuses a one-night overlap', async () => {
    const home = await b.listing();
    await bookOk(person(), { listingId: home.id, checkIn: day(30), checkOut: day(33), guests: 1 });
    await bookOk(person(), { listingId: home.id, checkIn: day(33), checkOut: day(35), guests: 1 });
    await bookOk(person(), { listingId: home.id, checkIn: day(28), checkOut: day(30), guests: 1 });
    const overlap = await book(person(), { listingId: home.id, checkIn: day(34), checkOut: day(36), guests: 1 });
    expect(overlap.data.bookStay).toEqual({
      __typename: 'DatesUnavailable',
      listingId: home.id,
      checkIn: day(34),
      checkOut: day(36),
      message: expect.any(String),
    });
    expect(await liveStays(home.id)).toBe(3);
  });
});

describe('idempotency', () => {
  it('answers a retry with the same key and input with the first stay, and books once', async () => {
    const home = await b.listing();
    const guest = person();
    const input = { listingId: home.id, checkIn: day(12), checkOut: day(14), guests: 1 };
    const first = await book(guest, input, 'book-1');
    const again = await book(guest, input, 'book-1');
    expect(again.data.bookStay).toEqual(first.data.bookStay);
    expect(await liveStays(home.id)).toBe(1);
  });

  it('books once when the same key races with itself', async () => {
    const home = await b.listing();
    const guest = person();
    const input = { listingId: home.id, checkIn: day(12), checkOut: day(14), guests: 1 };
    const results = await Promise.all(Array.from({ length: 10 }, () => book(guest, input, 'race')));
    const ids = new Set(results.map((r) => r.data.bookStay.id));
    expect(results.map((r) => r.data.bookStay.__typename)).toEqual(Array(10).fill('Stay'));
    expect(ids.size).toBe(1);
    expect(await liveStays(home.id)).toBe(1);
  });

  it('refuses the same key for a different request with CONFLICT, per caller', async () => {
    const home = await b.listing();
    const guest = person();
    await book(guest, { listingId: home.id, checkIn: day(12), checkOut: day(14), guests: 1 }, 'k');
    const other = await book(guest, { listingId: home.id, checkIn: day(20), checkOut: day(22), guests: 1 }, 'k');
    expect(codeOf(other)).toBe('CONFLICT');
    expect(await liveStays(home.id)).toBe(1);
    // Another caller's key of the same name is theirs alone.
    const stranger = await book(person(), { listingId: home.id, checkIn: day(20), checkOut: day(22), guests: 1 }, 'k');
    expect(stranger.data.bookStay.__typename).toBe('Stay');
  });

  it('spends no key on a booking that failed', async () => {
    const home = await b.listing();
    await bookOk(person(), { listingId: home.id, checkIn: day(12), checkOut: day(14), guests: 1 });
    const guest = person();
    const taken = await book(guest, { listingId: home.id, checkIn: day(13), checkOut: day(15), guests: 1 }, 'retry-me');
    expect(taken.data.bookStay.__typename).toBe('DatesUnavailable');
    const later = await book(guest, { listingId: home.id, checkIn: day(14), checkOut: day(15), guests: 1 }, 'retry-me');
    expect(later.data.bookStay.__typename).toBe('Stay');
  });

  it('answers retried confirm and cancel with the stay instead of CONFLICT, and only with the same request', async () => {
    const home = await b.listing();
    const guest = person();
    const stay = await bookOk(guest, { listingId: home.id, checkIn: day(12), checkOut: day(14), guests: 1 });
    expect((await b.call(home.owner, CONFIRM, { id: stay.id, key: 'c1' })).data.confirmStay.status).toBe('CONFIRMED');
    expect((await b.call(home.owner, CONFIRM, { id: stay.id, key: 'c1' })).data.confirmStay.status).toBe('CONFIRMED');
    expect(codeOf(await b.call(home.owner, DECLINE, { id: stay.id, key: 'c1' }))).toBe('CONFLICT');

    const first = (await b.call(guest, CANCEL, { id: stay.id, key: 'x1' })).data.cancelStay;
    expect((await b.call(guest, CANCEL, { id: stay.id, key: 'x1' })).data.cancelStay).toEqual(first);
    expect(codeOf(await b.call(guest, CANCEL, { id: stay.id }))).toBe('CONFLICT');
    expect((await b.outbox(stay.id)).filter((e) => e.type === 'bookings.stay.cancelled')).toHaveLength(1);
  });
});

describe('the end of a stay', () => {
  const AVAILABILITY = `query($l: ID!, $f: Date!, $t: Date!) { availability(listingId: $l, from: $f, to: $t) { date status } }`;
  /** A CONFIRMED stay with its calendar hold, written directly (the API books no past nights). */
  async function ongoingStay(listingId: string, guestId: string, from: number, to: number): Promise<string> {
    const id = randomUUID();
    await b.sql.query(
      `INSERT INTO stays (id, listing_id, guest_id, check_in, check_out, nights, guests, nightly_rate, nightly_subtotal, cleaning_fee,
         discount_percent, discount_amount, total_price, currency, cancellation_policy, status, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, 1, 10, $7, 0, 0, 0, $7, 'EUR', 'FLEXIBLE', 'CONFIRMED', now())`,
      [id, listingId, guestId, day(from), day(to), to - from, 10 * (to - from)],
    );
    await b.sql.query(
      `INSERT INTO calendar_holds (id, listing_id, kind, starts_on, ends_on, stay_id, created_by_id) VALUES ($1, $2, 'STAY', $3, $4, $5, $6)`,
      [randomUUID(), listingId, day(from), day(to), id, guestId],
    );
    return id;
  }

  it('refuses to cancel or quote a stay from its check-out day on, and keeps a completed stay’s nights booked', async () => {
    const home = await b.listing();
    const guest = person();
    const ended = await ongoingStay(home.id, guest.userId, -2, 0);
    for (const who of [guest, home.owner]) {
      expect(codeOf(await b.call(who, QUOTE, { id: ended }))).toBe('CONFLICT');
      expect(codeOf(await b.call(who, CANCEL, { id: ended }))).toBe('CONFLICT');
    }
    expect((await b.call(home.owner, COMPLETE, { id: ended })).data.completeStay.status).toBe('COMPLETED');
    const calendar = (await b.call(home.owner, AVAILABILITY, { l: home.id, f: day(-2), t: day(1) })).data.availability;
    expect(calendar.map((d: { status: string }) => d.status)).toEqual(['BOOKED', 'BOOKED', 'FREE']);
  });

  it('still lets a stay under way be cancelled before its check-out day, refunding the guest by the policy', async () => {
    const home = await b.listing();
    const guest = person();
    const underway = await ongoingStay(home.id, guest.userId, -1, 2);
    const quote = (await b.call(guest, QUOTE, { id: underway })).data.cancellationQuote;
    expect(quote).toMatchObject({ policy: 'FLEXIBLE', refundPercent: 0, refundAmount: '0.00' });
    const cancelled = (await b.call(guest, CANCEL, { id: underway })).data.cancelStay;
    expect(cancelled).toMatchObject({ status: 'CANCELLED', refundAmount: quote.refundAmount });
    // After cancelling, the stay itself shows what was refunded.
    expect((await b.call(guest, STAY, { id: underway })).data.stay).toMatchObject({ status: 'CANCELLED', refundAmount: '0.00' });
  });
});

describe('refundIfCancelledNow', () => {
  const MY_STAYS = `{ myStays { id status refundAmount refundIfCancelledNow { policy refundPercent refundAmount currency refundableUntil explanation } } }`;
  const STAY_QUOTE = `query($id: ID!) { stay(id: $id) { refundIfCancelledNow { refundPercent refundAmount } } }`;

  it('shows each party, on the stay itself, what cancelling now would refund; null once cancelled, when refundAmount says what went back', async () => {
    const home = await b.listing({ cancellationPolicy: 'STRICT', pricePerNight: '100.00' });
    const guest = person();
    const booked = await bookOk(guest, { listingId: home.id, checkIn: day(10), checkOut: day(12), guests: 1 });
    await b.call(home.owner, CONFIRM, { id: booked.id });

    const [mine] = (await b.call(guest, MY_STAYS)).data.myStays;
    const quote = (await b.call(guest, QUOTE, { id: booked.id })).data.cancellationQuote;
    expect(mine.refundIfCancelledNow).toEqual({
      policy: quote.policy,
      refundPercent: 50,
      refundAmount: '100.00',
      currency: 'EUR',
      refundableUntil: quote.refundableUntil,
      explanation: quote.explanation,
    });
    const hostSees = (await b.call(home.owner, STAY_QUOTE, { id: booked.id })).data.stay.refundIfCancelledNow;
    expect(hostSees).toMatchObject({ refundPercent: 100, refundAmount: '200.00' });

    await b.call(guest, CANCEL, { id: booked.id });
    expect((await b.call(guest, MY_STAYS)).data.myStays).toEqual([
      { id: booked.id, status: 'CANCELLED', refundAmount: '100.00', refundIfCancelledNow: null },
    ]);
  });
});
