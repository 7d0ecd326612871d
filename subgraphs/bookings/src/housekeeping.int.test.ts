import type { Identity } from '@market/platform';
import { createPrisma, type Db } from './db';
import { purgeExpiredIdempotencyKeys } from './repositories/idempotency-keys';
import { StayRepository } from './repositories/stay-repository';
import { keysExpiredBefore } from './rules/idempotency';
import { eventually } from '@market/platform/testing';
import { BOOK, codeOf, day, person, STAY, startBookings, type Bookings } from './testing/harness';

/**
 * What the scheduler keeps true: unanswered stay requests expire, idempotency keys past their
 * retention stop answering and are purged. Other test files' subgraphs share this database and run
 * their schedulers too, so assertions are about this file's rows, never about global counts.
 */
const CONFIRM = `mutation($id: ID!) { confirmStay(id: $id) { id status } }`;
const DECLINE = `mutation($id: ID!) { declineStay(id: $id) { id status } }`;
const AVAILABILITY = `query($l: ID!, $f: Date!, $t: Date!) { availability(listingId: $l, from: $f, to: $t) { date status } }`;
const MINUTE_MS = 60_000;

let b: Bookings;
/** A second Prisma client, standing in for another replica. */
let replicas: Db[];
beforeAll(async () => {
  // A 90-minute window and 2-hour key retention; the scheduler runs once at start and then not for
  // an hour, so these tests drive the jobs themselves (a second subgraph below shows the loop).
  b = await startBookings({
    STAY_REQUEST_TTL_MINUTES: '90',
    IDEMPOTENCY_KEY_RETENTION_HOURS: '2',
    SCHEDULER_POLL_MS: '3600000',
    // One guest here holds a dozen requests at once; the cap on waiting requests is tested in stays.
    STAY_MAX_PENDING_REQUESTS: '50',
  });
  replicas = Array.from({ length: 4 }, () => createPrisma(b.env.DATABASE_URL, 4));
});
afterAll(async () => {
  await Promise.all((replicas ?? []).map((db) => db.$disconnect()));
  await b?.close();
});

const bookOk = async (guest: Identity, input: Record<string, unknown>, key?: string) => {
  const res = await b.call(guest, BOOK, { input, ...(key ? { key } : {}) });
  expect(res.errors).toBeUndefined();
  expect(res.data.bookStay.__typename).toBe('Stay');
  return res.data.bookStay;
};
const stayOf = async (who: Identity, id: string) =>
  (await b.call(who, `query($id: ID!) { stay(id: $id) { id status respondBy } }`, { id })).data.stay;
/** Moves a stay's deadline into the past, as if the host had let the window go by. */
const lapse = (ids: string[]) => b.sql.query(`UPDATE stays SET respond_by = now() - interval '1 second' WHERE id = ANY($1::uuid[])`, [ids]);
/** Runs the expiry job on several replicas at once until none of them finds anything due. */
async function expireOnReplicas(limit: number): Promise<void> {
  await Promise.all(
    replicas.map(async (db) => {
      const stays = new StayRepository(db);
      while ((await stays.expireUnanswered(new Date(), limit)) > 0);
    }),
  );
}

