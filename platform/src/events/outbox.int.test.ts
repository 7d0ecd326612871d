import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Pool, type PoolClient } from 'pg';
import pino from 'pino';
import { databaseUrl, dropDatabases, ensureDatabases } from '../db/databases';
import { applyMigrations } from '../db/migrations';
import { testDatabaseUrl, eventually } from '../testing';
import type { DeadLetter, EventBus } from './bus';
import type { EventEnvelope } from './contracts';
import { enqueueEvent, startOutboxRelay, type RawSql } from './outbox';

/**
 * The relay against the test run's real PostgreSQL, on a database of its own migrated like accounts
 * (a relay on a shared test database would take other suites' events), with a
 * bus that records what it was given and takes a random while to accept each batch, so relays that
 * published side by side would show it as reordered events.
 */
const UPSERTED = 'listings.listing.upserted' as const;
const logger = pino({ level: 'silent' });

class RecordingBus implements EventBus {
  readonly published: EventEnvelope[] = [];
  async publish(events: EventEnvelope[]): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 15));
    this.published.push(...events);
  }
  async subscribe(): Promise<void> {}
  async deadLetters(): Promise<DeadLetter[]> {
    return [];
  }
  async replayDeadLetter(): Promise<boolean> {
    return false;
  }
  async close(): Promise<void> {}
}

const titleNumber = (event: EventEnvelope) => Number((event.payload as { title: string }).title.split('#')[1]);

