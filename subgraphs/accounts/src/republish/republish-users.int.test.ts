import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { validateEvent } from '@market/platform';
import { createPrisma, type Db } from '../db';
import { privateAccountsDatabase } from '../testing/private-database';
import { parseRepublishUsersArgs } from './republish-cli';
import { republishUsers, type RepublishUsersOptions } from './republish-users';

/**
 * `npm run republish:users` against a real PostgreSQL, on a database of this file's own: it
 * republishes every user in the database, which on the shared one would reach other suites' users.
 */
let database: { url: string; drop(): Promise<void> };
let db: Db;
let pg: Client;
beforeAll(async () => {
  database = await privateAccountsDatabase('republish');
  db = createPrisma(database.url, 4);
  pg = new Client({ connectionString: database.url });
  await pg.connect();
});
afterAll(async () => {
  await pg?.end();
  await db?.$disconnect();
  await database?.drop();
});
beforeEach(async () => {
  await pg.query('TRUNCATE users, outbox_events CASCADE');
});

const options = (overrides: Partial<RepublishUsersOptions> = {}): RepublishUsersOptions => ({
  updatedSince: null,
  dryRun: false,
  batchSize: 500,
  ...overrides,
});

async function user(fields: {
  name: string;
  role?: 'BUYER' | 'SELLER' | 'ADMIN';
  status?: 'ACTIVE' | 'SUSPENDED' | 'DELETED';
  verified?: boolean;
}): Promise<string> {
  const created = await db.user.create({
    data: {
      name: fields.name,
      email: `${randomUUID()}@example.com`,
      passwordHash: 'x',
      role: fields.role ?? 'BUYER',
      status: fields.status ?? 'ACTIVE',
      emailVerifiedAt: fields.verified === false ? null : new Date(),
    },
  });
  return created.id;
}

interface OutboxRow {
  id: string;
  type: string;
  version: number;
  aggregate_id: string;
  payload: Record<string, unknown>;
  occurred_at: Date;
  published_at: Date | null;
}

async function outbox(): Promise<OutboxRow[]> {
  const { rows } = await pg.query<OutboxRow>(
    'SELECT id, type, version, aggregate_id, payload, occurred_at, published_at FROM outbox_events ORDER BY seq',
  );
  return rows;
}

describe('republishing users', () => {
  it('enqueues one accounts.user.updated with name, role and status per verified user, in id order, a transaction per batch', async () => {
    const ana = await user({ name: 'Ana', role: 'SELLER' });
    const ben = await user({ name: 'Ben', status: 'SUSPENDED' });
    const cy = await user({ name: 'Cy', role: 'ADMIN' });
    await user({ name: 'Unverified', verified: false });
    await user({ name: 'Deleted user', status: 'DELETED' });

    const batches: unknown[] = [];
    const report = await republishUsers(db, options({ batchSize: 2, onBatch: (b) => batches.push(b) }));

    const ids = [ana, ben, cy].sort();
    const events = await outbox();
    expect(events.map((e) => e.aggregate_id)).toEqual(ids);
    const expected: Record<string, unknown> = {
      [ana]: { userId: ana, name: 'Ana', role: 'SELLER', status: 'ACTIVE' },
      [ben]: { userId: ben, name: 'Ben', role: 'BUYER', status: 'SUSPENDED' },
      [cy]: { userId: cy, name: 'Cy', role: 'ADMIN', status: 'ACTIVE' },
    };
    for (const event of events) {
      expect(event).toMatchObject({ type: 'accounts.user.updated', version: 1, published_at: null });
      expect(event.payload).toEqual(expected[event.aggregate_id]);
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
    expect(report).toMatchObject({ dryRun: false, since: null, matched: 3, enqueued: 3, batches: 2 });
    expect(batches).toEqual([
      { number: 1, enqueued: 2, lastUserId: ids[1], done: 2, total: 3 },
      { number: 2, enqueued: 1, lastUserId: ids[2], done: 3, total: 3 },
    ]);
    // The report is one JSON line.
    expect(JSON.parse(JSON.stringify(report))).toEqual({ ...report });
  });

  it('counts without writing in a dry run, and takes only users updated since a date', async () => {
    const old = await user({ name: 'Old' });
    const recent = await user({ name: 'Recent' });
    await pg.query(`UPDATE users SET updated_at = now() - interval '10 days' WHERE id = $1`, [old]);

    expect(await republishUsers(db, options({ dryRun: true }))).toMatchObject({ dryRun: true, matched: 2, enqueued: 0, batches: 0 });
    expect(await outbox()).toEqual([]);

    const since = new Date(Date.now() - 24 * 3600_000);
    const report = await republishUsers(db, options({ updatedSince: since }));
    expect(report).toMatchObject({ since: since.toISOString(), matched: 1, enqueued: 1, batches: 1 });
    expect((await outbox()).map((e) => e.aggregate_id)).toEqual([recent]);
  });

  it('finishes with nothing to do on an empty database', async () => {
    expect(await republishUsers(db, options())).toMatchObject({ matched: 0, enqueued: 0, batches: 0 });
  });
});

describe('republish:users arguments', () => {
  it('reads --since as a date or an instant with a zone, --dry-run and --help, and refuses anything else', () => {
    expect(parseRepublishUsersArgs([])).toEqual({ help: false, updatedSince: null, dryRun: false });
    expect(parseRepublishUsersArgs(['--since', '2026-01-31', '--dry-run'])).toEqual({
      help: false,
      updatedSince: new Date('2026-01-31T00:00:00Z'),
      dryRun: true,
    });
    expect(parseRepublishUsersArgs(['--since', '2026-01-31T13:00:00+01:00'])).toMatchObject({
      updatedSince: new Date('2026-01-31T12:00:00Z'),
    });
    expect(parseRepublishUsersArgs(['--help'])).toEqual({ help: true });
    expect(() => parseRepublishUsersArgs(['--since', '31/01/2026'])).toThrow(/not an ISO 8601/);
    expect(() => parseRepublishUsersArgs(['--since', '2026-01-31T12:00:00'])).toThrow(/not an ISO 8601/);
    expect(() => parseRepublishUsersArgs(['--everything'])).toThrow();
  });
});
