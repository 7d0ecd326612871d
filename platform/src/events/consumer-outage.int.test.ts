import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapter } from '@prisma/driver-adapter-utils';
import { Pool } from 'pg';
import pino from 'pino';
import { databaseUrl, dropDatabases, ensureDatabases } from '../db/databases';
import { testDatabaseUrl, unique } from '../testing';
import type { EventBus, EventCounters, RetryPolicy } from './bus';
import type { EventEnvelope } from './contracts';
import { InProcessEventBus } from './in-process-bus';
import { KafkaEventBus } from './kafka-bus';
import { consumeEvents, type RawSql } from './outbox';

/**
 * A consumer's database goes away for 30 s while events keep coming. The consumer reaches
 * PostgreSQL through a TCP proxy that the test cuts (listening socket closed: new connections are
 * refused; live connections reset, mid-transaction ones included) and restores. Two consumer
 * groups: one on node-postgres, one on Prisma's driver adapter (@prisma/adapter-pg, what every
 * subgraph's Prisma client runs on), so both families of connection errors are met.
 *
 * The retry budget is 2 s: an outage mistaken for an unknown failure would be dead-lettered within
 * the test. Afterwards every effect must exist exactly once and no dead letter may exist.
 */
const UPSERTED = 'listings.listing.upserted' as const;
const OUTAGE_MS = 30_000;
const RETRY: RetryPolicy = { initialDelayMs: 50, maxDelayMs: 1_000, budgetMs: 2_000 };
const BROKERS = (process.env['KAFKA_BROKERS'] ?? '')
  .split(',')
  .map((b) => b.trim())
  .filter(Boolean);
