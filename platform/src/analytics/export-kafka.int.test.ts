import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import pino from 'pino';
import { databaseUrl, dropDatabases } from '../db/databases';
import { KafkaEventBus } from '../events/kafka-bus';
import { validateEvent, type EventEnvelope } from '../events/contracts';
import { eventually, testDatabaseUrl } from '../testing';
import { createEventExporter, prepareAnalyticsDatabase } from './exporter';
import { DirectorySink } from './sink';

/**
 * The export as production runs it: one consumer group over every event topic of a real Kafka
 * broker at KAFKA_BROKERS (`bash .ci/services/kafka.sh start`), its own topic prefix per run.
 */
const BROKERS = (process.env['KAFKA_BROKERS'] ?? '')
  .split(',')
  .map((b) => b.trim())
  .filter(Boolean);
const describeKafka = BROKERS.length > 0 ? describe : describe.skip;
if (BROKERS.length === 0) console.warn('[export-kafka.int.test] KAFKA_BROKERS is not set: skipping the analytics export on Kafka.');

const logger = pino({ level: 'silent' });

function readIds(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ndjson.gz'))
    .flatMap((f) =>
      gunzipSync(readFileSync(path.join(dir, f)))
        .toString('utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as EventEnvelope).id),
    );
}

describeKafka('analytics export on Kafka', () => {
  const accountsUrl = new URL(testDatabaseUrl('accounts'));
  const serverUrl = new URL(accountsUrl);
  serverUrl.pathname = '/postgres';
  const database = `${accountsUrl.pathname.slice(1)}_analytics_kafka`;
  const url = databaseUrl(serverUrl.toString(), database);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'market-export-kafka-'));

  beforeAll(() => prepareAnalyticsDatabase(url));
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await dropDatabases(serverUrl.toString(), [database]);
  });

  it('writes each event of every topic once, although the relay published it twice', async () => {
    const bus = await KafkaEventBus.connect({
      brokers: BROKERS,
      clientId: 'analytics-test',
      logger,
      topicPrefix: `t-analytics-${randomUUID().slice(0, 8)}`,
      partitions: 2,
    });
    const exporter = createEventExporter({ databaseUrl: url, sink: new DirectorySink(dir), logger });
    try {
      await exporter.subscribe(bus);
      const listingId = randomUUID();
      const userId = randomUUID();
      const events = [
        validateEvent({
          id: randomUUID(),
          type: 'accounts.user.registered',
          version: 1,
          aggregateId: userId,
          occurredAt: new Date().toISOString(),
          payload: { userId, name: 'Ana', role: 'HOST' },
        }),
        ...[1, 2, 3].map((version) =>
          validateEvent({
            id: randomUUID(),
            type: 'listings.listing.upserted',
            version: 1,
            aggregateId: listingId,
            occurredAt: new Date().toISOString(),
            payload: {
              listingId,
              ownerId: userId,
              title: 'Flat',
              kind: 'RENT',
              status: 'ACTIVE',
              price: null,
              pricePerNight: '80.00',
              currency: 'EUR',
              maxGuests: 2,
              timeZone: 'UTC',
              city: 'Porto',
              version,
            },
          }),
        ),
      ];
      await bus.publish(events);
      await bus.publish(events);
      const ids = events.map((e) => e.id).sort();
      await eventually(
        async () => {
          await exporter.flush();
          return readIds(dir).length >= ids.length;
        },
        { timeoutMs: 60_000, intervalMs: 500, what: 'the events in the export' },
      );
      // The duplicates arrive after the originals on each partition; give them time to be skipped.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      await exporter.flush();
      expect(readIds(dir).sort()).toEqual(ids);
    } finally {
      await bus.close();
      await exporter.close();
    }
  });
});
