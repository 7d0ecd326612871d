import { randomUUID } from 'node:crypto';
import type { Identity } from '@market/platform';
import { BOOK, codeOf, day, inHours, person, STAY, startBookings, type Bookings } from './testing/harness';

/**
 * Guests see their own stays, hosts and agents those of their listings, nobody else: every query
 * and mutation, called by someone with another user's ids, is refused and changes nothing.
 */
let b: Bookings;
beforeAll(async () => {
  b = await startBookings();
});
afterAll(async () => {
  await b?.close();
});

interface World {
  host: Identity;
  guest: Identity;
  agent: Identity;
  buyer: Identity;
  rentalId: string;
  houseId: string;
  stayId: string;
  viewingId: string;
}

async function world(): Promise<World> {
  const rental = await b.listing();
  const house = await b.forSale();
  const guest = person();
  const buyer = person();
  const stay = await b.call(guest, BOOK, { input: { listingId: rental.id, checkIn: day(20), checkOut: day(22), guests: 1 } });
  const viewing = await b.call(
    buyer,
    `mutation($input: RequestViewingInput!) { requestViewing(input: $input) { ... on ViewingAppointment { id } } }`,
    {
      input: { listingId: house.id, startsAt: inHours(30), endsAt: inHours(31) },
    },
  );
  return {
    host: rental.owner,
    guest,
    agent: house.owner,
    buyer,
    rentalId: rental.id,
    houseId: house.id,
    stayId: stay.data.bookStay.id,
    viewingId: viewing.data.requestViewing.id,
  };
}

const ops = (w: World) =>
  ({
    stay: [`query($id: ID!) { stay(id: $id) { id totalPrice } }`, { id: w.stayId }],
    viewing: [`query($id: ID!) { viewing(id: $id) { id note } }`, { id: w.viewingId }],
    cancellationQuote: [`query($id: ID!) { cancellationQuote(stayId: $id) { refundAmount } }`, { id: w.stayId }],
    stayEntity: [
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Stay { id totalPrice } } }`,
      { r: [{ __typename: 'Stay', id: w.stayId }] },
    ],
    viewingEntity: [
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on ViewingAppointment { id note } } }`,
      { r: [{ __typename: 'ViewingAppointment', id: w.viewingId }] },
    ],
    confirmStay: [`mutation($id: ID!) { confirmStay(id: $id) { id } }`, { id: w.stayId }],
    declineStay: [`mutation($id: ID!) { declineStay(id: $id) { id } }`, { id: w.stayId }],
    cancelStay: [`mutation($id: ID!) { cancelStay(id: $id, idempotencyKey: "k") { id } }`, { id: w.stayId }],
    completeStay: [`mutation($id: ID!) { completeStay(id: $id) { id } }`, { id: w.stayId }],
    confirmViewing: [`mutation($id: ID!) { confirmViewing(id: $id) { __typename } }`, { id: w.viewingId }],
    rescheduleViewing: [
      `mutation($id: ID!, $s: DateTime!, $e: DateTime!) { rescheduleViewing(id: $id, startsAt: $s, endsAt: $e) { __typename } }`,
      { id: w.viewingId, s: inHours(40), e: inHours(41) },
    ],
    cancelViewing: [`mutation($id: ID!) { cancelViewing(id: $id) { id } }`, { id: w.viewingId }],
    blockDates: [
      `mutation($l: ID!, $f: Date!, $t: Date!) { blockDates(listingId: $l, from: $f, to: $t) { __typename } }`,
      { l: w.rentalId, f: day(30), t: day(31) },
    ],
    unblockDates: [
      `mutation($l: ID!, $f: Date!, $t: Date!) { unblockDates(listingId: $l, from: $f, to: $t) { status } }`,
      { l: w.rentalId, f: day(20), t: day(21) },
    ],
    publishViewingSlots: [
      `mutation($l: ID!, $s: [ViewingSlotInput!]!) { publishViewingSlots(listingId: $l, slots: $s) { id } }`,
      { l: w.houseId, s: [{ startsAt: inHours(50), endsAt: inHours(51) }] },
    ],
  }) satisfies Record<string, [string, Record<string, unknown>]>;

/** What a stranger gets: a stay or viewing they are no party to does not exist for them; a listing they do not own is not theirs to edit. */
/** The error code each operation answers a stranger with; undefined: no error, the root field is null (a hidden id reads as an unknown one). */
const EXPECTED_FOR_STRANGER: Record<keyof ReturnType<typeof ops>, string | undefined> = {
  stay: undefined,
  viewing: undefined,
  cancellationQuote: 'NOT_FOUND',
  stayEntity: 'NOT_FOUND',
  viewingEntity: 'NOT_FOUND',
  confirmStay: 'NOT_FOUND',
  declineStay: 'NOT_FOUND',
  cancelStay: 'NOT_FOUND',
  completeStay: 'NOT_FOUND',
  confirmViewing: 'NOT_FOUND',
  rescheduleViewing: 'NOT_FOUND',
  cancelViewing: 'NOT_FOUND',
  blockDates: 'FORBIDDEN',
  unblockDates: 'FORBIDDEN',
  publishViewingSlots: 'FORBIDDEN',
};

