import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Pool, type PoolClient } from 'pg';
import pino from 'pino';
import { databaseUrl, dropDatabases, ensureDatabases } from '../db/databases';
import { applyMigrations } from '../db/migrations';
import { testDatabaseUrl } from '../testing';
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
          (await client.query(strings.reduce((text, part, i) => `${text}$${i}${part}`), values)).rowCount ?? 0,
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
    const relays = Array.from({ length: 3 }, () =>
      startOutboxRelay({ databaseUrl: url, bus, logger, batchSize: 16, pollMs: 20 }),
    );
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
});