describe('expiry of unanswered stay requests', () => {
  it('gives the host the configured window, never past the start of the check-in day', async () => {
    const home = await b.listing();
    const guest = person();
    const far = await bookOk(guest, { listingId: home.id, checkIn: day(10), checkOut: day(12), guests: 1 });
    const window = Date.parse((await stayOf(guest, far.id)).respondBy) - Date.parse(far.createdAt);
    expect(Math.abs(window - 90 * MINUTE_MS)).toBeLessThan(1_000);

    const instant = await b.listing({ instantBook: true });
    expect(
      (await stayOf(guest, (await bookOk(guest, { listingId: instant.id, checkIn: day(10), checkOut: day(12), guests: 1 })).id)).respondBy,
    ).toBeNull();

    // A deadline is required of every REQUESTED stay, by the database as well.
    await expect(b.sql.query(`UPDATE stays SET respond_by = NULL WHERE id = $1`, [far.id])).rejects.toMatchObject({
      code: '23514',
      constraint: 'stays_requested_has_respond_by',
    });
  });

  it('expires a lapsed request: EXPIRED, nights free, announced as declined (EXPIRED), too late for the host', async () => {
    const home = await b.listing();
    const guest = person();
    const input = { listingId: home.id, checkIn: day(20), checkOut: day(23), guests: 1 };
    const stay = await bookOk(guest, input);
    const waiting = await bookOk(person(), { ...input, checkIn: day(23), checkOut: day(24) });
    await lapse([stay.id]);

    // Past the deadline the host can no longer answer, even before the scheduler has run.
    expect(codeOf(await b.call(home.owner, CONFIRM, { id: stay.id }))).toBe('CONFLICT');
    expect(codeOf(await b.call(home.owner, DECLINE, { id: stay.id }))).toBe('CONFLICT');

    await expireOnReplicas(10);
    expect((await stayOf(guest, stay.id)).status).toBe('EXPIRED');
    // A request still within its window is untouched.
    expect((await stayOf(home.owner, waiting.id)).status).toBe('REQUESTED');
    const calendar = (await b.call(null, AVAILABILITY, { l: home.id, f: day(20), t: day(24) })).data.availability;
    expect(calendar.map((d: { status: string }) => d.status)).toEqual(['FREE', 'FREE', 'FREE', 'BOOKED']);
    await bookOk(person(), input);

    const events = await b.outbox(stay.id);
    expect(events.map((e) => [e.type, e.payload['reason']])).toEqual([
      ['bookings.stay.requested', undefined],
      ['bookings.stay.declined', 'EXPIRED'],
    ]);
    expect(events[1]?.payload).toMatchObject({ stayId: stay.id, guestId: guest.userId, hostId: home.owner.userId });
    expect(codeOf(await b.call(home.owner, CONFIRM, { id: stay.id }))).toBe('CONFLICT');
  });

  it('says reason HOST when the host declines', async () => {
    const home = await b.listing();
    const stay = await bookOk(person(), { listingId: home.id, checkIn: day(5), checkOut: day(6), guests: 1 });
    expect((await b.call(home.owner, DECLINE, { id: stay.id })).data.declineStay.status).toBe('DECLINED');
    expect((await b.outbox(stay.id)).map((e) => [e.type, e.payload['reason']])).toContainEqual(['bookings.stay.declined', 'HOST']);
  });

  it('expires each lapsed request exactly once while four replicas run the job at once, beside hosts answering', async () => {
    const homes = await Promise.all(Array.from({ length: 5 }, () => b.listing()));
    const stays: { id: string; owner: Identity }[] = [];
    for (const [i, home] of homes.entries()) {
      for (let n = 0; n < 8; n++) {
        const stay = await bookOk(person(), { listingId: home.id, checkIn: day(30 + 2 * n), checkOut: day(31 + 2 * n), guests: 1 });
        stays.push({ id: stay.id, owner: homes[i]?.owner as Identity });
      }
    }
    await lapse(stays.map((s) => s.id));
    // Hosts trying to answer at the same moment are refused: the deadline has passed.
    const answers = stays.slice(0, 5).map((s) => b.call(s.owner, CONFIRM, { id: s.id }));
    await Promise.all([expireOnReplicas(3), ...answers]);
    for (const answer of await Promise.all(answers)) expect(codeOf(answer)).toBe('CONFLICT');

    const { rows } = await b.sql.query<{ status: string; declined: number; holds: number }>(
      `SELECT s.status,
              (SELECT count(*)::int FROM outbox_events o WHERE o.aggregate_id = s.id::text AND o.type = 'bookings.stay.declined') AS declined,
              (SELECT count(*)::int FROM calendar_holds h WHERE h.stay_id = s.id) AS holds
       FROM stays s WHERE s.id = ANY($1::uuid[])`,
      [stays.map((s) => s.id)],
    );
    expect(rows).toHaveLength(40);
    expect(rows.every((r) => r.status === 'EXPIRED' && r.declined === 1 && r.holds === 0)).toBe(true);
  });

  it('runs in the scheduler loop of a running subgraph', async () => {
    const fast = await startBookings({ SCHEDULER_POLL_MS: '50' });
    try {
      const home = await fast.listing();
      const guest = person();
      const res = await fast.call(guest, BOOK, { input: { listingId: home.id, checkIn: day(7), checkOut: day(9), guests: 1 } });
      const id = res.data.bookStay.id;
      await fast.sql.query(`UPDATE stays SET respond_by = now() - interval '1 second' WHERE id = $1`, [id]);
      const expired = await eventually(async () => ((await fast.call(guest, STAY, { id })).data.stay.status === 'EXPIRED' ? true : null));
      expect(expired).toBe(true);
    } finally {
      await fast.close();
    }
  });
});

