import { randomUUID } from 'node:crypto';
import type { Identity } from '@market/platform';
import { addDays } from './rules/days';
import { admin, BOOK, codeOf, day, person, startBookings, type Bookings } from './testing/harness';

const AVAILABILITY = `query($listingId: ID!, $from: Date!, $to: Date!) { availability(listingId: $listingId, from: $from, to: $to) { date status } }`;
const BLOCK = `mutation($listingId: ID!, $from: Date!, $to: Date!, $reason: String) {
  blockDates(listingId: $listingId, from: $from, to: $to, reason: $reason) {
    __typename
    ... on CalendarBlock { id from to reason createdAt listing { id } }
    ... on DatesUnavailable { listingId checkIn checkOut message } } }`;
const UNBLOCK = `mutation($listingId: ID!, $from: Date!, $to: Date!) { unblockDates(listingId: $listingId, from: $from, to: $to) { date status } }`;
const AVAILABLE = `query($from: Date!, $to: Date!, $guests: Int!, $first: Int, $ids: [ID!]) {
  availableListings(from: $from, to: $to, guests: $guests, first: $first, listingIds: $ids) { id } }`;

let b: Bookings;
beforeAll(async () => {
  b = await startBookings();
});
afterAll(async () => {
  await b?.close();
});

const book = (guest: Identity, listingId: string, from: number, to: number) =>
  b.call(guest, BOOK, { input: { listingId, checkIn: day(from), checkOut: day(to), guests: 1 } });
const statuses = async (who: Identity | null, listingId: string, from: number, to: number) => {
  const res = await b.call(who, AVAILABILITY, { listingId, from: day(from), to: day(to) });
  expect(res.errors).toBeUndefined();
  // One character a night: . FREE, B BOOKED, X BLOCKED.
  return res.data.availability.map((d: { status: string }) => ({ FREE: '.', BOOKED: 'B', BLOCKED: 'X' })[d.status]).join('');
};

describe('availability', () => {
  it('shows each night FREE, BOOKED or BLOCKED, to anyone', async () => {
    const home = await b.listing();
    expect((await book(person(), home.id, 2, 4)).data.bookStay.__typename).toBe('Stay');
    expect(
      (await b.call(home.owner, BLOCK, { listingId: home.id, from: day(5), to: day(7), reason: 'Painting' })).data.blockDates.__typename,
    ).toBe('CalendarBlock');
    const res = await b.call(null, AVAILABILITY, { listingId: home.id, from: day(1), to: day(8) });
    expect(res.data.availability).toEqual([
      { date: day(1), status: 'FREE' },
      { date: day(2), status: 'BOOKED' },
      { date: day(3), status: 'BOOKED' },
      { date: day(4), status: 'FREE' },
      { date: day(5), status: 'BLOCKED' },
      { date: day(6), status: 'BLOCKED' },
      { date: day(7), status: 'FREE' },
    ]);
  });

  it('covers at most 366 nights, forwards only, and only rentals others may see', async () => {
    const home = await b.listing();
    const full = await b.call(null, AVAILABILITY, { listingId: home.id, from: day(0), to: addDays(day(0), 366) });
    expect(full.data.availability).toHaveLength(366);
    for (const [from, to] of [
      [day(0), addDays(day(0), 367)],
      [day(5), day(5)],
      [day(5), day(4)],
    ]) {
      const res = await b.call(null, AVAILABILITY, { listingId: home.id, from, to });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: { to: expect.any(Array) } });
    }
    const draft = await b.listing({ status: 'DRAFT' });
    const house = await b.forSale();
    for (const listingId of [randomUUID(), draft.id, house.id]) {
      expect(codeOf(await b.call(person(), AVAILABILITY, { listingId, from: day(1), to: day(3) }))).toBe('NOT_FOUND');
    }
    expect(await statuses(draft.owner, draft.id, 1, 3)).toBe('..');
    expect(await statuses(admin(), draft.id, 1, 3)).toBe('..');
  });
});

