import { randomUUID } from 'node:crypto';
import type { Identity } from '@market/platform';
import { BOOK, codeOf, day, inHours, person, startBookings, type Bookings } from './testing/harness';

/**
 * What stops one client from hurting everyone else: concurrent retries of one booking, a guest
 * holding many listings with requests, stays of unbounded length, and writes without a limit.
 */

const BOOK_ANY = BOOK.replace(
  '... on ListingUnavailable { listingId message }',
  '... on ListingUnavailable { listingId message } ... on TooManyPendingRequests { limit message }',
);
const CANCEL = `mutation($id: ID!) { cancelStay(id: $id) { id status } }`;
const REQUEST_VIEWING = `mutation($input: RequestViewingInput!) { requestViewing(input: $input) { __typename ... on ViewingAppointment { id } } }`;

let b: Bookings;
beforeAll(async () => {
  b = await startBookings();
});
afterAll(async () => {
  await b?.close();
});

const book = (guest: Identity, input: Record<string, unknown>, key?: string) => b.call(guest, BOOK_ANY, { input, ...(key ? { key } : {}) });

describe('concurrent retries of one bookStay', () => {
  it('gives every concurrent call with the same key and request the one stay it booked', async () => {
    // A few rounds, since a race may go either way in one: the calls start 0-40 ms apart, so some find
    // the key, some see the winner's committed hold before its key, some wait on the winner.
    for (let round = 0; round < 4; round++) {
      const home = await b.listing();
      const guest = person();
      const input = { listingId: home.id, checkIn: day(20), checkOut: day(23), guests: 2 };
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => new Promise((r) => setTimeout(r, i * 2)).then(() => book(guest, input, 'k'))),
      );
      for (const res of results) expect(res.errors).toBeUndefined();
      const answers = results.map((res) => res.data.bookStay);
      expect(answers.map((a) => a.__typename)).toEqual(Array(20).fill('Stay'));
      expect(new Set(answers.map((a) => a.id)).size).toBe(1);
      expect(await b.count('SELECT 1 FROM stays WHERE listing_id = $1', [home.id])).toBe(1);
    }
  });

  it('answers CONFLICT to concurrent calls that reuse the key for another request, and the stay to the rest', async () => {
    for (let round = 0; round < 3; round++) {
      const home = await b.listing();
      const guest = person();
      const first = { listingId: home.id, checkIn: day(30), checkOut: day(33), guests: 1 };
      // Overlapping nights: a loser may see the winner's hold first, and must still be told about the key.
      const other = { ...first, checkOut: day(34) };
      const results = await Promise.all(
        Array.from({ length: 15 }, (_, i) =>
          new Promise((r) => setTimeout(r, i * 3)).then(() => book(guest, i % 3 === 2 ? other : first, 'same-key')),
        ),
      );
      const stays = results.filter((res) => res.data?.bookStay?.__typename === 'Stay');
      const conflicts = results.filter((res) => codeOf(res) === 'CONFLICT');
      expect(stays.length + conflicts.length).toBe(15);
      expect(new Set(stays.map((res) => res.data.bookStay.id)).size).toBe(1);
      // Every call with the winner's request got the stay; every call with the other one, CONFLICT.
      const winnerWasFirst = stays[0]?.data.bookStay.checkOut === first.checkOut;
      expect(stays.length).toBe(winnerWasFirst ? 10 : 5);
      expect(await b.count('SELECT 1 FROM stays WHERE listing_id = $1', [home.id])).toBe(1);
    }
  });
});

