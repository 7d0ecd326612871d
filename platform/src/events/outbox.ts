import { randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';
import type { Logger } from '../logger';
import { eventContracts, validateEvent, type EventEnvelope, type EventPayload, type EventType } from './contracts';
import type { EventBus } from './bus';

/** A Prisma client or interactive transaction: all the outbox and inbox need from it. */
export interface RawSql {
  $executeRaw(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<number>;
}

const NOTIFY_CHANNEL = 'outbox_events';
/** Advisory lock key (any constant bigint) held by the one relay currently publishing a database's outbox. */
const RELAY_LOCK_KEY = 7_304_417_113;

/**
 * Writes an event to the service's outbox inside the caller's transaction, so the event exists
 * if and only if the state change committed. Every subgraph schema has the `outbox_events` table.
 */
export async function enqueueEvent<T extends EventType>(
  tx: RawSql,
  type: T,
  aggregateId: string,
  payload: EventPayload<T>,
): Promise<EventEnvelope<T>> {
  const contract = eventContracts[type];
  const parsed = contract.payload.parse(payload) as EventPayload<T>;
  const event: EventEnvelope<T> = {
    id: randomUUID(),
    type,
    version: contract.version,
    aggregateId,
    occurredAt: new Date().toISOString(),
    payload: parsed,
  };
  await tx.$executeRaw`INSERT INTO outbox_events (id, type, version, aggregate_id, payload, occurred_at)
    VALUES (${event.id}::uuid, ${type}, ${event.version}, ${aggregateId}, ${JSON.stringify(parsed)}::jsonb, ${event.occurredAt}::timestamptz)`;
  // Delivered on commit: wakes the relay at once instead of at its next poll.
  await tx.$executeRaw`SELECT pg_notify(${NOTIFY_CHANNEL}, '')`;
  return event;
}

export interface OutboxRelay {
  /** Publishes whatever is pending now; resolves with how many events went out. */
  flush(): Promise<number>;
  stop(): Promise<void>;
}

interface OutboxRow {
  id: string;
  type: EventType;
  version: number;
  aggregate_id: string;
  payload: unknown;
  occurred_at: Date;
}

/**
 * Moves committed outbox rows to the bus in the order they were written (`seq`). Any number of
 * replicas can run a relay; an advisory lock lets one publish at a time, so per-aggregate order holds
 * across replicas, and rows are claimed FOR UPDATE SKIP LOCKED. A row is marked published only after
 * the bus accepted it, so a crash in between re-sends it (at-least-once; consumers deduplicate
 * through their inbox).
 */
export function startOutboxRelay(options: {
  databaseUrl: string;
  bus: EventBus;
  logger: Logger;
  batchSize?: number;
  pollMs?: number;
}): OutboxRelay {
  const { bus, logger } = options;
  const batchSize = options.batchSize ?? 200;
  const pool = new Pool({ connectionString: options.databaseUrl, max: 2 });
  pool.on('error', (err) => logger.warn({ err }, 'outbox relay pool error'));
  let stopped = false;
  let running: Promise<number> | null = null;
  let again = false;

  const relayOnce = async (): Promise<number> => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      // One relay per database publishes at a time: two replicas publishing neighbouring batches side
      // by side could deliver a later event of an aggregate before an earlier one. The others return
      // at once; the holder is woken by the same NOTIFY and drains what they would have sent.
      const { rows: lock } = await client.query<{ held: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS held', [RELAY_LOCK_KEY]);
      if (!lock[0]?.held) {
        await client.query('COMMIT');
        return 0;
      }
      const { rows } = await client.query<OutboxRow>(
        `SELECT id, type, version, aggregate_id, payload, occurred_at FROM outbox_events
         WHERE published_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [batchSize],
      );
      if (rows.length === 0) {
        await client.query('COMMIT');
        return 0;
      }
      const events = rows.map((r) =>
        validateEvent({
          id: r.id,
          type: r.type,
          version: r.version,
          aggregateId: r.aggregate_id,
          occurredAt: r.occurred_at.toISOString(),
          payload: r.payload,
        }),
      );
      await bus.publish(events);
      await client.query('UPDATE outbox_events SET published_at = now() WHERE id = ANY($1::uuid[])', [rows.map((r) => r.id)]);
      await client.query('COMMIT');
      return rows.length;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  };

  const flush = async (): Promise<number> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let total = 0;
      try {
        do {
          again = false;
          let n: number;
          do {
            n = await relayOnce();
            total += n;
          } while (n === batchSize && !stopped);
        } while (again && !stopped);
      } catch (err) {
        if (!stopped) logger.warn({ err }, 'outbox relay failed; will retry');
      } finally {
        running = null;
      }
      return total;
    })();
    return running;
  };

  const timer = setInterval(() => void flush(), options.pollMs ?? 1_000);
  timer.unref();

  let listener: Client | null = null;
  const listen = async () => {
    try {
      const client = new Client({ connectionString: options.databaseUrl });
      client.on('error', () => undefined);
      await client.connect();
      client.on('notification', () => void flush());
      await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
      listener = client;
      if (stopped) await client.end();
    } catch (err) {
      logger.warn({ err }, 'outbox relay could not LISTEN; polling only');
    }
  };
  void listen();
  void flush();

  return {
    flush,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      await listener?.end().catch(() => undefined);
      await pool.end();
    },
  };
}

export type Handlers<Tx> = { [T in EventType]?: (event: EventEnvelope<T>, tx: Tx) => Promise<void> };

/**
 * Subscribes a service to events. Each event is handled in one transaction together with an inbox
 * row keyed by (consumer, event id): a redelivered event finds its row and does nothing, so every
 * effect happens exactly once.
 */
export async function consumeEvents<Tx extends RawSql>(options: {
  bus: EventBus;
  consumer: string;
  transaction: <R>(fn: (tx: Tx) => Promise<R>) => Promise<R>;
  handlers: Handlers<Tx>;
}): Promise<void> {
  const types = Object.keys(options.handlers) as EventType[];
  await options.bus.subscribe(options.consumer, types, async (event) => {
    const handler = options.handlers[event.type] as ((e: EventEnvelope, tx: Tx) => Promise<void>) | undefined;
    if (!handler) return;
    await options.transaction(async (tx) => {
      const fresh = await tx.$executeRaw`INSERT INTO inbox_events (consumer, event_id) VALUES (${options.consumer}, ${event.id}::uuid) ON CONFLICT DO NOTHING`;
      if (fresh === 0) return;
      await handler(event, tx);
    });
  });
}
