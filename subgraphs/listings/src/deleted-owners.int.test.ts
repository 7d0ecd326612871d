import { Client } from 'pg';
import { InProcessEventBus, createLogger, type Identity } from '@market/platform';
import type { GraphQLResponse } from '@market/platform/testing';
import { OWNER_CLEANUP_CONSUMER } from './consumers/account-deletion';
import { privateListingsDatabase } from './testing/private-database';
import { codeOf, createListing, envelope, person, saleInput, startListings, type Listings } from './testing/harness';
import { eventually } from '@market/platform/testing';

/**
 * A deleted account's access token stays valid for up to its lifetime: listings records the user in
 * `deleted_owners` with the cleanup of their listings and refuses their writes, whichever of the two
 * comes first. On a database of this file's own: the races below hold table and row locks.
 */
let l: Listings;
let bus: InProcessEventBus;
let database: { url: string; drop(): Promise<void> };
/** A second connection, for holding the locks that freeze a transaction at a known point. */
let blocker: Client;
beforeAll(async () => {
  database = await privateListingsDatabase('tombstones');
  bus = new InProcessEventBus(createLogger('bus', 'silent'), { attempts: 2, initialDelayMs: 10, maxDelayMs: 20 });
  l = await startListings({ bus, databaseUrl: database.url });
  blocker = new Client({ connectionString: database.url });
  await blocker.connect();
});
afterAll(async () => {
  await blocker?.end();
  await l?.close();
  await bus?.close();
  await database?.drop();
});

const CREATE = `mutation ($input: CreateListingInput!) { createListing(input: $input) { id } }`;
const UPDATE = `mutation ($id: ID!, $input: UpdateListingInput!) { updateListing(id: $id, input: $input) { id version } }`;
const DELETE = `mutation ($id: ID!) { deleteListing(id: $id) }`;

function userDeleted(user: Identity) {
  return envelope('accounts.user.deleted', user.userId, { userId: user.userId });
}

async function deliver(event: ReturnType<typeof userDeleted>): Promise<void> {
  await bus.publish([event]);
  await bus.drain();
  expect(await bus.deadLetters()).toEqual([]);
}

async function listingsOf(user: Identity): Promise<string[]> {
  const { rows } = await l.db.query<{ id: string }>('SELECT id FROM listings WHERE owner_id = $1', [user.userId]);
  return rows.map((r) => r.id);
}

async function tombstoned(user: Identity): Promise<boolean> {
  const { rowCount } = await l.db.query('SELECT 1 FROM deleted_owners WHERE user_id = $1', [user.userId]);
  return rowCount === 1;
}

/** Whether a statement matching `pattern` is waiting for a lock in this database. */
async function waiting(pattern: string): Promise<boolean> {
  const { rowCount } = await l.db.query(
    `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE $1`,
    [pattern],
  );
  return (rowCount ?? 0) > 0;
}

type Settled<T> = Promise<T> & { done: boolean };

/** The promise, telling whether it has settled: a race test waits for "blocked, or done already". */
function settled<T>(promise: Promise<T>): Settled<T> {
  const tracked = promise.finally(() => {
    tracked.done = true;
  }) as Settled<T>;
  tracked.done = false;
  return tracked;
}

