import { BOOK, day, person, startBookings, type Bookings } from './testing/harness';

/**
 * What one booking costs in SQL round trips: every statement is a round trip to PostgreSQL and a
 * wake-up of its backend, which on a busy machine is most of a booking's time (bench/bookings).
 * The transaction takes its locks in one statement and writes the stay and its hold in another.
 */
let b: Bookings;
beforeAll(async () => {
  b = await startBookings();
});
afterAll(async () => {
  await b?.close();
});

/** The statements of one bookStay, without the subgraph's own periodic jobs running beside it. */
async function bookingStatements(listingId: string, checkIn: number): Promise<string[]> {
  const { result, statements } = await b.countQueries(() =>
    b.call(person(), BOOK, { input: { listingId, checkIn: day(checkIn), checkOut: day(checkIn + 2), guests: 1 } }),
  );
  expect(result.errors).toBeUndefined();
  expect(result.data.bookStay.__typename).toBe('Stay');
  const own = statements.filter((s) => !/FOR UPDATE SKIP LOCKED|scheduled_events|idempotency_keys\s+WHERE created_at/i.test(s));
  // A job's transaction in flight when counting began ends with a COMMIT before any statement of the request.
  while (own[0]?.trim() === 'COMMIT') own.shift();
  return own;
}

describe('bookStay round trips', () => {
  it('a requested stay: two reads, then (after BEGIN, which Prisma does not log) the locks, the stay with its hold, the event, COMMIT', async () => {
    const home = await b.listing();
    const statements = await bookingStatements(home.id, 30);
    expect(statements.map((s) => s.replace(/\s+/g, ' ').trim().slice(0, 60))).toHaveLength(6);
    expect(statements.filter((s) => /pg_advisory_xact_lock/.test(s))).toHaveLength(1);
    expect(statements.filter((s) => /INSERT INTO stays/.test(s) && /INSERT INTO calendar_holds/.test(s))).toHaveLength(1);
    expect(statements.filter((s) => /INSERT INTO outbox_events/.test(s) && /pg_notify/.test(s))).toHaveLength(1);
  });

  it('an instant booking takes no guest lock', async () => {
    const home = await b.listing({ instantBook: true } as never);
    const statements = await bookingStatements(home.id, 40);
    expect(statements).toHaveLength(6);
    expect(statements.filter((s) => /pg_advisory_xact_lock/.test(s))).toHaveLength(0);
  });
});