describe('blockDates and unblockDates', () => {
  it('blocks nights so no stay can be booked over them, and unblocking frees them', async () => {
    const home = await b.listing();
    const block = await b.call(home.owner, BLOCK, { listingId: home.id, from: day(10), to: day(13), reason: '  Family visit ' });
    expect(block.data.blockDates).toEqual({
      __typename: 'CalendarBlock',
      id: expect.any(String),
      from: day(10),
      to: day(13),
      reason: 'Family visit',
      createdAt: expect.any(String),
      listing: { id: home.id },
    });
    expect((await book(person(), home.id, 12, 14)).data.bookStay.__typename).toBe('DatesUnavailable');
    // Back to back with a block is fine.
    expect((await book(person(), home.id, 13, 14)).data.bookStay.__typename).toBe('Stay');
    expect((await book(person(), home.id, 8, 10)).data.bookStay.__typename).toBe('Stay');

    const after = await b.call(home.owner, UNBLOCK, { listingId: home.id, from: day(11), to: day(12) });
    expect(after.data.unblockDates).toEqual([{ date: day(11), status: 'FREE' }]);
    expect(await statuses(home.owner, home.id, 9, 15)).toBe('BX.XB.');
    expect((await book(person(), home.id, 11, 12)).data.bookStay.__typename).toBe('Stay');
    expect(await statuses(home.owner, home.id, 9, 15)).toBe('BXBXB.');
  });

  it('merges overlapping blocks into one, and splits a block when its middle is freed', async () => {
    const home = await b.listing();
    await b.call(home.owner, BLOCK, { listingId: home.id, from: day(10), to: day(12) });
    await b.call(home.owner, BLOCK, { listingId: home.id, from: day(14), to: day(16) });
    const merged = await b.call(home.owner, BLOCK, { listingId: home.id, from: day(11), to: day(15), reason: 'Works' });
    expect(merged.data.blockDates).toMatchObject({ from: day(10), to: day(16), reason: 'Works' });
    expect(await b.count(`SELECT 1 FROM calendar_holds WHERE listing_id = $1`, [home.id])).toBe(1);

    await b.call(home.owner, UNBLOCK, { listingId: home.id, from: day(12), to: day(14) });
    expect(await statuses(home.owner, home.id, 9, 17)).toBe('.XX..XX.');
    expect(await b.count(`SELECT 1 FROM calendar_holds WHERE listing_id = $1 AND reason = 'Works'`, [home.id])).toBe(2);
  });

  it('refuses to block nights a stay holds (DatesUnavailable), and never touches stays when unblocking', async () => {
    const home = await b.listing();
    expect((await book(person(), home.id, 5, 7)).data.bookStay.__typename).toBe('Stay');
    const res = await b.call(home.owner, BLOCK, { listingId: home.id, from: day(6), to: day(9) });
    expect(res.data.blockDates).toEqual({
      __typename: 'DatesUnavailable',
      listingId: home.id,
      checkIn: day(6),
      checkOut: day(9),
      message: expect.any(String),
    });
    const after = await b.call(home.owner, UNBLOCK, { listingId: home.id, from: day(4), to: day(8) });
    expect(after.data.unblockDates.map((d: { status: string }) => d.status)).toEqual(['FREE', 'BOOKED', 'BOOKED', 'FREE']);
  });

  it('is race-free: of a block and bookings over the same nights, exactly one wins', async () => {
    for (let round = 0; round < 5; round++) {
      const home = await b.listing();
      const results = await Promise.all([
        b.call(home.owner, BLOCK, { listingId: home.id, from: day(20), to: day(25) }),
        ...Array.from({ length: 10 }, () => book(person(), home.id, 22, 23)),
      ]);
      const winners = results.filter((r) => ['CalendarBlock', 'Stay'].includes((r.data.blockDates ?? r.data.bookStay).__typename));
      expect(winners).toHaveLength(1);
      expect(await b.count(`SELECT 1 FROM calendar_holds WHERE listing_id = $1`, [home.id])).toBe(1);
    }
  });

  it('lets only the owner or an admin edit the calendar, with valid input', async () => {
    const home = await b.listing();
    const args = { listingId: home.id, from: day(3), to: day(4) };
    expect(codeOf(await b.call(null, BLOCK, args))).toBe('UNAUTHENTICATED');
    expect(codeOf(await b.call(person(), BLOCK, args))).toBe('FORBIDDEN');
    expect(codeOf(await b.call(person(), UNBLOCK, args))).toBe('FORBIDDEN');
    expect(codeOf(await b.call(person(), BLOCK, { ...args, listingId: randomUUID() }))).toBe('NOT_FOUND');
    expect(codeOf(await b.call(home.owner, BLOCK, { ...args, from: day(-2) }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await b.call(home.owner, BLOCK, { ...args, reason: 'x'.repeat(201) }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await b.call(home.owner, BLOCK, { ...args, to: addDays(day(3), 367) }))).toBe('BAD_USER_INPUT');
    const house = await b.forSale();
    expect(codeOf(await b.call(house.owner, BLOCK, { ...args, listingId: house.id }))).toBe('BAD_USER_INPUT');
    expect(await b.count(`SELECT 1 FROM calendar_holds WHERE listing_id = $1`, [home.id])).toBe(0);
    expect((await b.call(admin(), BLOCK, args)).data.blockDates.__typename).toBe('CalendarBlock');
  });
});

describe('availableListings', () => {
  it('lists the ACTIVE rentals free for the whole range that fit the guests and the stay length', async () => {
    const from = 300;
    const free = await b.listing();
    const booked = await b.listing();
    const blocked = await b.listing();
    const small = await b.listing({ maxGuests: 1 });
    const minFive = await b.listing({ minNights: 5 });
    const paused = await b.listing({ status: 'PAUSED' });
    const house = await b.forSale();
    const backToBack = await b.listing();
    expect((await book(person(), booked.id, from + 1, from + 2)).data.bookStay.__typename).toBe('Stay');
    await b.call(blocked.owner, BLOCK, { listingId: blocked.id, from: day(from + 2), to: day(from + 3) });
    expect((await book(person(), backToBack.id, from - 2, from)).data.bookStay.__typename).toBe('Stay');

    // Other tests' listings are free then too: ask about ours only.
    const ours = [free, booked, blocked, small, minFive, paused, house, backToBack].map((l) => l.id);
    const res = await b.call(null, AVAILABLE, { from: day(from), to: day(from + 3), guests: 2, ids: [...ours, 'not-a-uuid'] });
    expect(res.errors).toBeUndefined();
    expect(res.data.availableListings).toEqual([free.id, backToBack.id].sort().map((id) => ({ id })));

    const page = await b.call(null, AVAILABLE, { from: day(from), to: day(from + 3), guests: 2, first: 1, ids: ours });
    expect(page.data.availableListings).toHaveLength(1);
  });

  it('validates the range, the guests and the page size', async () => {
    for (const vars of [
      { from: day(5), to: day(5), guests: 1 },
      { from: day(5), to: addDays(day(5), 366), guests: 1 },
      { from: day(5), to: day(6), guests: 0 },
      { from: day(5), to: day(6), guests: 1, first: 201 },
    ]) {
      expect(codeOf(await b.call(null, AVAILABLE, vars))).toBe('BAD_USER_INPUT');
    }
  });
});
