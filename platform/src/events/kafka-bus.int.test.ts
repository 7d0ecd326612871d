import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import path from 'node:path';
import { promisify } from 'node:util';
import { Kafka, Partitioners, logLevel, type Admin } from 'kafkajs';
import { Pool } from 'pg';
import pino from 'pino';
import { testDatabaseUrl, unique, eventually } from '../testing';
import type { EventBus } from './bus';
import type { EventEnvelope } from './contracts';
import { runDeadLettersCommand } from './dead-letters-cli';
import { KafkaEventBus, type KafkaEventBusOptions } from './kafka-bus';
import { consumeEvents, enqueueEvent, startOutboxRelay, type RawSql } from './outbox';

/**
 * Against a real Kafka broker at KAFKA_BROKERS (`bash .ci/services/kafka.sh start`), and the test
 * run's PostgreSQL for the outbox/inbox fault tests. Every run uses its own topic prefix.
 */
const BROKERS = (process.env['KAFKA_BROKERS'] ?? '')
  .split(',')
  .map((b) => b.trim())
  .filter(Boolean);
const describeKafka = BROKERS.length > 0 ? describe : describe.skip;
if (BROKERS.length === 0) {
  console.warn(
    '[kafka-bus.int.test] KAFKA_BROKERS is not set: skipping the Kafka integration suite. ' +
      'Run `bash .ci/services/kafka.sh start`, then `KAFKA_BROKERS=127.0.0.1:9092 npx jest platform/src/events/kafka-bus`.',
  );
}

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const KAFKA_SH = path.join(REPO_ROOT, '.ci', 'services', 'kafka.sh');
const RUN = unique('kbus');
const UPSERTED = 'listings.listing.upserted' as const;
const FAST_RETRY = { attempts: 3, initialDelayMs: 50, maxDelayMs: 200 };
const exec = promisify(execFile);

interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

function captureLogger() {
  const lines: LogLine[] = [];
  const logger = pino(
    { level: 'info', formatters: { level: (label) => ({ level: label }) } },
    { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) },
  );
  return { logger, lines };
}

function listingUpserted(listingId: string, seq: number): EventEnvelope<typeof UPSERTED> {
  return {
    id: randomUUID(),
    type: UPSERTED,
    version: 1,
    aggregateId: listingId,
    occurredAt: new Date().toISOString(),
    payload: upsertedPayload(listingId, seq),
  };
}

function upsertedPayload(listingId: string, seq: number) {
  return {
    listingId,
    ownerId: 'owner-1',
    title: `Listing #${seq}`,
    kind: 'SALE' as const,
    status: 'ACTIVE',
    price: `${100 + seq}.00`,
    pricePerNight: null,
    currency: 'EUR',
    maxGuests: null,
    timeZone: 'Europe/Berlin',
  };
}

const seqOf = (event: EventEnvelope) => Number((event.payload as { title: string }).title.split('#')[1]);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A pg transaction shaped like Prisma's interactive one: all the outbox and inbox need. */
function pgTransaction(pool: Pool) {
  return async <R>(fn: (tx: RawSql) => Promise<R>): Promise<R> => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const tx: RawSql = {
        $executeRaw: async (strings, ...values) => {
          const sql = strings.reduce((text, part, i) => `${text}$${i}${part}`);
          return (await client.query(sql, values)).rowCount ?? 0;
        },
      };
      const result = await fn(tx);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  };
}

/** Passes everything through to `bus`, and records every delivery a listener gets. */
function recordingBus(bus: EventBus, deliveries: string[]): EventBus {
  return {
    publish: (events) => bus.publish(events),
    subscribe: (group, types, listener) =>
      bus.subscribe(group, types, async (event) => {
        deliveries.push(event.id);
        await listener(event);
      }),
    deadLetters: () => bus.deadLetters(),
    replayDeadLetter: (id) => bus.replayDeadLetter(id),
    close: () => bus.close(),
  };
}