async function snapshot(w: World) {
  const { rows } = await b.sql.query(
    `SELECT (SELECT status FROM stays WHERE id = $1) AS stay, (SELECT status || starts_at::text FROM viewing_appointments WHERE id = $2) AS viewing,
            (SELECT count(*)::int FROM calendar_holds WHERE listing_id = $3) AS holds, (SELECT count(*)::int FROM viewing_slots WHERE listing_id = $4) AS slots,
            (SELECT count(*)::int FROM outbox_events WHERE aggregate_id IN ($5, $6)) AS events`,
    [w.stayId, w.viewingId, w.rentalId, w.houseId, w.stayId, w.viewingId],
  );
  return rows[0];
}

describe('another user’s ids', () => {
  it.each([
    ['a buyer', () => person('BUYER')],
    ['another host', () => person('HOST')],
    ['another agent', () => person('AGENT')],
  ])('%s is refused on every query and mutation, and nothing changes or leaks', async (_who, make) => {
    const w = await world();
    const stranger = make();
    const before = await snapshot(w);
    for (const [name, [query, variables]] of Object.entries(ops(w))) {
      const res = await b.call(stranger, query, variables);
      expect([name, codeOf(res)]).toEqual([name, EXPECTED_FOR_STRANGER[name as keyof typeof EXPECTED_FOR_STRANGER]]);
      expect(JSON.stringify(res.data ?? null)).not.toMatch(/totalPrice|note|refundAmount|"id":"[0-9a-f-]{36}"/);
    }
    expect(await snapshot(w)).toEqual(before);
  });

  it('reads someone else’s stay exactly like one that does not exist', async () => {
    const w = await world();
    const stranger = person();
    const missing = randomUUID();
    const theirs = await b.call(stranger, STAY, { id: w.stayId });
    const none = await b.call(stranger, STAY, { id: missing });
    expect(theirs).toMatchObject({ data: { stay: null } });
    expect(theirs.errors).toBeUndefined();
    expect(none).toEqual(theirs);
  });

  it('keeps lists to their owners: FORBIDDEN on other users’ and listings’ lists, empty own lists', async () => {
    const w = await world();
    const stranger = person('HOST');
    const listingSide = await b.call(
      stranger,
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Listing { id stays { id } viewings { id } } } }`,
      {
        r: [
          { __typename: 'Listing', id: w.rentalId },
          { __typename: 'Listing', id: w.houseId },
        ],
      },
    );
    expect(listingSide.errors?.map((e) => e.extensions?.['code'])).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN']);
    expect(listingSide.data._entities).toEqual([
      { id: w.rentalId, stays: null, viewings: null },
      { id: w.houseId, stays: null, viewings: null },
    ]);
    const userSide = await b.call(
      stranger,
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id stays { id } viewings { id } } } }`,
      {
        r: [
          { __typename: 'User', id: w.guest.userId },
          { __typename: 'User', id: w.buyer.userId },
        ],
      },
    );
    expect(userSide.errors?.map((e) => e.extensions?.['code'])).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN']);
    expect((await b.call(stranger, `{ myStays { id } myViewings { id } }`)).data).toEqual({ myStays: [], myViewings: [] });
    expect(codeOf(await b.call(null, `{ myStays { id } }`))).toBe('UNAUTHENTICATED');
    expect(codeOf(await b.call(null, `{ myViewings { id } }`))).toBe('UNAUTHENTICATED');

    // The parties see theirs.
    expect((await b.call(w.host, `{ myStays { id } }`)).data.myStays).toEqual([]);
    expect((await b.call(w.guest, `{ myStays { id } }`)).data.myStays).toEqual([{ id: w.stayId }]);
    expect((await b.call(w.agent, `{ myViewings { id } }`)).data.myViewings).toEqual([{ id: w.viewingId }]);
  });

  it('lets parties act only in their role: a guest cannot confirm, a buyer cannot confirm a viewing', async () => {
    const w = await world();
    expect(codeOf(await b.call(w.guest, `mutation($id: ID!) { confirmStay(id: $id) { id } }`, { id: w.stayId }))).toBe('FORBIDDEN');
    expect(codeOf(await b.call(w.guest, `mutation($id: ID!) { declineStay(id: $id) { id } }`, { id: w.stayId }))).toBe('FORBIDDEN');
    expect(codeOf(await b.call(w.buyer, `mutation($id: ID!) { confirmViewing(id: $id) { __typename } }`, { id: w.viewingId }))).toBe(
      'FORBIDDEN',
    );
    expect(
      codeOf(
        await b.call(w.guest, `mutation($l: ID!, $f: Date!, $t: Date!) { blockDates(listingId: $l, from: $f, to: $t) { __typename } }`, {
          l: w.rentalId,
          f: day(30),
          t: day(31),
        }),
      ),
    ).toBe('FORBIDDEN');
  });
});