const itKafka = BROKERS.length > 0 ? it : it.skip;
const logger = pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A TCP proxy to PostgreSQL that can be cut (refusing and resetting connections) and restored on the same port. */
class SwitchableProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(private readonly upstream: { host: string; port: number }) {}

  async open(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.upstream.port, this.upstream.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    server.listen(this.port, '127.0.0.1');
    await once(server, 'listening');
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  /** Nothing listens any more (connect: ECONNREFUSED) and every live connection is reset. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    const closed = server ? new Promise((resolve) => server.close(resolve)) : Promise.resolve();
    for (const socket of this.sockets) socket.resetAndDestroy();
    await closed;
  }
}

/** An interactive transaction on node-postgres, shaped like Prisma's: all the inbox needs. */
function pgTransaction(pool: Pool) {
  return async <R>(fn: (tx: RawSql) => Promise<R>): Promise<R> => {
    const client = await pool.connect();
    // A checked-out client whose socket dies emits 'error' besides failing its query; unheard, that
    // would crash the process (Prisma's adapter listens the same way).
    const ignore = () => undefined;
    client.on('error', ignore);
    try {
      await client.query('BEGIN');
      const result = await fn({
        $executeRaw: async (strings, ...values) =>
          (
            await client.query(
              strings.reduce((text, part, i) => `${text}$${i}${part}`),
              values,
            )
          ).rowCount ?? 0,
      });
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.removeListener('error', ignore);
      client.release();
    }
  };
}

/** The same on Prisma's driver adapter, driven the way Prisma's transaction manager drives it. */
function adapterTransaction(adapter: SqlDriverAdapter) {
  const statement = (sql: string, args: unknown[] = []) => ({
    sql,
    args,
    argTypes: args.map(() => ({ scalarType: 'string' as const, arity: 'scalar' as const })),
  });
  return async <R>(fn: (tx: RawSql) => Promise<R>): Promise<R> => {
    const tx = await adapter.startTransaction();
    try {
      const result = await fn({
        $executeRaw: (strings, ...values) =>
          tx.executeRaw(
            statement(
              strings.reduce((text, part, i) => `${text}$${i}${part}`),
              values,
            ),
          ),
      });
      await tx.executeRaw(statement('COMMIT'));
      await tx.commit();
      return result;
    } catch (err) {
      await tx.executeRaw(statement('ROLLBACK')).catch(() => undefined);
      await tx.rollback().catch(() => undefined);
      throw err;
    }
  };
}

function listingUpserted(listingId: string, n: number): EventEnvelope<typeof UPSERTED> {
  return {
    id: randomUUID(),
    type: UPSERTED,
    version: 1,
    aggregateId: listingId,
    occurredAt: new Date().toISOString(),
    payload: {
      listingId,
      ownerId: 'owner-1',
      title: `Listing #${n}`,
      kind: 'SALE',
      status: 'ACTIVE',
      price: `${100 + n}.00`,
      pricePerNight: null,
      currency: 'EUR',
      maxGuests: null,
      timeZone: 'Europe/Berlin',
    },
  };
}

describe('consumers through a 30 s database outage', () => {
  const accountsUrl = new URL(testDatabaseUrl('accounts'));
  const serverUrl = new URL(accountsUrl);
  serverUrl.pathname = '/postgres';
  const database = `${accountsUrl.pathname.slice(1)}_outage`;
  const directUrl = databaseUrl(serverUrl.toString(), database);
  let admin: Pool;

  beforeAll(async () => {
    await ensureDatabases(serverUrl.toString(), [database]);
    admin = new Pool({ connectionString: directUrl, max: 2 });
    await admin.query(
      `CREATE TABLE IF NOT EXISTS inbox_events (consumer text NOT NULL, event_id uuid NOT NULL, PRIMARY KEY (consumer, event_id))`,
    );
    // No unique key: an effect applied twice would show as two rows.
    await admin.query(`CREATE TABLE IF NOT EXISTS effects (consumer text NOT NULL, event_id uuid NOT NULL, listing_id text NOT NULL)`);
  });
  afterAll(async () => {
    await admin?.end();
    await dropDatabases(serverUrl.toString(), [database]);
  });

  async function survivesOutage(bus: EventBus & { counters: EventCounters }, run: string) {
    const proxy = new SwitchableProxy({ host: serverUrl.hostname, port: Number(serverUrl.port || 5432) });
    await proxy.open();
    const proxiedUrl = new URL(directUrl);
    proxiedUrl.host = `127.0.0.1:${proxy.port}`;
    const pool = new Pool({ connectionString: proxiedUrl.toString(), max: 4, connectionTimeoutMillis: 2_000 });
    pool.on('error', () => undefined);
    const adapter = await new PrismaPg({ connectionString: proxiedUrl.toString(), max: 4, connectionTimeoutMillis: 2_000 }).connect();
    const groups = { pg: `${run}-pg`, prisma: `${run}-prisma` };
    const effect = (group: string) => async (event: EventEnvelope<typeof UPSERTED>, tx: RawSql) => {
      await tx.$executeRaw`INSERT INTO effects (consumer, event_id, listing_id) VALUES (${group}, ${event.id}::uuid, ${event.aggregateId})`;
    };
    await consumeEvents({ bus, consumer: groups.pg, transaction: pgTransaction(pool), handlers: { [UPSERTED]: effect(groups.pg) } });
    await consumeEvents({
      bus,
      consumer: groups.prisma,
      transaction: adapterTransaction(adapter),
      handlers: { [UPSERTED]: effect(groups.prisma) },
    });

    const listings = Array.from({ length: 8 }, () => randomUUID());
    const published: string[] = [];
    let publishing = true;
    const publisher = (async () => {
      for (let n = 0; publishing; n++) {
        const event = listingUpserted(listings[n % listings.length]!, n);
        await bus.publish([event]);
        published.push(event.id);
        await sleep(100);
      }
    })();
    const effects = async (group: string) =>
      (await admin.query<{ event_id: string }>('SELECT event_id FROM effects WHERE consumer = $1', [group])).rows.map((r) => r.event_id);

    try {
      await sleep(2_000);
      const before = { pg: (await effects(groups.pg)).length, prisma: (await effects(groups.prisma)).length };
      expect(before.pg).toBeGreaterThan(0);
      expect(before.prisma).toBeGreaterThan(0);

      await proxy.cut();
      const publishedBeforeCut = published.length;
      await sleep(OUTAGE_MS);
      const publishedDuringOutage = published.length - publishedBeforeCut;
      // Fifteen times the retry budget later, nothing may have been given up on.
      expect(bus.counters.deadLetterCount()).toBe(0);
      await proxy.open();
      await sleep(3_000);
      publishing = false;
      await publisher;

      const deadline = Date.now() + 60_000;
      for (;;) {
        const counts = [(await effects(groups.pg)).length, (await effects(groups.prisma)).length];
        if (counts.every((c) => c >= published.length)) break;
        if (Date.now() > deadline) throw new Error(`effects after the outage: ${counts.join(' / ')} of ${published.length}`);
        await sleep(200);
      }
      await sleep(500);
      for (const group of Object.values(groups)) {
        const ids = await effects(group);
        expect(ids).toHaveLength(published.length);
        expect(new Set(ids)).toEqual(new Set(published));
      }
      // The stream went on through the outage (one event per 100 ms when the machine is quiet; the
      // count is not a speed figure, only proof that events kept arriving while the database was away).
      expect(publishedDuringOutage).toBeGreaterThan(50);
      expect(await bus.deadLetters()).toEqual([]);
      expect(bus.counters.deadLetterCount()).toBe(0);
      // The outage did reach both consumers, and every failure was recognised as the outage it was; none counted against the retry budget.
      expect(bus.counters.failureCount({ group: groups.pg, failure: 'infrastructure' })).toBeGreaterThan(0);
      expect(bus.counters.failureCount({ group: groups.prisma, failure: 'infrastructure' })).toBeGreaterThan(0);
      expect(bus.counters.failureCount({ failure: 'unknown' })).toBe(0);
    } finally {
      publishing = false;
      await publisher.catch(() => undefined);
      await proxy.cut();
      await pool.end().catch(() => undefined);
      await adapter.dispose().catch(() => undefined);
    }
  }

  it('in-process bus: retries through the outage, every effect once, no dead letters', async () => {
    const bus = new InProcessEventBus(logger, RETRY);
    try {
      await survivesOutage(bus, unique('outage'));
    } finally {
      await bus.close();
    }
  }, 150_000);

  itKafka(
    'Kafka bus: holds the partitions through the outage, every effect once, no dead letters',
    async () => {
      const run = unique('outage');
      const bus = await KafkaEventBus.connect({
        brokers: BROKERS,
        clientId: run,
        logger,
        topicPrefix: run,
        partitions: 3,
        replicationFactor: 1,
        retry: RETRY,
        consumer: { sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1_000, commitIntervalMs: 200 },
        deadLetterReadTimeoutMs: 15_000,
      });
      try {
        await survivesOutage(bus, run);
      } finally {
        await bus.close();
      }
    },
    180_000,
  );
});