describe('deleted owners', () => {
  it('records the user with the cleanup; their token can then neither create nor change nor delete a listing', async () => {
    const [leaving, leavingAdmin, staying] = [person('HOST'), person('ADMIN'), person('SELLER')];
    const theirs = await createListing(l, leaving, saleInput());
    const other = await createListing(l, staying, saleInput());

    const event = userDeleted(leaving);
    await deliver(event);
    await deliver(userDeleted(leavingAdmin));
    expect(await tombstoned(leaving)).toBe(true);
    expect(await tombstoned(leavingAdmin)).toBe(true);
    expect(await tombstoned(staying)).toBe(false);
    expect(await listingsOf(leaving)).toEqual([]);
    const inbox = await l.db.query('SELECT 1 FROM inbox_events WHERE consumer = $1 AND event_id = $2', [OWNER_CLEANUP_CONSUMER, event.id]);
    expect(inbox.rowCount).toBe(1);

    const created = await l.call(leaving, CREATE, { input: saleInput() });
    expect(codeOf(created)).toBe('UNAUTHENTICATED');
    expect(created.errors?.[0]?.message).toBe('This account was deleted.');
    expect(await listingsOf(leaving)).toEqual([]);
    // Their own (deleted) listing: the account is the answer, not NOT_FOUND.
    expect(codeOf(await l.call(leaving, UPDATE, { id: theirs.id, input: { title: 'Back again' } }))).toBe('UNAUTHENTICATED');

    // An admin's token is refused as well, on someone else's listing, which stays as it was.
    const updated = await l.call(leavingAdmin, UPDATE, { id: other.id, input: { title: 'Edited by a ghost' } });
    expect(codeOf(updated)).toBe('UNAUTHENTICATED');
    expect(updated.errors?.[0]?.message).toBe('This account was deleted.');
    expect(codeOf(await l.call(leavingAdmin, DELETE, { id: other.id }))).toBe('UNAUTHENTICATED');
    const { rows } = await l.db.query('SELECT title, version FROM listings WHERE id = $1', [other.id]);
    expect(rows).toEqual([{ title: expect.not.stringContaining('ghost'), version: 1 }]);
    const { rows: events } = await l.db.query('SELECT type FROM outbox_events WHERE aggregate_id = $1', [other.id]);
    expect(events).toEqual([{ type: 'listings.listing.upserted' }]);

    // Everyone else writes as before.
    expect((await l.call(staying, UPDATE, { id: other.id, input: { title: 'Still mine' } })).errors).toBeUndefined();
    expect(await tombstoned(staying)).toBe(false);
  });

  it('a listing created before the cleanup is deleted by it', async () => {
    const leaving = person('SELLER');
    const early = await createListing(l, leaving, saleInput());
    await deliver(userDeleted(leaving));
    expect(await listingsOf(leaving)).toEqual([]);
    const { rows } = await l.db.query('SELECT type FROM outbox_events WHERE aggregate_id = $1 ORDER BY seq', [early.id]);
    expect(rows).toEqual([{ type: 'listings.listing.deleted' }]);
  });

  it('a create in flight when the cleanup starts commits first, and the cleanup then deletes it', async () => {
    const leaving = person('SELLER');
    // Freeze the create after it inserted its listing, at the insert of its event.
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE outbox_events IN EXCLUSIVE MODE');
    let created!: Promise<GraphQLResponse<{ createListing: { id: string } }>>;
    let cleanup!: Settled<void>;
    try {
      created = l.call<{ createListing: { id: string } }>(leaving, CREATE, { input: saleInput() });
      await eventually(() => waiting('%INSERT INTO outbox_events%'));
      // The cleanup must wait for it: it would not see the uncommitted listing, so finishing now
      // would leave the listing behind as an orphan once the create commits.
      cleanup = settled(deliver(userDeleted(leaving)));
      await eventually(async () => cleanup.done || (await waiting('%pg_advisory_xact_lock(%')));
    } finally {
      await blocker.query('COMMIT');
    }
    const response = await created;
    expect(response.errors).toBeUndefined();
    const id = response.data?.createListing.id as string;
    await cleanup;
    expect(await listingsOf(leaving)).toEqual([]);
    expect(await tombstoned(leaving)).toBe(true);
    const { rows } = await l.db.query('SELECT type FROM outbox_events WHERE aggregate_id = $1 ORDER BY seq', [id]);
    expect(rows).toEqual([{ type: 'listings.listing.deleted' }]);
  });

  it('a create that arrives while the cleanup is in flight waits for it and is refused', async () => {
    const leaving = person('HOST');
    const existing = await createListing(l, leaving, saleInput());
    // Freeze the cleanup after it recorded the tombstone, at the lock of the user's listings.
    await blocker.query('BEGIN');
    await blocker.query('SELECT id FROM listings WHERE id = $1 FOR UPDATE', [existing.id]);
    let created!: Settled<GraphQLResponse>;
    let cleanup!: Promise<void>;
    try {
      cleanup = deliver(userDeleted(leaving));
      await eventually(() => waiting('%FROM listings WHERE owner_id%FOR UPDATE%'));
      created = settled(l.call(leaving, CREATE, { input: saleInput() }));
      // Not yet committed, the tombstone is invisible to the create: it must wait, not read and go on.
      await eventually(async () => created.done || (await waiting('%pg_advisory_xact_lock_shared(%')));
    } finally {
      await blocker.query('COMMIT');
    }
    await cleanup;
    const response = await created;
    expect(codeOf(response)).toBe('UNAUTHENTICATED');
    expect(response.errors?.[0]?.message).toBe('This account was deleted.');
    expect(await listingsOf(leaving)).toEqual([]);
  });

  it('records a user without listings too, and a redelivery changes nothing', async () => {
    const leaving = person('AGENT');
    const event = userDeleted(leaving);
    await deliver(event);
    const { rows: first } = await l.db.query('SELECT recorded_at FROM deleted_owners WHERE user_id = $1', [leaving.userId]);
    expect(first).toHaveLength(1);
    await deliver(event);
    await deliver(userDeleted(leaving));
    const { rows: again } = await l.db.query('SELECT recorded_at FROM deleted_owners WHERE user_id = $1', [leaving.userId]);
    expect(again).toEqual(first);
    expect(codeOf(await l.call(leaving, CREATE, { input: saleInput() }))).toBe('UNAUTHENTICATED');
  });
});