describe('outbox relay (PostgreSQL)', () => {
  const accountsUrl = new URL(testDatabaseUrl('accounts'));
  const serverUrl = new URL(accountsUrl);
  serverUrl.pathname = '/postgres';
  const database = `${accountsUrl.pathname.slice(1)}_outbox`;
  const url = databaseUrl(serverUrl.toString(), database);
  let pool: Pool;

  beforeAll(async () => {
    await ensureDatabases(serverUrl.toString(), [database]);
    const dir = path.resolve(__dirname, '..', '..', '..', 'prisma', 'accounts');
    await applyMigrations({ databaseUrl: url, migrationsDir: path.join(dir, 'migrations'), schemaPath: path.join(dir, 'schema.prisma') });
    pool = new Pool({ connectionString: url, max: 8 });
    pool.on('error', () => undefined);
  });
  afterAll(async () => {
    await pool?.end();
    await dropDatabases(serverUrl.toString(), [database]);
  });

  async function inTransaction(fn: (tx: RawSql) => Promise<void>): Promise<void> {
    const client: PoolClient = await pool.connect();
    try {
      await client.query('BEGIN');
      await fn({
        $executeRaw: async (strings: TemplateStringsArray, ...values: unknown[]) =>
          (
            await client.query(
              strings.reduce((text, part, i) => `${text}$${i}${part}`),
              values,
            )
          ).rowCount ?? 0,
      });
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK');
      throw err;
    } finally {
      client.release();
    }
  }

  const upserted = (listingId: string, n: number) => ({
    listingId,
    ownerId: 'owner-1',
    title: `Listing #${n}`,
    kind: 'SALE' as const,
    status: 'ACTIVE',
    price: `${100 + n}.00`,
    pricePerNight: null,
    currency: 'EUR',
    maxGuests: null,
    timeZone: 'Europe/Berlin',
  });

  async function drain(relays: { flush(): Promise<number> }[], bus: RecordingBus, expected: (e: EventEnvelope) => boolean, count: number) {
    const deadline = Date.now() + 30_000;
    while (bus.published.filter(expected).length < count && Date.now() < deadline) {
      await Promise.all(relays.map((r) => r.flush()));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('publishes the events of one transaction (one millisecond) in the order they were written', async () => {
    const listingId = randomUUID();
    await inTransaction(async (tx) => {
      for (let n = 0; n < 300; n++) await enqueueEvent(tx, UPSERTED, listingId, upserted(listingId, n));
    });
    const bus = new RecordingBus();
    const relay = startOutboxRelay({ databaseUrl: url, bus, logger, batchSize: 64, pollMs: 50 });
    try {
      const mine = (e: EventEnvelope) => e.aggregateId === listingId;
      await drain([relay], bus, mine, 300);
      expect(bus.published.filter(mine).map(titleNumber)).toEqual(Array.from({ length: 300 }, (_, n) => n));
    } finally {
      await relay.stop();
    }
  });

  it('keeps each aggregate in order with three relays on one database, publishing each event once', async () => {
    const aggregates: string[] = Array.from({ length: 6 }, () => randomUUID());
    const perAggregate = 120;
    const bus = new RecordingBus();
    const relays = Array.from({ length: 3 }, () => startOutboxRelay({ databaseUrl: url, bus, logger, batchSize: 16, pollMs: 20 }));
    try {
      // Writers interleave aggregates while the relays run, one small transaction per event.
      await Promise.all(
        aggregates.map(async (listingId) => {
          for (let n = 0; n < perAggregate; n++) {
            await inTransaction((tx) => enqueueEvent(tx, UPSERTED, listingId, upserted(listingId, n)).then(() => undefined));
          }
        }),
      );
      const mine = (e: EventEnvelope) => aggregates.includes(e.aggregateId);
      await drain(relays, bus, mine, aggregates.length * perAggregate);
      const ids = bus.published.filter(mine).map((e) => e.id);
      expect(ids).toHaveLength(aggregates.length * perAggregate);
      expect(new Set(ids).size).toBe(ids.length);
      for (const listingId of aggregates) {
        const order = bus.published.filter((e) => e.aggregateId === listingId).map(titleNumber);
        expect(order).toEqual(Array.from({ length: perAggregate }, (_, n) => n));
      }
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
    }
  });

  /** The backends LISTENing on this database (the relay's listener shows its last query). */
  async function listenerPids(): Promise<number[]> {
    const { rows } = await pool.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()`,
    );
    return rows.map((r) => r.pid);
  }

  async function enqueueOne(): Promise<EventEnvelope> {
    const listingId = randomUUID();
    let event: EventEnvelope | undefined;
    await inTransaction(async (tx) => {
      event = await enqueueEvent(tx, UPSERTED, listingId, upserted(listingId, 1));
    });
    return event!;
  }

  it('LISTENs again after its connection is terminated, so events go out at once instead of at the next poll', async () => {
    const bus = new RecordingBus();
    // A poll this long cannot explain any delivery below: only a NOTIFY (or a flush on reconnecting) can.
    const relay = startOutboxRelay({ databaseUrl: url, bus, logger, pollMs: 600_000, maxListenRetryMs: 200 });
    const published = (id: string) => (bus.published.some((e) => e.id === id) ? true : undefined);
    try {
      const [first] = await eventually(async () => ((await listenerPids()).length === 1 ? listenerPids() : undefined), {
        what: 'the relay to LISTEN',
        timeoutMs: 10_000,
      });
      await pool.query('SELECT pg_terminate_backend($1)', [first]);
      await eventually(async () => ((await listenerPids()).includes(first!) ? undefined : true), {
        what: 'the old LISTEN backend to go',
        timeoutMs: 5_000,
      });

      // Committed while nobody listens: the flush after reconnecting sends it.
      const missed = await enqueueOne();
      await eventually(() => published(missed.id), { what: 'the event committed while the listener was down', timeoutMs: 5_000 });

      // And NOTIFY works again: a new event arrives within normal latency.
      const [second] = await eventually(
        async () => {
          const pids = await listenerPids();
          return pids.length === 1 && pids[0] !== first ? pids : undefined;
        },
        { what: 'a new LISTEN connection', timeoutMs: 5_000 },
      );
      expect(second).not.toBe(first);
      const started = Date.now();
      const fresh = await enqueueOne();
      await eventually(() => published(fresh.id), { what: 'the event committed after reconnecting', timeoutMs: 5_000 });
      expect(Date.now() - started).toBeLessThan(500);
    } finally {
      await relay.stop();
    }
  });

  it('publishes what is still pending when stopped', async () => {
    const bus = new RecordingBus();
    const relay = startOutboxRelay({ databaseUrl: url, bus, logger, pollMs: 600_000 });
    await eventually(async () => ((await listenerPids()).length === 1 ? true : undefined), {
      what: 'the relay to LISTEN',
      timeoutMs: 10_000,
    });
    await relay.flush();
    // Rows committed without a NOTIFY, as if the relay's last poll had just passed: only stop()'s
    // final flush can publish them.
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const listingId = randomUUID();
    for (const [n, id] of ids.entries()) {
      await pool.query(
        `INSERT INTO outbox_events (id, type, version, aggregate_id, payload, occurred_at) VALUES ($1::uuid, $2, 1, $3, $4::jsonb, now())`,
        [id, UPSERTED, listingId, JSON.stringify(upserted(listingId, n))],
      );
    }
    await relay.stop();
    expect(bus.published.filter((e) => e.aggregateId === listingId).map((e) => e.id)).toEqual(ids);
    const { rows } = await pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM outbox_events WHERE id = ANY($1::uuid[]) AND published_at IS NULL',
      [ids],
    );
    expect(rows[0]?.n).toBe(0);
  });
});
