import { randomUUID } from 'node:crypto';
import type { Identity } from '@market/platform';
import { createPrisma } from './db';
import { StayRepository } from './repositories/stay-repository';
import { requestHash } from './rules/idempotency';
import { priceStay } from './rules/pricing';
import { BOOK, codeOf, day, inHours, person, startBookings, type Bookings } from './testing/harness';

/**
 * What a deleted account (`accounts.user.deleted`) or a deleted listing (`listings.listing.deleted`)
 * takes with it in bookings: everything ahead is cancelled with the usual events, so the other
 * party is told; what is under way or over is kept, naming the deleted user by id only. Each event
 * is applied once, however often it arrives.
 */
const CONFIRM = `mutation($id: ID!) { confirmStay(id: $id) { id status } }`;
const BLOCK = `mutation($l: ID!, $f: Date!, $t: Date!, $r: String) { blockDates(listingId: $l, from: $f, to: $t, reason: $r) { __typename } }`;
const PUBLISH = `mutation($l: ID!, $s: [ViewingSlotInput!]!) { publishViewingSlots(listingId: $l, slots: $s) { id } }`;
const REQUEST = `mutation($input: RequestViewingInput!) { requestViewing(input: $input) { __typename ... on ViewingAppointment { id } } }`;
const CONFIRM_VIEWING = `mutation($id: ID!) { confirmViewing(id: $id) { __typename } }`;
const LISTING_STAYS = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Listing { stays { id status guest { id } } } } }`;

let b: Bookings;
beforeAll(async () => {
  b = await startBookings();
});
afterAll(async () => {
  await b?.close();
});

type Listing = Awaited<ReturnType<Bookings['listing']>>;

async function book(guest: Identity, listing: Listing, from: number, to: number, key?: string): Promise<string> {
  const res = await b.call(guest, BOOK, {
    input: { listingId: listing.id, checkIn: day(from), checkOut: day(to), guests: 1 },
    ...(key ? { key } : {}),
  });
  expect(res.data?.bookStay?.__typename).toBe('Stay');
  return res.data.bookStay.id;
}
async function confirmed(guest: Identity, listing: Listing, from: number, to: number): Promise<string> {
  const id = await book(guest, listing, from, to);
  expect((await b.call(listing.owner, CONFIRM, { id })).data.confirmStay.status).toBe('CONFIRMED');
  return id;
}
/** A stay under way or over, written directly (the API books no past nights). */
async function pastStay(listingId: string, guestId: string, from: number, to: number, status: 'CONFIRMED' | 'COMPLETED'): Promise<string> {
  const id = randomUUID();
  await b.sql.query(
    `INSERT INTO stays (id, listing_id, guest_id, check_in, check_out, nights, guests, nightly_rate, nightly_subtotal, cleaning_fee,
       discount_percent, discount_amount, total_price, currency, cancellation_policy, status, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, 1, 10, $7, 0, 0, 0, $7, 'EUR', 'MODERATE', $8, now())`,
    [id, listingId, guestId, day(from), day(to), to - from, 10 * (to - from), status],
  );
  return id;
}
async function viewing(buyer: Identity, listingId: string, input: Record<string, unknown>): Promise<string> {
  const res = await b.call(buyer, REQUEST, { input: { listingId, ...input } });
  expect(res.data?.requestViewing?.__typename).toBe('ViewingAppointment');
  return res.data.requestViewing.id;
}
/** A viewing that has happened, written directly. */
async function pastViewing(listingId: string, buyerId: string, agentId: string, note: string): Promise<string> {
  const id = randomUUID();
  await b.sql.query(
    `INSERT INTO viewing_appointments (id, listing_id, buyer_id, agent_id, starts_at, ends_at, status, note, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'CONFIRMED', $7, now())`,
    [id, listingId, buyerId, agentId, inHours(-50), inHours(-49), note],
  );
  return id;
}

const stayRow = async (id: string) =>
  (
    await b.sql.query<{ status: string; refund: string | null; cancelled_by: string | null; guest_id: string }>(
      `SELECT status, refund_amount::text AS refund, cancelled_by_id::text AS cancelled_by, guest_id::text AS guest_id FROM stays WHERE id = $1`,
      [id],
    )
  ).rows[0];
const viewingRow = async (id: string) =>
  (await b.sql.query<{ status: string; note: string | null }>(`SELECT status, note FROM viewing_appointments WHERE id = $1`, [id])).rows[0];
const eventsOf = async (id: string) => (await b.outbox(id)).map((e) => e.type);
const cancelledEvent = async (id: string) => (await b.outbox(id)).filter((e) => e.type.endsWith('.cancelled')).map((e) => e.payload);

/** Everything a second application of the event could change. */
async function footprint(ids: string[], listingIds: string[]) {
  const { rows } = await b.sql.query(
    `SELECT
       (SELECT count(*)::int FROM outbox_events WHERE aggregate_id = ANY($1::text[])) AS events,
       (SELECT string_agg(status::text || coalesce(refund_amount::text, '') || coalesce(cancelled_at::text, ''), ',' ORDER BY id) FROM stays WHERE id::text = ANY($1::text[])) AS stays,
       (SELECT string_agg(status::text || coalesce(note, ''), ',' ORDER BY id) FROM viewing_appointments WHERE id::text = ANY($1::text[])) AS viewings,
       (SELECT count(*)::int FROM viewing_slots WHERE listing_id = ANY($2::uuid[])) AS slots,
       (SELECT count(*)::int FROM scheduled_events WHERE subject_id::text = ANY($1::text[])) AS reminders,
       (SELECT string_agg(coalesce(deleted_at::text, '-'), ',' ORDER BY listing_id) FROM listing_snapshots WHERE listing_id = ANY($2::uuid[])) AS snapshots`,
    [ids, listingIds],
  );
  return rows[0];
}

describe('accounts.user.deleted', () => {
  it('cancels what the user had ahead as guest, host, buyer and agent; keeps the rest with nothing but their id; applies once', async () => {
    const leaving = person('HOST');

    // As a guest: ahead at three listings, one under way, one over.
    const moderate = await b.listing({ cancellationPolicy: 'MODERATE', pricePerNight: '100.00' });
    const strict = await b.listing({ cancellationPolicy: 'STRICT', pricePerNight: '100.00' });
    const plain = await b.listing({ pricePerNight: '100.00' });
    const earlyConfirmed = await confirmed(leaving, moderate, 10, 12);
    const lateConfirmed = await confirmed(leaving, strict, 2, 4);
    const requested = await book(leaving, plain, 3, 4, 'their-key');
    const ongoing = await pastStay(moderate.id, leaving.userId, -1, 1, 'CONFIRMED');
    const over = await pastStay(moderate.id, leaving.userId, -5, -3, 'COMPLETED');

    // As a host: stays ahead at their listing (its strict policy does not apply to a host's cancellation), a block with a reason.
    const own = await b.listing({ ownerId: leaving.userId, cancellationPolicy: 'STRICT', pricePerNight: '50.00' });
    const someGuest = person();
    const hostedConfirmed = await confirmed(someGuest, own, 3, 5);
    const hostedRequested = await book(person(), own, 6, 7);
    const hostedOver = await pastStay(own.id, someGuest.userId, -4, -2, 'COMPLETED');
    expect((await b.call(own.owner, BLOCK, { l: own.id, f: day(20), t: day(22), r: 'My family visits' })).data.blockDates.__typename).toBe(
      'CalendarBlock',
    );

    // As a buyer: a pending and a confirmed viewing ahead, one that has happened (with a note).
    const house = await b.forSale();
    const pending = await viewing(leaving, house.id, { startsAt: inHours(30), endsAt: inHours(31), note: 'Call me on 555-0100' });
    const confirmedViewing = await viewing(leaving, house.id, { startsAt: inHours(40), endsAt: inHours(41) });
    expect((await b.call(house.owner, CONFIRM_VIEWING, { id: confirmedViewing })).data.confirmViewing.__typename).toBe(
      'ViewingAppointment',
    );
    const seen = await pastViewing(house.id, leaving.userId, house.owner.userId, 'I live at 1 Main Street');

    // As an agent: published slots, one requested by a buyer.
    const agency = await b.forSale({ ownerId: leaving.userId });
    const slots = (
      await b.call(agency.owner, PUBLISH, {
        l: agency.id,
        s: [
          { startsAt: inHours(50), endsAt: inHours(51) },
          { startsAt: inHours(52), endsAt: inHours(53) },
        ],
      })
    ).data.publishViewingSlots;
    const someBuyer = person();
    const agentsViewing = await viewing(someBuyer, agency.id, { slotId: slots[0].id, note: 'Looking forward' });

    const event = await b.deliver('accounts.user.deleted', { userId: leaving.userId });

    // Stays ahead: cancelled by the leaving user, refunded as their own cancellation (guest) or a host's (full).
    const expectCancelled = async (id: string, refund: string) => {
      expect(await stayRow(id)).toMatchObject({ status: 'CANCELLED', refund, cancelled_by: leaving.userId });
      expect(await cancelledEvent(id)).toEqual([expect.objectContaining({ cancelledBy: leaving.userId, refundAmount: refund })]);
    };
    await expectCancelled(earlyConfirmed, '200.00');
    await expectCancelled(lateConfirmed, '0.00');
    await expectCancelled(requested, '100.00');
    await expectCancelled(hostedConfirmed, '100.00');
    await expectCancelled(hostedRequested, '50.00');
    expect(
      await b.count('SELECT 1 FROM calendar_holds WHERE stay_id = ANY($1::uuid[])', [
        [earlyConfirmed, lateConfirmed, requested, hostedConfirmed, hostedRequested],
      ]),
    ).toBe(0);

    // Under way or over: kept as they were, for the other party's records, naming the user by id.
    expect(await stayRow(ongoing)).toMatchObject({ status: 'CONFIRMED', refund: null, guest_id: leaving.userId });
    expect(await stayRow(over)).toMatchObject({ status: 'COMPLETED', guest_id: leaving.userId });
    expect(await stayRow(hostedOver)).toMatchObject({ status: 'COMPLETED', guest_id: someGuest.userId });
    const hostView = (await b.call(moderate.owner, LISTING_STAYS, { r: [{ __typename: 'Listing', id: moderate.id }] })).data._entities[0]
      .stays;
    expect(hostView).toEqual(
      expect.arrayContaining([
        { id: ongoing, status: 'CONFIRMED', guest: { id: leaving.userId } },
        { id: over, status: 'COMPLETED', guest: { id: leaving.userId } },
      ]),
    );

    // Viewings ahead cancelled (reminders dropped); the one that happened keeps its times but loses the note.
    for (const id of [pending, confirmedViewing, agentsViewing]) {
      expect((await viewingRow(id))?.status).toBe('CANCELLED');
      expect(await cancelledEvent(id)).toEqual([expect.objectContaining({ cancelledBy: leaving.userId })]);
    }
    expect(await viewingRow(pending)).toEqual({ status: 'CANCELLED', note: null });
    // What another buyer wrote to the leaving agent is theirs, and kept.
    expect((await viewingRow(agentsViewing))?.note).toBe('Looking forward');
    expect(await viewingRow(seen)).toEqual({ status: 'CONFIRMED', note: null });
    expect(await b.count('SELECT 1 FROM scheduled_events WHERE subject_id = $1', [confirmedViewing])).toBe(0);
    expect(await b.count('SELECT 1 FROM viewing_slots WHERE agent_id = $1', [leaving.userId])).toBe(0);

    // Their block's reason is erased, their keys forgotten, their listings off the market here.
    expect((await b.sql.query(`SELECT reason FROM calendar_holds WHERE listing_id = $1 AND kind = 'BLOCK'`, [own.id])).rows).toEqual([
      { reason: null },
    ]);
    expect(await b.count('SELECT 1 FROM idempotency_keys WHERE caller_id = $1', [leaving.userId])).toBe(0);
    const rebook = await b.call(person(), BOOK, { input: { listingId: own.id, checkIn: day(3), checkOut: day(5), guests: 1 } });
    expect(rebook.data.bookStay.__typename).toBe('ListingUnavailable');
    expect(codeOf(await b.call(person(), REQUEST, { input: { listingId: agency.id, startsAt: inHours(60), endsAt: inHours(61) } }))).toBe(
      'NOT_FOUND',
    );
    // Other parties' listings are untouched: the freed nights can be booked again.
    expect(await book(person(), moderate, 10, 12)).toEqual(expect.any(String));

    // Delivered again (at-least-once), or a second deletion event for the same user: nothing changes.
    const ids = [
      earlyConfirmed,
      lateConfirmed,
      requested,
      ongoing,
      over,
      hostedConfirmed,
      hostedRequested,
      pending,
      confirmedViewing,
      seen,
      agentsViewing,
    ];
    const listingIds = [own.id, agency.id, moderate.id];
    const before = await footprint(ids, listingIds);
    await b.redeliver(event);
    await b.redeliver(event);
    expect(await footprint(ids, listingIds)).toEqual(before);
    expect(await b.count(`SELECT 1 FROM inbox_events WHERE consumer = 'bookings.account-cleanup' AND event_id = $1`, [event.id])).toBe(1);
    await b.deliver('accounts.user.deleted', { userId: leaving.userId });
    expect(await footprint(ids, listingIds)).toEqual(before);
    expect(await b.bus.deadLetters()).toEqual([]);
  });

  it('decides the refund as of the deletion, not of when the event is handled', async () => {
    const leaving = person();
    const flexible = await b.listing({ cancellationPolicy: 'FLEXIBLE', pricePerNight: '80.00' });
    // Check-in in two days: refundable until 24 hours before that day starts, which has not come at the deletion below.
    const stay = await confirmed(leaving, flexible, 2, 3);
    await b.deliver('accounts.user.deleted', { userId: leaving.userId }, { occurredAt: new Date().toISOString() });
    expect(await stayRow(stay)).toMatchObject({ status: 'CANCELLED', refund: '80.00' });

    const late = person();
    const other = await b.listing({ cancellationPolicy: 'FLEXIBLE', pricePerNight: '80.00' });
    const lateStay = await confirmed(late, other, 2, 3);
    // The same deletion, had it happened after the refund deadline (a day and a half later), refunds nothing.
    await b.deliver('accounts.user.deleted', { userId: late.userId }, { occurredAt: new Date(Date.now() + 36 * 3_600_000).toISOString() });
    expect(await stayRow(lateStay)).toMatchObject({ status: 'CANCELLED', refund: '0.00' });
  });
});

describe('listings.listing.deleted', () => {
  it('cancels its stays and viewings ahead with a full refund, removes its slots, keeps what is under way; applies once', async () => {
    const rental = await b.listing({ cancellationPolicy: 'STRICT', pricePerNight: '100.00', cleaningFee: '20.00' });
    const guest = person();
    const ahead = await confirmed(guest, rental, 2, 4);
    const asked = await book(person(), rental, 5, 6);
    const ongoing = await pastStay(rental.id, person().userId, -2, 1, 'CONFIRMED');

    const house = await b.forSale();
    const slots = (await b.call(house.owner, PUBLISH, { l: house.id, s: [{ startsAt: inHours(50), endsAt: inHours(51) }] })).data
      .publishViewingSlots;
    const buyer = person();
    const inSlot = await viewing(buyer, house.id, { slotId: slots[0].id });
    const confirmedViewing = await viewing(person(), house.id, { startsAt: inHours(60), endsAt: inHours(61) });
    await b.call(house.owner, CONFIRM_VIEWING, { id: confirmedViewing });
    const seen = await pastViewing(house.id, buyer.userId, house.owner.userId, 'Nice garden');

    const deletions = [
      await b.deliver('listings.listing.deleted', { listingId: rental.id, ownerId: rental.owner.userId }),
      await b.deliver('listings.listing.deleted', { listingId: house.id, ownerId: house.owner.userId }),
    ];

    // STRICT would refund a guest nothing two days ahead; a deleted listing refunds everything.
    expect(await stayRow(ahead)).toMatchObject({ status: 'CANCELLED', refund: '220.00', cancelled_by: rental.owner.userId });
    expect(await stayRow(asked)).toMatchObject({ status: 'CANCELLED', refund: '120.00', cancelled_by: rental.owner.userId });
    expect(await cancelledEvent(ahead)).toEqual([
      expect.objectContaining({ guestId: guest.userId, refundAmount: '220.00', cancelledBy: rental.owner.userId }),
    ]);
    expect(await stayRow(ongoing)).toMatchObject({ status: 'CONFIRMED', refund: null });
    for (const id of [inSlot, confirmedViewing]) {
      expect((await viewingRow(id))?.status).toBe('CANCELLED');
      expect(await eventsOf(id)).toContain('bookings.viewing.cancelled');
    }
    expect(await viewingRow(seen)).toEqual({ status: 'CONFIRMED', note: 'Nice garden' });
    expect(await b.count('SELECT 1 FROM scheduled_events WHERE subject_id = $1', [confirmedViewing])).toBe(0);
    expect(await b.count('SELECT 1 FROM viewing_slots WHERE listing_id = $1', [house.id])).toBe(0);

    const ids = [ahead, asked, ongoing, inSlot, confirmedViewing, seen];
    const before = await footprint(ids, [rental.id, house.id]);
    for (const event of deletions) await b.redeliver(event);
    expect(await footprint(ids, [rental.id, house.id])).toEqual(before);
    expect(await b.bus.deadLetters()).toEqual([]);
  });

  it('refuses a booking whose listing was deleted while it was on its way, spending no key', async () => {
    const rental = await b.listing();
    await b.deliver('listings.listing.deleted', { listingId: rental.id, ownerId: rental.owner.userId });
    const db = createPrisma(b.env.DATABASE_URL, 2);
    try {
      const guestId = randomUUID();
      // What StayService hands over after it read the listing as bookable just before the deletion.
      const outcome = await new StayRepository(db).book(
        {
          id: randomUUID(),
          listingId: rental.id,
          guestId,
          checkIn: day(5),
          checkOut: day(6),
          guests: 1,
          price: priceStay(
            { pricePerNight: '10.00', cleaningFee: null, currency: 'EUR', weeklyDiscountPercent: null, monthlyDiscountPercent: null },
            1,
          ),
          cancellationPolicy: 'MODERATE',
          status: 'REQUESTED',
          respondBy: new Date(Date.now() + 3_600_000),
        },
        { callerId: guestId, key: 'late', requestHash: requestHash('bookStay', {}), expiredBefore: new Date(Date.now() - 3_600_000) },
        { instantBook: false },
      );
      expect(outcome).toEqual({ kind: 'listingGone' });
      expect(await b.count('SELECT 1 FROM stays WHERE listing_id = $1', [rental.id])).toBe(0);
      expect(await b.count('SELECT 1 FROM idempotency_keys WHERE caller_id = $1', [guestId])).toBe(0);
    } finally {
      await db.$disconnect();
    }
  });
});
