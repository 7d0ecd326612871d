import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { validateEvent } from '@market/platform';
import { createPrisma, type Db } from '../db';
import type { ListingRecord } from '../domain';
import { ListingRepository } from '../repositories/listing-repository';
import { parseNewListing } from '../services/listing-input';
import { person, rentInput, saleInput } from '../testing/harness';
import { privateListingsDatabase } from '../testing/private-database';
import { republishListings, type RepublishOptions } from './republish';
import { eventually } from '@market/platform/testing';

/**
 * `npm run republish` against a real PostgreSQL, on a database of this file's own: it republishes
 * every listing in the database, which on the shared one would add events to other suites' listings.
 */
let database: { url: string; drop(): Promise<void> };
let db: Db;
let pg: Client;
beforeAll(async () => {
  database = await privateListingsDatabase('republish');
  db = createPrisma(database.url, 4);
  pg = new Client({ connectionString: database.url });
  await pg.connect();
});
afterAll(async () => {
  await pg?.end();
  await db?.$disconnect();
  await database?.drop();
});
// Each test starts from no listings and an empty outbox (the file's own database, run in order).
beforeEach(async () => {
  // CASCADE: favorites, photos, price history and recommendations hold foreign keys to listings.
  await pg.query('TRUNCATE listings, outbox_events CASCADE');
});

const options = (overrides: Partial<RepublishOptions> = {}): RepublishOptions => ({
  updatedSince: null,
  dryRun: false,
  batchSize: 500,
  ...overrides,
});

async function seed(...inputs: Record<string, unknown>[]): Promise<ListingRecord[]> {
  const repository = new ListingRepository(db);
  const created: ListingRecord[] = [];
  for (const input of inputs) {
    const listing = await repository.create(person('SELLER').userId, parseNewListing(input));
    if (typeof listing === 'string') throw new Error(listing);
    created.push(listing);
  }
  return created;
}

interface OutboxRow {
  id: string;
  type: string;
  version: number;
  aggregate_id: string;
  payload: Record<string, unknown>;
  occurred_at: Date;
  published_at: Date | null;
  seq: string;
}

async function outbox(afterSeq = '0'): Promise<OutboxRow[]> {
  const { rows } = await pg.query<OutboxRow>(
    'SELECT id, type, version, aggregate_id, payload, occurred_at, published_at, seq::text AS seq FROM outbox_events WHERE seq > $1 ORDER BY outbox_events.seq',
    [afterSeq],
  );
  return rows;
}

const lastSeq = async (): Promise<string> => (await outbox()).at(-1)?.seq ?? '0';

/** The payload of the newest event each listing has in the outbox: what its consumers hold now. */
async function latestPayloads(): Promise<Map<string, Record<string, unknown>>> {
  return new Map((await outbox()).map((row) => [row.aggregate_id, row.payload]));
}

/** Whether a statement matching `pattern` is waiting for a lock in this database. */
async function waiting(pattern: string): Promise<boolean> {
  const { rowCount } = await pg.query(
    `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE $1`,
    [pattern],
  );
  return (rowCount ?? 0) > 0;
}