describeKafka('KafkaEventBus against a real broker', () => {
  const kafka = new Kafka({ clientId: `kafka-bus-test-${RUN}`, brokers: BROKERS, logLevel: logLevel.NOTHING });
  let admin: Admin;
  const opened: KafkaEventBus[] = [];
  let { logger, lines } = captureLogger();

  const prefixFor = (name: string) => `${RUN}-${name}`;
  async function openBus(prefix: string, extra: Partial<KafkaEventBusOptions> = {}): Promise<KafkaEventBus> {
    const bus = await KafkaEventBus.connect({
      brokers: BROKERS,
      clientId: `kafka-bus-test-${RUN}`,
      logger,
      topicPrefix: prefix,
      retry: FAST_RETRY,
      ...extra,
    });
    opened.push(bus);
    return bus;
  }

  async function groupMembers(groupId: string): Promise<number> {
    const { groups } = await admin.describeGroups([groupId]);
    const group = groups[0];
    return group && group.state === 'Stable' ? group.members.length : 0;
  }

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
  });
  beforeEach(() => {
    ({ logger, lines } = captureLogger());
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((bus) => bus.close()));
  });
  afterAll(async () => {
    // Leaves the broker as it was: this run's groups and topics go.
    const { groups } = await admin.listGroups();
    const runGroups = groups.map((g) => g.groupId).filter((g) => g.startsWith(RUN));
    if (runGroups.length > 0)
      await admin.deleteGroups(runGroups).catch((err) => console.warn(`[kafka-bus] could not delete groups: ${err}`));
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(RUN));
    for (let i = 0; i < topics.length; i += 50) {
      await admin
        .deleteTopics({ topics: topics.slice(i, i + 50), timeout: 30_000 })
        .catch((err) => console.warn(`[kafka-bus] could not delete topics: ${err}`));
    }
    await admin.disconnect();
  });

  it('creates a topic per aggregate stream and a dead-letter topic, with the configured partitions', async () => {
    const bus = await openBus(prefixFor('topics'), { partitions: 3 });
    const { topics } = await admin.fetchTopicMetadata({ topics: [bus.topicFor(UPSERTED), bus.deadLetterTopic] });
    expect(topics.map((t) => [t.name, t.partitions.length]).sort()).toEqual([
      [`${prefixFor('topics')}.dead-letters`, 1],
      [`${prefixFor('topics')}.listings.listing`, 3],
    ]);
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2 /* TOPIC */, name: bus.deadLetterTopic, configNames: ['cleanup.policy'] }],
    });
    expect(configs.resources[0]?.configEntries[0]?.configValue).toBe('compact');
  });

  it('delivers each event once to a group, in order per aggregate', async () => {
    const bus = await openBus(prefixFor('order'));
    const received: EventEnvelope[] = [];
    await bus.subscribe('orders', [UPSERTED], async (event) => void received.push(event));

    const aggregates = ['a', 'b', 'c'].map((name) => `listing-${name}-${randomUUID()}`);
    const events = range(50).flatMap((seq) => aggregates.map((a) => listingUpserted(a, seq)));
    const started = Date.now();
    for (let i = 0; i < events.length; i += 25) await bus.publish(events.slice(i, i + 25));
    await eventually(() => received.length >= 150, { what: '150 events', timeoutMs: 60_000 });
    const elapsed = Date.now() - started;
    await sleep(1_000); // a duplicate would show up by now

    expect(received).toHaveLength(150);
    expect(new Set(received.map((e) => e.id)).size).toBe(150);
    for (const aggregate of aggregates) {
      expect(received.filter((e) => e.aggregateId === aggregate).map(seqOf)).toEqual(range(50));
    }
    expect(received.find((e) => e.id === events[0]?.id)).toEqual(events[0]);
    // Written once each: the idempotent producer added no duplicates to the log.
    const offsets = await admin.fetchTopicOffsets(bus.topicFor(UPSERTED));
    expect(offsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(150);
    console.log(`[kafka-bus] 150 events published and consumed in ${elapsed} ms`);
  });

  it('gives every group every event and splits one group between its members', async () => {
    const prefix = prefixFor('groups');
    const first = await openBus(prefix);
    const second = await openBus(prefix); // another process
    const audit: string[] = [];
    const notify: string[] = [];
    const workers: [string[], string[]] = [[], []];
    await first.subscribe('audit', [UPSERTED], async (e) => void audit.push(e.id));
    await second.subscribe('notify', [UPSERTED], async (e) => void notify.push(e.id));
    await first.subscribe('workers', [UPSERTED], async (e) => void workers[0].push(e.id));
    await second.subscribe('workers', [UPSERTED], async (e) => void workers[1].push(e.id));
    await eventually(async () => (await groupMembers(`${prefix}.workers`)) === 2, {
      what: 'both workers in the group',
      timeoutMs: 60_000,
      intervalMs: 200,
    });

    const events = range(120).map((i) => listingUpserted(`listing-${i}-${randomUUID()}`, 0));
    const ids = events.map((e) => e.id).sort();
    await first.publish(events);
    await eventually(() => audit.length >= 120 && notify.length >= 120 && workers[0].length + workers[1].length >= 120, {
      what: 'every group to have every event',
      timeoutMs: 60_000,
    });
    await sleep(1_000);

    expect([...audit].sort()).toEqual(ids);
    expect([...notify].sort()).toEqual(ids);
    expect([...workers[0], ...workers[1]].sort()).toEqual(ids);
    expect(workers[0].length).toBeGreaterThan(0);
    expect(workers[1].length).toBeGreaterThan(0);
  });

  it('retries a failing listener in place, buries one that keeps failing, and replays it', async () => {
    const prefix = prefixFor('retry');
    const bus = await openBus(prefix);
    const listing = `listing-${randomUUID()}`;
    const [flaky, poison, after] = [listingUpserted(listing, 0), listingUpserted(listing, 1), listingUpserted(listing, 2)] as const;
    const attempts = new Map<string, number>();
    const handled: string[] = [];
    let poisonFixed = false;
    await bus.subscribe('projector', [UPSERTED], async (event) => {
      const attempt = (attempts.get(event.id) ?? 0) + 1;
      attempts.set(event.id, attempt);
      if (event.id === flaky.id && attempt <= 2) throw new Error(`flaky failure ${attempt}`);
      if (event.id === poison.id && !poisonFixed) throw new Error('poison: cannot be handled');
      handled.push(event.id);
    });
    await bus.publish([flaky, poison, after]);
    await eventually(() => handled.includes(after.id), { what: 'the event after the poison one', timeoutMs: 60_000 });

    expect(attempts.get(flaky.id)).toBe(3);
    expect(attempts.get(poison.id)).toBe(FAST_RETRY.attempts);
    expect(handled).toEqual([flaky.id, after.id]);
    expect(lines.filter((l) => l.msg === 'event handler failed; retrying')).toHaveLength(2 + (FAST_RETRY.attempts - 1));
    // One structured line and one count per dead letter.
    expect(lines.filter((l) => l.msg === 'event moved to dead letters')).toEqual([
      expect.objectContaining({
        level: 'error',
        group: 'projector',
        eventId: poison.id,
        type: UPSERTED,
        reason: 'retries-exhausted',
        failure: 'unknown',
        attempts: FAST_RETRY.attempts,
      }),
    ]);
    expect(bus.counters.deadLetterCount({ group: 'projector', type: UPSERTED })).toBe(1);

    // Any process sees the dead letter: a fresh bus reads it from the topic.
    const operator = await openBus(prefix);
    const letters = await operator.deadLetters();
    expect(letters).toEqual([
      {
        id: expect.any(String),
        group: 'projector',
        error: 'poison: cannot be handled',
        failedAt: expect.any(String),
        event: JSON.parse(JSON.stringify(poison)),
        source: { topic: bus.topicFor(UPSERTED), partition: expect.any(Number), offset: '1', key: listing },
      },
    ]);
    const letter = letters[0]!;
    const output: string[] = [];
    expect(await runDeadLettersCommand(operator, ['list'], (line) => output.push(line))).toBe(0);
    expect(output.join('\n')).toContain(`${letter.id}  ${letter.failedAt}  group=projector  ${UPSERTED} ${poison.id}`);

    poisonFixed = true;
    output.length = 0;
    expect(await runDeadLettersCommand(operator, ['replay', letter.id], (line) => output.push(line))).toBe(0);
    expect(output).toEqual([`replayed ${letter.id}`]);
    await eventually(() => handled.includes(poison.id), { what: 'the replayed event', timeoutMs: 60_000 });
    expect(handled).toEqual([flaky.id, after.id, poison.id]);
    expect(await operator.deadLetters()).toEqual([]);
    expect(await bus.deadLetters()).toEqual([]);
    expect(await bus.replayDeadLetter(letter.id)).toBe(false);
    expect(await runDeadLettersCommand(operator, ['replay', letter.id], () => undefined)).toBe(1);
  });

  it('sends invalid messages straight to dead letters and keeps consuming', async () => {
    const bus = await openBus(prefixFor('invalid'));
    const handled: EventEnvelope[] = [];
    let calls = 0;
    await bus.subscribe('strict', [UPSERTED], async (event) => {
      calls++;
      handled.push(event);
    });
    const listing = `listing-${randomUUID()}`;
    const valid = listingUpserted(listing, 0);
    const raw = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await raw.connect();
    await raw.send({
      topic: bus.topicFor(UPSERTED),
      messages: [
        { key: listing, value: 'this is not json {' },
        { key: listing, value: JSON.stringify({ ...valid, id: randomUUID(), version: 2 }) },
        { key: listing, value: JSON.stringify({ ...valid, id: randomUUID(), payload: { listingId: listing } }) },
        { key: listing, value: JSON.stringify({ ...valid, id: randomUUID(), type: 'accounts.user.deleted', payload: { userId: 'u' } }) },
        // Same stream, a type this group does not handle: passed over, neither delivered nor buried.
        {
          key: listing,
          value: JSON.stringify({
            ...valid,
            id: randomUUID(),
            type: 'listings.listing.deleted',
            payload: { listingId: listing, ownerId: 'o' },
          }),
        },
        { key: listing, value: null },
        { key: listing, value: JSON.stringify(valid) },
      ],
    });
    await raw.disconnect();
    await eventually(() => handled.length === 1, { what: 'the valid event', timeoutMs: 60_000 });

    expect(calls).toBe(1);
    expect(handled[0]).toEqual(valid);
    const letters = await bus.deadLetters();
    expect(letters.map((l) => [l.group, l.source.offset, l.error])).toEqual([
      ['strict', '0', 'message value is not JSON'],
      ['strict', '1', 'listings.listing.upserted version 2 is not 1'],
      ['strict', '2', expect.stringMatching(/^listings\.listing\.upserted: ownerId: .*; title: /)],
      ['strict', '3', `accounts.user.deleted does not belong on topic ${bus.topicFor(UPSERTED)}`],
      ['strict', '5', 'empty message'],
    ]);
    expect(letters[0]?.event).toBe('this is not json {');
    expect(lines.filter((l) => l.msg === 'event handler failed; retrying')).toEqual([]);
    expect(bus.counters.deadLetterCount({ group: 'strict' })).toBe(5);
    expect(lines.filter((l) => l.msg === 'event moved to dead letters' && l['reason'] === 'permanent')).toHaveLength(5);
  });

  describe('with the outbox and the inbox (PostgreSQL)', () => {
    const databaseUrl = () => testDatabaseUrl('accounts');
    let pool: Pool;

    beforeAll(async () => {
      pool = new Pool({ connectionString: databaseUrl(), max: 12 });
      await pool.query(`CREATE TABLE IF NOT EXISTS kafka_fault_effects (
        event_id uuid PRIMARY KEY, consumer text NOT NULL, n int NOT NULL)`);
    });
    afterAll(async () => {
      await pool.end();
    });

    /** Applies each event by bumping its own counter: a second application would make n = 2. */
    const effectHandlers = (consumer: string) => ({
      [UPSERTED]: async (event: EventEnvelope<typeof UPSERTED>, tx: RawSql) => {
        await tx.$executeRaw`INSERT INTO kafka_fault_effects (event_id, consumer, n) VALUES (${event.id}::uuid, ${consumer}, 1)
          ON CONFLICT (event_id) DO UPDATE SET n = kafka_fault_effects.n + 1`;
      },
    });

    async function effects(consumer: string): Promise<{ rows: number; applications: number; maxN: number }> {
      const { rows } = await pool.query<{ rows: string; applications: string | null; max_n: number | null }>(
        'SELECT count(*) AS rows, sum(n) AS applications, max(n) AS max_n FROM kafka_fault_effects WHERE consumer = $1',
        [consumer],
      );
      const row = rows[0]!;
      return { rows: Number(row.rows), applications: Number(row.applications ?? 0), maxN: row.max_n ?? 0 };
    }

    async function brokerManagedByScript(): Promise<boolean> {
      try {
        const { stdout } = await exec('bash', [KAFKA_SH, 'status']);
        return stdout.includes(`KAFKA_BROKERS=${BROKERS.join(',')}`);
      } catch {
        return false;
      }
    }

    it(
      'moves outbox events through the relay, Kafka and the inbox (throughput)',
      async () => {
        const TOTAL = 5_000;
        const consumer = `throughput-${RUN}`;
        const prefix = prefixFor('throughput');
        const producerBus = await openBus(prefix, { clientId: `relay-${RUN}` });
        const consumerBus = await openBus(prefix, { clientId: `consumer-${RUN}` });
        const transaction = pgTransaction(pool);
        await consumeEvents({ bus: consumerBus, consumer, transaction, handlers: effectHandlers(consumer) });
        const listings = range(100).map(() => randomUUID());
        const writeStarted = Date.now();
        for (let i = 0; i < TOTAL; i += 500) {
          await transaction(async (tx) => {
            for (let j = i; j < i + 500; j++) {
              const listingId = listings[j % listings.length] as string;
              await enqueueEvent(tx, UPSERTED, listingId, upsertedPayload(listingId, j));
            }
          });
        }
        const writeMs = Date.now() - writeStarted;

        const started = Date.now();
        const relay = startOutboxRelay({ databaseUrl: databaseUrl(), bus: producerBus, logger, pollMs: 250 });
        let publishedMs = 0;
        await eventually(
          async () => {
            if (!publishedMs) {
              const { rows } = await pool.query('SELECT count(*)::int AS n FROM outbox_events WHERE published_at IS NULL');
              if (rows[0].n === 0) publishedMs = Date.now() - started;
            }
            return (await effects(consumer)).rows >= TOTAL;
          },
          { what: `${TOTAL} effects`, timeoutMs: 300_000, intervalMs: 50 },
        );
        const elapsed = Date.now() - started;
        await relay.stop();
        await sleep(1_000);

        expect(await effects(consumer)).toEqual({ rows: TOTAL, applications: TOTAL, maxN: 1 });
        console.log(
          `[kafka-bus] throughput: ${TOTAL} events written to the outbox in ${writeMs} ms; relayed to Kafka in ${publishedMs} ms ` +
            `(${Math.round(TOTAL / (publishedMs / 1000))} events/s); applied through the inbox in ${elapsed} ms ` +
            `(${Math.round(TOTAL / (elapsed / 1000))} events/s end to end)`,
        );
      },
      5 * 60_000,
    );

    it(
      'applies 10,000 outbox events exactly once through a broker restart',
      async () => {
        const TOTAL = 10_000;
        // Paced at about 250 events/s, so events are written before, during and after the restart.
        const BATCH = 100;
        const PACE_MS = 400;
        const consumer = `fault-${RUN}`;
        const prefix = prefixFor('fault');
        const restartable = await brokerManagedByScript();
        if (!restartable)
          console.warn(`[kafka-bus] ${BROKERS.join(',')} is not run by .ci/services/kafka.sh: the flow runs without the broker restart`);

        // Few client retries, so the outage goes through every recovery path: failed publishes
        // (relay retries, producer replaced) and consumer crashes (restarted, rejoining the group).
        const clientRetry = { retries: 2, initialRetryTimeMs: 300, maxRetryTimeMs: 2_000 };
        const producerBus = await openBus(prefix, { clientId: `relay-${RUN}`, clientRetry });
        const consumerBus = await openBus(prefix, {
          clientId: `consumer-${RUN}`,
          clientRetry,
          consumer: { sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1_000 },
        });
        const deliveries: string[] = [];
        const transaction = pgTransaction(pool);
        await consumeEvents({ bus: recordingBus(consumerBus, deliveries), consumer, transaction, handlers: effectHandlers(consumer) });

        const listings = range(200).map(() => randomUUID());
        const written: string[] = [];
        const started = Date.now();
        const relay = startOutboxRelay({ databaseUrl: databaseUrl(), bus: producerBus, logger, pollMs: 250 });
        const writing = (async () => {
          for (let i = 0; i < TOTAL; i += BATCH) {
            const batchStarted = Date.now();
            const ids = await transaction(async (tx) => {
              const batch: string[] = [];
              for (let j = i; j < Math.min(TOTAL, i + BATCH); j++) {
                const listingId = listings[j % listings.length] as string;
                batch.push((await enqueueEvent(tx, UPSERTED, listingId, upsertedPayload(listingId, j))).id);
              }
              return batch;
            });
            written.push(...ids);
            await sleep(PACE_MS - (Date.now() - batchStarted));
          }
        })();

        const restart = { stopMs: 0, startMs: 0, appliedBefore: 0 };
        try {
          await eventually(async () => (await effects(consumer)).rows >= 2_000, {
            what: 'the first 2,000 effects',
            timeoutMs: 180_000,
            intervalMs: 100,
          });
          const beforeRestart = Date.now();
          restart.appliedBefore = (await effects(consumer)).rows;
          if (restartable) {
            await exec('bash', [KAFKA_SH, 'stop'], { timeout: 120_000 });
            restart.stopMs = Date.now() - beforeRestart;
            await exec('bash', [KAFKA_SH, 'start'], { timeout: 240_000 });
            restart.startMs = Date.now() - beforeRestart - restart.stopMs;
          }
          await writing;
          await eventually(async () => (await effects(consumer)).rows >= TOTAL, {
            what: `${TOTAL} effects`,
            timeoutMs: 600_000,
            intervalMs: 250,
          });
        } finally {
          if (restartable) await exec('bash', [KAFKA_SH, 'start'], { timeout: 240_000 }).catch(() => undefined);
          await writing.catch(() => undefined);
        }
        const elapsed = Date.now() - started;
        await sleep(3_000); // late duplicates would land by now
        await relay.stop();

        const result = await effects(consumer);
        expect(written).toHaveLength(TOTAL);
        expect(result).toEqual({ rows: TOTAL, applications: TOTAL, maxN: 1 });
        const { rows: missing } = await pool.query(
          'SELECT count(*)::int AS n FROM unnest($1::uuid[]) AS w(id) WHERE NOT EXISTS (SELECT 1 FROM kafka_fault_effects e WHERE e.event_id = w.id)',
          [written],
        );
        expect(missing[0].n).toBe(0);
        const { rows: unpublished } = await pool.query(
          'SELECT count(*)::int AS n FROM outbox_events WHERE id = ANY($1::uuid[]) AND published_at IS NULL',
          [written],
        );
        expect(unpublished[0].n).toBe(0);
        const { rows: inbox } = await pool.query('SELECT count(*)::int AS n FROM inbox_events WHERE consumer = $1', [consumer]);
        expect(inbox[0].n).toBe(TOTAL);

        const count = (msg: string) => lines.filter((l) => l.msg === msg).length;
        if (restartable) {
          expect(restart.appliedBefore).toBeLessThan(TOTAL);
          expect(count('outbox relay failed; will retry')).toBeGreaterThan(0);
          expect(count('kafka consumer crashed')).toBeGreaterThan(0);
        }
        console.log(
          `[kafka-bus] ${TOTAL} events outbox -> relay -> Kafka -> inbox in ${(elapsed / 1000).toFixed(1)} s ` +
            `(${Math.round(TOTAL / (elapsed / 1000))} events/s overall, broker down ${((restart.stopMs + restart.startMs) / 1000).toFixed(1)} s ` +
            `after ${restart.appliedBefore} effects: stop ${restart.stopMs} ms, start ${restart.startMs} ms); ` +
            `${deliveries.length} deliveries for ${new Set(deliveries).size} events (${deliveries.length - new Set(deliveries).size} redelivered, skipped by the inbox); ` +
            `relay failures ${count('outbox relay failed; will retry')}, producer replacements ${count('kafka send failed; producer replaced')}, ` +
            `consumer crashes ${count('kafka consumer crashed')} (restarted by kafkajs ${lines.filter((l) => l.msg === 'kafka consumer crashed' && l['restart'] === true).length}), ` +
            `group joins ${count('kafka consumer joined its group')}, dead letters ${(await consumerBus.deadLetters()).length}`,
        );
        expect(await consumerBus.deadLetters()).toEqual([]);
      },
      15 * 60_000,
    );

    it(
      'loses nothing and applies nothing twice when a consumer is killed mid-batch',
      async () => {
        const TOTAL = 3_000;
        const FREEZE_AFTER = 1_250;
        const consumer = `kill-${RUN}`;
        const prefix = prefixFor('kill');
        const publisher = await openBus(prefix);
        const events = range(TOTAL).map((i) => listingUpserted(`listing-${i % 60}-${RUN}`, i));
        for (let i = 0; i < TOTAL; i += 500) await publisher.publish(events.slice(i, i + 500));

        // A separate process, so it can die the hard way: SIGKILL, no leave-group, no last commit.
        // It works on one partition at a time and commits only at the end of each fetched batch (a
        // whole partition here), then freezes inside the transaction of its FREEZE_AFTER-th event:
        // some partitions are done and committed, one is applied halfway but not committed.
        const config = {
          brokers: BROKERS,
          prefix,
          consumer,
          databaseUrl: databaseUrl(),
          freezeAfter: FREEZE_AFTER,
        };
        const script = `
          const { Pool } = require('pg');
          const pino = require('pino');
          const { KafkaEventBus } = require(${JSON.stringify(path.join(__dirname, 'kafka-bus.ts'))});
          const { consumeEvents } = require(${JSON.stringify(path.join(__dirname, 'outbox.ts'))});
          const config = ${JSON.stringify(config)};
          const forever = () => new Promise(() => {});
          (async () => {
            const pool = new Pool({ connectionString: config.databaseUrl, max: 8 });
            const transaction = async (fn) => {
              const client = await pool.connect();
              try {
                await client.query('BEGIN');
                const result = await fn({ $executeRaw: async (strings, ...values) =>
                  (await client.query(strings.reduce((text, part, i) => text + '$' + i + part), values)).rowCount });
                await client.query('COMMIT');
                return result;
              } catch (err) {
                await client.query('ROLLBACK').catch(() => {});
                throw err;
              } finally {
                client.release();
              }
            };
            const bus = await KafkaEventBus.connect({
              brokers: config.brokers, clientId: 'kill-test-child', topicPrefix: config.prefix,
              logger: pino({ level: 'warn' }, pino.destination(2)),
              consumer: { commitIntervalMs: 600000, partitionsConsumedConcurrently: 1, sessionTimeoutMs: 6000, heartbeatIntervalMs: 1000, rebalanceTimeoutMs: 10000 },
            });
            let handled = 0;
            let frozen = false;
            await consumeEvents({ bus, consumer: config.consumer, transaction, handlers: {
              '${UPSERTED}': async (event, tx) => {
                if (frozen) return forever();
                await tx.$executeRaw\`INSERT INTO kafka_fault_effects (event_id, consumer, n) VALUES (\${event.id}::uuid, \${config.consumer}, 1)
                  ON CONFLICT (event_id) DO UPDATE SET n = kafka_fault_effects.n + 1\`;
                if (++handled === config.freezeAfter) {
                  frozen = true;
                  process.stdout.write('FROZEN\\n');
                  return forever();
                }
              },
            } });
          })().catch((err) => { console.error(err); process.exit(1); });
        `;
        const child = spawn(process.execPath, ['-r', '@swc-node/register', '-e', script], {
          cwd: REPO_ROOT,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let childOutput = '';
        child.stdout.on('data', (chunk: Buffer) => (childOutput += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (childOutput += chunk.toString()));
        const exited = once(child, 'exit');
        try {
          await eventually(() => childOutput.includes('FROZEN') || child.exitCode !== null, {
            what: 'the child consumer to freeze',
            timeoutMs: 120_000,
          });
          expect(childOutput).toContain('FROZEN');
        } finally {
          child.kill('SIGKILL');
          await exited;
        }

        const appliedByChild = new Set(
          (await pool.query<{ event_id: string }>('SELECT event_id FROM kafka_fault_effects WHERE consumer = $1', [consumer])).rows.map(
            (r) => r.event_id,
          ),
        );
        // Its FREEZE_AFTER-th transaction died with it; handlers already past the freeze check may have committed.
        expect(appliedByChild.size).toBeGreaterThanOrEqual(FREEZE_AFTER - 1);
        expect(appliedByChild.size).toBeLessThan(TOTAL);

        const successor = await openBus(prefix, { consumer: { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 1_000 } });
        const deliveries: string[] = [];
        const joinStarted = Date.now();
        await consumeEvents({
          bus: recordingBus(successor, deliveries),
          consumer,
          transaction: pgTransaction(pool),
          handlers: effectHandlers(consumer),
        });
        const joinedMs = Date.now() - joinStarted;
        await eventually(async () => (await effects(consumer)).rows >= TOTAL, {
          what: `${TOTAL} effects`,
          timeoutMs: 180_000,
          intervalMs: 100,
        });
        await sleep(2_000);

        expect(await effects(consumer)).toEqual({ rows: TOTAL, applications: TOTAL, maxN: 1 });
        const redelivered = deliveries.filter((id) => appliedByChild.has(id));
        // The successor started from the committed offsets, not from the beginning...
        expect(deliveries.length).toBeLessThan(TOTAL);
        // ...and what the killed consumer had applied without committing came back and was skipped by the inbox.
        expect(redelivered.length).toBeGreaterThan(0);
        expect(new Set(deliveries).size + appliedByChild.size - new Set(redelivered).size).toBe(TOTAL);
        console.log(
          `[kafka-bus] consumer killed after applying ${appliedByChild.size} events; successor joined in ${joinedMs} ms, ` +
            `got ${deliveries.length} deliveries, ${redelivered.length} of them already applied (skipped by the inbox); ${TOTAL} applied once each`,
        );
      },
      10 * 60_000,
    );
  });
});
