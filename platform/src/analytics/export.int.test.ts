import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Pool } from 'pg';
import pino from 'pino';
import { databaseUrl, dropDatabases, ensureDatabases } from '../db/databases';
import { applyMigrations } from '../db/migrations';
import { migrationsOf, REPO_ROOT } from '../db/layout';
import { InProcessEventBus } from '../events/in-process-bus';
import { validateEvent, type EventEnvelope, type EventPayload, type EventType } from '../events/contracts';
import { enqueueEvent, type RawSql } from '../events/outbox';
import { testDatabaseUrl } from '../testing';
import { backfillFromOutboxes } from './backfill';
import { createEventExporter, prepareAnalyticsDatabase, type EventExporter } from './exporter';
import { DirectorySink, type ExportSink } from './sink';

/**
 * The analytics export against the test run's real PostgreSQL: its own ledger database, and for the
 * backfill two outboxes migrated like bookings' and listings'. Files go to a fresh directory per test.
 */
const logger = pino({ level: 'silent' });

const accountsUrl = new URL(testDatabaseUrl('accounts'));
const serverUrl = new URL(accountsUrl);
serverUrl.pathname = '/postgres';
const base = accountsUrl.pathname.slice(1);
const analyticsDb = `${base}_analytics`;
const bookingsDb = `${base}_analytics_bookings`;
const listingsDb = `${base}_analytics_listings`;
const analyticsUrl = databaseUrl(serverUrl.toString(), analyticsDb);
const bookingsUrl = databaseUrl(serverUrl.toString(), bookingsDb);
const listingsUrl = databaseUrl(serverUrl.toString(), listingsDb);

function envelope<T extends EventType>(type: T, aggregateId: string, occurredAt: string, payload: EventPayload<T>): EventEnvelope {
  return validateEvent({ id: randomUUID(), type, version: 1, aggregateId, occurredAt, payload });
}

function listing(listingId: string, city: string, occurredAt: string, version = 1) {
  return envelope('listings.listing.upserted', listingId, occurredAt, {
    listingId,
    ownerId: 'host-1',
    title: `Flat in ${city}`,
    kind: 'RENT',
    status: 'ACTIVE',
    price: null,
    pricePerNight: '100.00',
    currency: 'EUR',
    maxGuests: 4,
    timeZone: 'Europe/Lisbon',
    city,
    country: 'PT',
    version,
  });
}

function stay(stayId: string, listingId: string, totalPrice: string) {
  return {
    stayId,
    listingId,
    listingTitle: 'Flat',
    hostId: 'host-1',
    guestId: 'guest-1',
    checkIn: '2027-01-10',
    checkOut: '2027-01-13',
    nights: 3,
    guests: 2,
    totalPrice,
    currency: 'EUR',
  };
}

const confirmed = (stayId: string, listingId: string, totalPrice: string, occurredAt: string) =>
  envelope('bookings.stay.confirmed', stayId, occurredAt, { ...stay(stayId, listingId, totalPrice), instantBook: true });
const cancelled = (stayId: string, listingId: string, totalPrice: string, refundAmount: string, occurredAt: string) =>
  envelope('bookings.stay.cancelled', stayId, occurredAt, { ...stay(stayId, listingId, totalPrice), cancelledBy: 'guest-1', refundAmount });

/** Every file of the export (relative paths) and every line in them, parsed. */
function readExport(dir: string): { files: string[]; events: EventEnvelope[] } {
  const files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.ndjson.gz')).sort();
  const events = files.flatMap((f) =>
    gunzipSync(readFileSync(path.join(dir, f)))
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as EventEnvelope),
  );
  return { files, events };
}

function countById(events: EventEnvelope[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of events) counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
  return counts;
}