describe('pending requests per guest', () => {
  it('refuses a sixth REQUESTED stay with TooManyPendingRequests until one of the five is answered', async () => {
    const guest = person();
    const homes = await Promise.all(Array.from({ length: 6 }, () => b.listing()));
    const booked: string[] = [];
    for (const home of homes.slice(0, 5)) {
      const res = await book(guest, { listingId: home.id, checkIn: day(10), checkOut: day(12), guests: 1 });
      expect(res.data.bookStay.__typename).toBe('Stay');
      booked.push(res.data.bookStay.id);
    }
    const sixth = { listingId: homes[5]!.id, checkIn: day(10), checkOut: day(12), guests: 1 };
    const refused = await book(guest, sixth);
    expect(refused.errors).toBeUndefined();
    expect(refused.data.bookStay).toEqual({
      __typename: 'TooManyPendingRequests',
      limit: 5,
      message: expect.stringContaining('5 stay requests waiting'),
    });
    expect(await b.count('SELECT 1 FROM stays WHERE listing_id = $1', [homes[5]!.id])).toBe(0);

    // Instant book does not wait on a host, so it is not capped; another guest is not affected.
    const instant = await b.listing({ instantBook: true });
    expect((await book(guest, { listingId: instant.id, checkIn: day(10), checkOut: day(12), guests: 1 })).data.bookStay.__typename).toBe(
      'Stay',
    );
    expect((await book(person(), sixth)).data.bookStay.__typename).toBe('Stay');

    expect((await b.call(guest, CANCEL, { id: booked[0] })).data.cancelStay.status).toBe('CANCELLED');
    expect((await book(guest, { ...sixth, checkIn: day(40), checkOut: day(41) })).data.bookStay.__typename).toBe('Stay');
  });

  it('lets no more than the cap through when a guest fires many requests at once', async () => {
    const guest = person();
    const homes = await Promise.all(Array.from({ length: 12 }, () => b.listing()));
    const results = await Promise.all(
      homes.map((home) => book(guest, { listingId: home.id, checkIn: day(15), checkOut: day(16), guests: 1 })),
    );
    const kinds = results.map((res) => res.data.bookStay.__typename);
    expect(kinds.filter((k) => k === 'Stay')).toHaveLength(5);
    expect(kinds.filter((k) => k === 'TooManyPendingRequests')).toHaveLength(7);
    expect(await b.count(`SELECT 1 FROM stays WHERE guest_id = $1 AND status = 'REQUESTED'`, [guest.userId])).toBe(5);
  });

  it('does not count requests whose answer deadline has passed', async () => {
    const guest = person();
    const homes = await Promise.all(Array.from({ length: 6 }, () => b.listing()));
    for (const home of homes.slice(0, 5)) await book(guest, { listingId: home.id, checkIn: day(10), checkOut: day(12), guests: 1 });
    // Lapsing: the scheduler is about to expire them.
    await b.sql.query(`UPDATE stays SET respond_by = now() - interval '1 minute' WHERE guest_id = $1`, [guest.userId]);
    expect((await book(guest, { listingId: homes[5]!.id, checkIn: day(10), checkOut: day(12), guests: 1 })).data.bookStay.__typename).toBe(
      'Stay',
    );
  });
});

describe('stay length', () => {
  it('caps a stay at 90 nights where the listing sets no maximum, and follows the listing where it does', async () => {
    const open = await b.listing();
    const tooLong = await book(person(), { listingId: open.id, checkIn: day(5), checkOut: day(5 + 91), guests: 1 });
    expect(codeOf(tooLong)).toBe('BAD_USER_INPUT');
    expect(tooLong.errors?.[0]?.message).toContain('at most 90 nights');
    expect((await book(person(), { listingId: open.id, checkIn: day(5), checkOut: day(5 + 90), guests: 1 })).data.bookStay.__typename).toBe(
      'Stay',
    );

    const longTerm = await b.listing({ maxNights: 200 });
    expect(
      (await book(person(), { listingId: longTerm.id, checkIn: day(5), checkOut: day(5 + 200), guests: 1 })).data.bookStay.__typename,
    ).toBe('Stay');
    expect(codeOf(await book(person(), { listingId: longTerm.id, checkIn: day(300), checkOut: day(300 + 201), guests: 1 }))).toBe(
      'BAD_USER_INPUT',
    );
  });
});

describe('write rate limit', () => {
  it('answers RATE_LIMITED with retryAfterSeconds once a user spent the limit on bookStay and requestViewing together', async () => {
    const limited = await startBookings({ RATE_LIMIT_BOOKING: '3/10m' });
    try {
      const home = await limited.listing({ instantBook: true });
      const house = await limited.forSale();
      const user = person();
      const bookIn = (who: Identity, from: number) =>
        limited.call(who, BOOK_ANY, { input: { listingId: home.id, checkIn: day(from), checkOut: day(from + 1), guests: 1 } });
      // Polling for a listing bookings has not heard of yet is not counted.
      for (let i = 0; i < 5; i++) {
        const unknown = await limited.call(user, BOOK_ANY, {
          input: { listingId: randomUUID(), checkIn: day(10), checkOut: day(11), guests: 1 },
        });
        expect(unknown.data.bookStay.__typename).toBe('ListingUnavailable');
      }
      expect((await bookIn(user, 10)).data.bookStay.__typename).toBe('Stay');
      expect((await bookIn(user, 11)).data.bookStay.__typename).toBe('Stay');
      const viewing = await limited.call(user, REQUEST_VIEWING, {
        input: { listingId: house.id, startsAt: inHours(48), endsAt: inHours(49) },
      });
      expect(viewing.data.requestViewing.__typename).toBe('ViewingAppointment');

      const refused = await bookIn(user, 12);
      expect(codeOf(refused)).toBe('RATE_LIMITED');
      expect(refused.errors?.[0]?.extensions?.['retryAfterSeconds']).toEqual(expect.any(Number));
      expect(refused.errors?.[0]?.extensions?.['retryAfterSeconds']).toBeGreaterThan(0);
      expect(refused.data).toBeNull();
      expect(
        codeOf(await limited.call(user, REQUEST_VIEWING, { input: { listingId: house.id, startsAt: inHours(50), endsAt: inHours(51) } })),
      ).toBe('RATE_LIMITED');
      expect(await limited.count('SELECT 1 FROM stays WHERE guest_id = $1', [user.userId])).toBe(2);

      // Counted per user.
      expect((await bookIn(person(), 12)).data.bookStay.__typename).toBe('Stay');
    } finally {
      await limited.close();
    }
  });
});