describe('idempotency key retention', () => {
  const age = (callerId: string, key: string, hours: number) =>
    b.sql.query(`UPDATE idempotency_keys SET created_at = now() - make_interval(hours => $3) WHERE caller_id = $1 AND key = $2`, [
      callerId,
      key,
      hours,
    ]);
  const keyRows = (callerId: string) => b.count(`SELECT 1 FROM idempotency_keys WHERE caller_id = $1`, [callerId]);

  it('answers retries within the retention, and treats a retry after it as a new request', async () => {
    const home = await b.listing();
    const guest = person();
    const first = { listingId: home.id, checkIn: day(40), checkOut: day(42), guests: 1 };
    const booked = await bookOk(guest, first, 'trip');
    await age(guest.userId, 'trip', 1);
    // Within the retention (2 h here): the same key answers, another request with it is refused.
    expect((await bookOk(guest, first, 'trip')).id).toBe(booked.id);
    const other = { listingId: home.id, checkIn: day(50), checkOut: day(51), guests: 1 };
    expect(codeOf(await b.call(guest, BOOK, { input: other, key: 'trip' }))).toBe('CONFLICT');

    await age(guest.userId, 'trip', 3);
    // Past it, even before any purge, a retry is a new request: a new booking of nights the first one holds.
    expect((await b.call(guest, BOOK, { input: first, key: 'trip' })).data.bookStay.__typename).toBe('DatesUnavailable');
    // The key is free for another request, which it then answers.
    const second = await bookOk(guest, other, 'trip');
    expect(second.id).not.toBe(booked.id);
    expect((await bookOk(guest, other, 'trip')).id).toBe(second.id);
    expect(await keyRows(guest.userId)).toBe(1);
  });

  it('purges keys past their retention on several replicas at once and keeps the rest', async () => {
    const home = await b.listing();
    const guest = person();
    for (let i = 0; i < 12; i++)
      await bookOk(guest, { listingId: home.id, checkIn: day(60 + i), checkOut: day(61 + i), guests: 1 }, `k${i}`);
    for (let i = 0; i < 9; i++) await age(guest.userId, `k${i}`, 3);
    const cutoff = keysExpiredBefore({ hours: 2, now: () => new Date() });
    await Promise.all(
      replicas.map(async (db) => {
        while ((await purgeExpiredIdempotencyKeys(db, cutoff, 2)) > 0);
      }),
    );
    const { rows } = await b.sql.query<{ key: string }>(`SELECT key FROM idempotency_keys WHERE caller_id = $1 ORDER BY key`, [
      guest.userId,
    ]);
    expect(rows.map((r) => r.key)).toEqual(['k10', 'k11', 'k9']);
  });

  it('is purged by the scheduler loop of a running subgraph, per its configured retention', async () => {
    const fast = await startBookings({ SCHEDULER_POLL_MS: '50', IDEMPOTENCY_KEY_RETENTION_HOURS: '5' });
    try {
      const home = await fast.listing();
      const guest = person();
      for (const [key, from] of [
        ['old', 70],
        ['recent', 72],
      ] as const) {
        await fast.call(guest, BOOK, { input: { listingId: home.id, checkIn: day(from), checkOut: day(from + 1), guests: 1 }, key });
      }
      await fast.sql.query(`UPDATE idempotency_keys SET created_at = now() - interval '6 hours' WHERE caller_id = $1 AND key = 'old'`, [
        guest.userId,
      ]);
      await fast.sql.query(`UPDATE idempotency_keys SET created_at = now() - interval '4 hours' WHERE caller_id = $1 AND key = 'recent'`, [
        guest.userId,
      ]);
      await eventually(
        async () => (await fast.count(`SELECT 1 FROM idempotency_keys WHERE caller_id = $1 AND key = 'old'`, [guest.userId])) === 0,
      );
      expect(await fast.count(`SELECT 1 FROM idempotency_keys WHERE caller_id = $1 AND key = 'recent'`, [guest.userId])).toBe(1);
    } finally {
      await fast.close();
    }
  });
});