describe('republishing listings', () => {
  it('enqueues one listings.listing.upserted per listing, in id order, a transaction per batch, each as the listing is now', async () => {
    const listings = await seed(saleInput(), rentInput(), saleInput({ status: 'DRAFT' }), rentInput({ instantBook: true }), saleInput());
    const renamed = listings[1] as ListingRecord;
    await new ListingRepository(db).update(renamed.id, renamed.ownerId, (current) => ({
      ...current,
      title: 'Renamed',
      status: 'ARCHIVED',
    }));
    const expected = await latestPayloads();
    const from = await lastSeq();
    const started = new Date();

    const progress: unknown[] = [];
    const batches: unknown[] = [];
    const report = await republishListings(
      db,
      options({ batchSize: 2, onProgress: (p) => progress.push(p), onBatch: (b) => batches.push(b) }),
    );

    const ids = listings.map((l) => l.id).sort();
    const events = await outbox(from);
    expect(events.map((e) => e.aggregate_id)).toEqual(ids);
    for (const event of events) {
      expect(event).toMatchObject({ type: 'listings.listing.upserted', version: 1, published_at: null });
      // Exactly what the listing's last event said: its current state, nothing older.
      expect(event.payload).toEqual(expected.get(event.aggregate_id));
      expect(event.occurred_at.getTime()).toBeGreaterThanOrEqual(started.getTime() - 1);
      // What the relay does with each row before putting it on the bus.
      expect(() =>
        validateEvent({
          id: event.id,
          type: event.type,
          version: event.version,
          aggregateId: event.aggregate_id,
          occurredAt: event.occurred_at.toISOString(),
          payload: event.payload,
        }),
      ).not.toThrow();
    }
    expect(events.find((e) => e.aggregate_id === renamed.id)?.payload).toMatchObject({ title: 'Renamed', status: 'ARCHIVED', version: 2 });
    expect(new Set(events.map((e) => e.id)).size).toBe(5);

    expect(report).toMatchObject({ dryRun: false, since: null, matched: 5, enqueued: 5, batches: 3 });
    expect(batches).toEqual([
      { number: 1, enqueued: 2, lastListingId: ids[1] },
      { number: 2, enqueued: 2, lastListingId: ids[3] },
      { number: 3, enqueued: 1, lastListingId: ids[4] },
    ]);
    expect(progress).toEqual([
      { done: 0, total: 5 },
      { done: 2, total: 5 },
      { done: 4, total: 5 },
      { done: 5, total: 5 },
    ]);
    // The listings themselves are untouched.
    const { rows } = await pg.query<{ version: number }>('SELECT version FROM listings ORDER BY id');
    expect(rows.map((r) => r.version)).toEqual(ids.map((id) => (id === renamed.id ? 2 : 1)));
  });

  it('--since takes the listings updated since then; --dry-run counts them and writes nothing', async () => {
    const [old1, recent1, old2, recent2] = await seed(saleInput(), rentInput(), saleInput(), rentInput());
    await pg.query(`UPDATE listings SET updated_at = '2020-06-01T00:00:00Z' WHERE id = ANY($1::uuid[])`, [[old1!.id, old2!.id]]);
    const since = new Date('2021-01-01T00:00:00Z');
    const from = await lastSeq();

    const progress: unknown[] = [];
    const dry = await republishListings(db, options({ updatedSince: since, dryRun: true, onProgress: (p) => progress.push(p) }));
    expect(dry).toMatchObject({ dryRun: true, since: '2021-01-01T00:00:00.000Z', matched: 2, enqueued: 0, batches: 0 });
    expect(await republishListings(db, options({ dryRun: true }))).toMatchObject({ matched: 4, enqueued: 0 });
    expect(progress).toEqual([]);
    expect(await outbox(from)).toEqual([]);

    const report = await republishListings(db, options({ updatedSince: since, batchSize: 1 }));
    expect(report).toMatchObject({ matched: 2, enqueued: 2, batches: 2 });
    const events = await outbox(from);
    expect(events.map((e) => e.aggregate_id)).toEqual([recent1!.id, recent2!.id].sort());
    // The bound is inclusive: a listing updated at that very instant is included.
    await pg.query('UPDATE listings SET updated_at = $1 WHERE id = $2', [since, old1!.id]);
    expect(await republishListings(db, options({ updatedSince: since, dryRun: true }))).toMatchObject({ matched: 3 });
  });

  it('waits for a write in flight and republishes the listing as that write left it', async () => {
    const [first, busy, last] = await seed(saleInput(), saleInput(), saleInput());
    const from = await lastSeq();
    const writer = new Client({ connectionString: database.url });
    await writer.connect();
    let republished!: Promise<unknown> & { done?: boolean };
    try {
      // An update like ListingRepository.update, not yet committed when the republish reaches it.
      await writer.query('BEGIN');
      await writer.query('SELECT id FROM listings WHERE id = $1 FOR UPDATE', [busy!.id]);
      await writer.query(`UPDATE listings SET title = 'Changed meanwhile', version = version + 1, updated_at = now() WHERE id = $1`, [
        busy!.id,
      ]);
      republished = republishListings(db, options()).finally(() => (republished.done = true));
      // Without the share lock it would read the old title now and finish.
      await eventually(async () => republished.done === true || (await waiting('%FOR SHARE%')));
      await writer.query('COMMIT');
    } finally {
      await writer.query('ROLLBACK').catch(() => undefined);
      await writer.end();
    }
    await republished;
    const events = await outbox(from);
    expect(events.map((e) => e.aggregate_id).sort()).toEqual([first!.id, busy!.id, last!.id].sort());
    expect(events.find((e) => e.aggregate_id === busy!.id)?.payload).toMatchObject({ title: 'Changed meanwhile', version: 2 });
  });

  it('runs as `npm run republish`: progress on stderr, a JSON summary line on stdout, usage errors exit 2', async () => {
    await seed(saleInput(), rentInput(), saleInput());
    const from = await lastSeq();
    const cli = (...args: string[]) =>
      promisify(execFile)(process.execPath, ['-r', '@swc-node/register', path.join(__dirname, 'republish-cli.ts'), ...args], {
        cwd: path.resolve(__dirname, '..', '..', '..', '..'),
        env: { PATH: process.env['PATH'], LISTINGS_DATABASE_URL: database.url, REPUBLISH_BATCH_SIZE: '2', LOG_LEVEL: 'silent' },
      });
    const lastLine = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1) as string);

    const dry = await cli('--dry-run');
    expect(lastLine(dry.stdout)).toMatchObject({ dryRun: true, since: null, matched: 3, enqueued: 0 });
    expect(await outbox(from)).toEqual([]);

    const run = await cli('--since', '2021-01-01');
    expect(lastLine(run.stdout)).toMatchObject({ dryRun: false, since: '2021-01-01T00:00:00.000Z', matched: 3, enqueued: 3, batches: 2 });
    expect(run.stderr).toContain('republishing 3/3 (100%)');
    expect(await outbox(from)).toHaveLength(3);

    const wrong = await cli('--since', 'yesterday').then(
      () => null,
      (err: { code: number; stderr: string }) => err,
    );
    expect(wrong?.code).toBe(2);
    expect(wrong?.stderr).toContain('--since "yesterday" is not an ISO 8601 date');
    expect(await outbox(from)).toHaveLength(3);
  });
});