describe('analytics export (PostgreSQL)', () => {
  const dirs: string[] = [];
  const open: EventExporter[] = [];
  const freshDir = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'market-export-'));
    dirs.push(dir);
    return dir;
  };
  const exporterAt = (sink: ExportSink, maxBatchEvents?: number) => {
    const exporter = createEventExporter({ databaseUrl: analyticsUrl, sink, logger, ...(maxBatchEvents ? { maxBatchEvents } : {}) });
    open.push(exporter);
    return exporter;
  };

  beforeAll(async () => {
    await dropDatabases(serverUrl.toString(), [analyticsDb, bookingsDb, listingsDb]);
    await prepareAnalyticsDatabase(analyticsUrl);
    await ensureDatabases(serverUrl.toString(), [bookingsDb, listingsDb]);
    await applyMigrations({ databaseUrl: bookingsUrl, ...migrationsOf('bookings') });
    await applyMigrations({ databaseUrl: listingsUrl, ...migrationsOf('listings') });
  });
  afterEach(async () => {
    // Each test flushes what it staged: the next one starts from an empty ledger.
    await Promise.all(open.splice(0).map((e) => e.close()));
  });
  afterAll(async () => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    await dropDatabases(serverUrl.toString(), [analyticsDb, bookingsDb, listingsDb]);
  });

  it('writes every event published on the bus once, in day and type partitions, although each was delivered twice or more', async () => {
    const dir = freshDir();
    const exporter = exporterAt(new DirectorySink(dir));
    const bus = new InProcessEventBus(logger);
    await exporter.subscribe(bus);
    const lisbon = randomUUID();
    const events = [
      listing(lisbon, 'Lisbon', '2026-11-02T10:00:00.000Z'),
      confirmed(randomUUID(), lisbon, '300.00', '2026-11-03T09:00:00.000Z'),
      confirmed(randomUUID(), lisbon, '200.00', '2026-11-03T23:59:59.999Z'),
      confirmed(randomUUID(), lisbon, '250.00', '2026-12-01T00:00:00.000Z'),
    ];

    await bus.publish(events);
    await bus.publish(events); // a relay that crashed before marking its batch published sends it again
    await bus.drain();
    await exporter.flush();
    // Redelivered after its file was written (a Kafka rebalance before the offset commit).
    await bus.publish(events.slice(1, 3));
    await bus.drain();
    const second = await exporter.flush();
    expect(second.files).toEqual([]);

    const exported = readExport(dir);
    expect([...countById(exported.events).values()].every((n) => n === 1)).toBe(true);
    expect(exported.events.map((e) => e.id).sort()).toEqual(events.map((e) => e.id).sort());
    expect(exported.files.map((f) => path.dirname(f))).toEqual([
      'day=2026-11-02/event_type=listings.listing.upserted',
      'day=2026-11-03/event_type=bookings.stay.confirmed',
      'day=2026-12-01/event_type=bookings.stay.confirmed',
    ]);
    // A line is the event as it travelled.
    expect(exported.events.find((e) => e.id === events[1]!.id)).toEqual(JSON.parse(JSON.stringify(events[1])));
    await bus.close();
  });

  it('writes a batch again under the same name when the process died after its file and before recording it', async () => {
    const dir = freshDir();
    const directory = new DirectorySink(dir);
    let crashes = 1;
    const crashingSink: ExportSink = {
      location: dir,
      async put(key, body) {
        await directory.put(key, body);
        if (crashes-- > 0) throw new Error('killed after the rename');
      },
    };
    const listingId = randomUUID();
    const events = Array.from({ length: 5 }, (_, i) => confirmed(randomUUID(), listingId, `${100 + i}.00`, '2026-10-05T12:00:00.000Z'));
    const first = exporterAt(crashingSink, 3);
    expect(await first.stage(events)).toBe(5);
    await expect(first.flush()).rejects.toThrow('killed after the rename');
    expect(readExport(dir).files).toHaveLength(1);

    // The next process: the same batches, the same names, no event twice.
    const next = exporterAt(directory, 3);
    expect(await next.stage(events)).toBe(0);
    const written = await next.flush();
    expect(written.files).toHaveLength(2);
    const exported = readExport(dir);
    expect(exported.files).toHaveLength(2);
    expect(exported.events.map((e) => e.id).sort()).toEqual(events.map((e) => e.id).sort());
  });

  it('backfills from the outboxes since a date, once, beside what the consumer already exported, with progress', async () => {
    const dir = freshDir();
    const exporter = exporterAt(new DirectorySink(dir));
    const pools = { bookings: new Pool({ connectionString: bookingsUrl }), listings: new Pool({ connectionString: listingsUrl }) };
    const write = async (pool: Pool, fn: (tx: RawSql) => Promise<unknown>) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await fn({
          $executeRaw: async (s: TemplateStringsArray, ...v: unknown[]) =>
            (
              await client.query(
                s.reduce((t, p, i) => `${t}$${i}${p}`),
                v,
              )
            ).rowCount ?? 0,
        });
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    };
    try {
      const listingId = randomUUID();
      const stays = [randomUUID(), randomUUID(), randomUUID()];
      const fromOutbox: EventEnvelope[] = [];
      await write(pools.listings, async (tx) =>
        fromOutbox.push(
          await enqueueEvent(
            tx,
            'listings.listing.upserted',
            listingId,
            listing(listingId, 'Porto', '2026-01-01T00:00:00Z').payload as never,
          ),
        ),
      );
      await write(pools.bookings, async (tx) => {
        for (const stayId of stays)
          fromOutbox.push(
            await enqueueEvent(tx, 'bookings.stay.confirmed', stayId, { ...stay(stayId, listingId, '120.00'), instantBook: false }),
          );
      });
      // Older than --since: stays out.
      const old = confirmed(randomUUID(), listingId, '99.00', '2020-01-01T00:00:00.000Z');
      await pools.bookings.query(
        `INSERT INTO outbox_events (id, type, version, aggregate_id, payload, occurred_at) VALUES ($1, $2, 1, $3, $4, $5)`,
        [old.id, old.type, old.aggregateId, JSON.stringify(old.payload), old.occurredAt],
      );
      // The running export took one of them already.
      const bus = new InProcessEventBus(logger);
      await exporter.subscribe(bus);
      await bus.publish([fromOutbox[1]!]);
      await bus.close();

      const lines: string[] = [];
      const since = new Date(Date.now() - 60 * 60_000);
      const sources = [
        { name: 'listings', databaseUrl: listingsUrl },
        { name: 'bookings', databaseUrl: bookingsUrl },
      ];
      const report = await backfillFromOutboxes({ sources, since, exporter, pageSize: 2, progress: (l) => lines.push(l) });
      expect(report.sources).toEqual([
        { name: 'listings', read: 1, staged: 1, invalid: 0 },
        { name: 'bookings', read: 3, staged: 2, invalid: 0 },
      ]);
      expect(lines).toContain('bookings: 2/3 read, 1 new');
      expect(lines).toContain('bookings: 3/3 read, 2 new');

      const again = await backfillFromOutboxes({ sources, since, exporter });
      expect(again.sources.map((s) => s.staged)).toEqual([0, 0]);
      expect(again.written.files).toEqual([]);

      const exported = readExport(dir);
      expect(exported.events.map((e) => e.id).sort()).toEqual(fromOutbox.map((e) => e.id).sort());
      expect(exported.events.map((e) => e.id)).not.toContain(old.id);
    } finally {
      await pools.bookings.end();
      await pools.listings.end();
    }
  });

  it('answers the documented query: bookings and revenue per city per month', async () => {
    const dir = freshDir();
    const exporter = exporterAt(new DirectorySink(dir));
    const bus = new InProcessEventBus(logger);
    await exporter.subscribe(bus);
    const [lisbon, porto] = [randomUUID(), randomUUID()];
    const [s1, s2, s3, s4] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await bus.publish([
      listing(lisbon, 'Lisboa', '2026-10-01T00:00:00.000Z', 1),
      listing(lisbon, 'Lisbon', '2026-10-02T00:00:00.000Z', 2), // renamed: the latest version counts
      listing(porto, 'Porto', '2026-10-01T00:00:00.000Z', 1),
      confirmed(s1, lisbon, '300.00', '2026-11-03T09:00:00.000Z'),
      confirmed(s2, lisbon, '200.50', '2026-11-20T09:00:00.000Z'),
      confirmed(s3, lisbon, '250.00', '2026-12-01T00:00:00.000Z'),
      confirmed(s4, porto, '150.00', '2026-11-05T09:00:00.000Z'),
      cancelled(s4, porto, '150.00', '100.00', '2026-11-06T09:00:00.000Z'),
    ]);
    await bus.drain();
    await bus.close();
    await exporter.flush();

    const pool = new Pool({ connectionString: analyticsUrl, max: 1 });
    try {
      const client = await pool.connect();
      try {
        await client.query('CREATE TEMP TABLE analytics_export (event jsonb NOT NULL)');
        for (const event of readExport(dir).events)
          await client.query('INSERT INTO analytics_export (event) VALUES ($1)', [JSON.stringify(event)]);
        const sql = readFileSync(path.join(REPO_ROOT, 'ops', 'analytics', 'bookings-by-city-month.postgres.sql'), 'utf8');
        const { rows } = await client.query(sql);
        expect(rows).toEqual([
          { city: 'Lisbon', month: '2026-11', currency: 'EUR', bookings: '2', cancelled: '0', revenue: '500.50' },
          { city: 'Porto', month: '2026-11', currency: 'EUR', bookings: '1', cancelled: '1', revenue: '50.00' },
          { city: 'Lisbon', month: '2026-12', currency: 'EUR', bookings: '1', cancelled: '0', revenue: '250.00' },
        ]);
      } finally {
        client.release();
      }
    } finally {
      await pool.end();
    }
  });
});
