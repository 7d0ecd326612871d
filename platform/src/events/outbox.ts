import { randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';
import type { Logger } from '../logger';
import { eventContracts, validateEvent, type EventEnvelope, type EventPayload, type EventType } from './contracts';
import { backoffDelay, type EventBus } from './bus';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { eventHandlerDuration, eventsPublished, observeOutbox, secondsSince } from '../observability/metrics';
import { SpanKind, contextFromTraceparent, currentTraceparent, inSpan, tracer } from '../observability/tracing';

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
  // One round trip: the row, and a notification delivered on commit that wakes the relay at once
  // instead of at its next poll. The trace goes on through the bus: the relay publishes under this
  // context, consumers continue it.
  const traceContext = currentTraceparent() ?? null;
  await tx.$executeRaw`WITH e AS (INSERT INTO outbox_events (id, type, version, aggregate_id, payload, occurred_at, trace_context)
    VALUES (${event.id}::uuid, ${type}, ${event.version}, ${aggregateId}, ${JSON.stringify(parsed)}::jsonb, ${event.occurredAt}::timestamptz, ${traceContext})
    RETURNING id)
    SELECT pg_notify(${NOTIFY_CHANNEL}, '') FROM e`;
  return event;
}

export interface OutboxRelay {
  /** Publishes whatever is pending now; resolves with how many events went out. */
  flush(): Promise<number>;
  /** Stops listening and polling, publishes what is still pending (a last flush), then closes its connections. */
  stop(): Promise<void>;
}

interface OutboxRow {
  id: string;
  type: EventType;
  version: number;
  aggregate_id: string;
  payload: unknown;
  occurred_at: Date;
  trace_context: string | null;
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
  /** The domain whose outbox this is (the `service` label of the outbox metrics). */
  service?: string;
  batchSize?: number;
  pollMs?: number;
  /** Longest wait between attempts to re-establish a dropped LISTEN connection. Default 30 s. */
  maxListenRetryMs?: number;
}): OutboxRelay {
  const { bus, logger } = options;
  const batchSize = options.batchSize ?? 200;
  const maxListenRetryMs = options.maxListenRetryMs ?? 30_000;
  const pool = new Pool({ connectionString: options.databaseUrl, max: 2 });
  pool.on('error', (err) => logger.warn({ err }, 'outbox relay pool error'));
  const service = options.service ?? 'unknown';
  // Read when Prometheus scrapes: how many rows wait and for how long (the partial order index answers it).
  const unobserve = observeOutbox(service, async () => {
    const { rows } = await pool.query<{ backlog: number; age: number }>(
      `SELECT count(*)::int AS backlog, COALESCE(EXTRACT(EPOCH FROM now() - min(occurred_at)), 0)::float8 AS age
       FROM outbox_events WHERE published_at IS NULL`,
    );
    return { backlog: rows[0]?.backlog ?? 0, oldestAgeSeconds: Math.max(0, rows[0]?.age ?? 0) };
  });
  /** Set by stop(): no more polling, listening or reconnecting; flush() only drains. */
  let stopping = false;
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
        `SELECT id, type, version, aggregate_id, payload, occurred_at, trace_context FROM outbox_events
         WHERE published_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [batchSize],
      );
      if (rows.length === 0) {
        await client.query('COMMIT');
        return 0;
      }
      // One producer span per event, child of the work that wrote it; the event carries the span on.
      const spans = rows.map((r) =>
        r.trace_context
          ? tracer().startSpan(
              `publish ${r.type}`,
              { kind: SpanKind.PRODUCER, attributes: { 'messaging.destination.name': r.type, 'market.service': service } },
              contextFromTraceparent(r.trace_context, ROOT_CONTEXT),
            )
          : null,
      );
      const events = rows.map((r, i) => {
        const event = validateEvent({
          id: r.id,
          type: r.type,
          version: r.version,
          aggregateId: r.aggregate_id,
          occurredAt: r.occurred_at.toISOString(),
          payload: r.payload,
        });
        const span = spans[i];
        const traceContext = span ? currentTraceparent(trace.setSpan(ROOT_CONTEXT, span)) : undefined;
        return traceContext ? { ...event, traceContext } : event;
      });
      try {
        await bus.publish(events);
      } finally {
        for (const span of spans) span?.end();
      }
      for (const e of events) eventsPublished.inc({ service, type: e.type });
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
          } while (n === batchSize);
        } while (again && !stopping);
      } catch (err) {
        logger.warn(
          { err },
          stopping ? 'outbox relay could not publish before stopping; the rows stay for the next start' : 'outbox relay failed; will retry',
        );
      } finally {
        running = null;
      }
      return total;
    })();
    return running;
  };

  const timer = setInterval(() => void flush(), options.pollMs ?? 1_000);
  timer.unref();

  // NOTIFY wakes the relay within milliseconds; without it, events wait for the next poll. A LISTEN
  // connection dies with its backend (a failover, a restart, pg_terminate_backend, a network blip),
  // so it is re-established with backoff for as long as the relay runs, and a flush after each
  // (re)connect publishes what was notified while nobody listened.
  let listener: Client | null = null;
  let listenFailures = 0;
  let listenTimer: NodeJS.Timeout | null = null;
  const scheduleListen = () => {
    if (stopping || listenTimer) return;
    const delay = Math.round(backoffDelay({ initialDelayMs: 100, maxDelayMs: maxListenRetryMs }, ++listenFailures));
    listenTimer = setTimeout(() => {
      listenTimer = null;
      void listen();
    }, delay);
    listenTimer.unref();
  };
  const listen = async () => {
    const client = new Client({ connectionString: options.databaseUrl, application_name: 'outbox-relay-listener' });
    let lost = false;
    const onLost = (err?: Error) => {
      if (lost) return;
      lost = true;
      if (listener === client) listener = null;
      void client.end().catch(() => undefined);
      if (stopping) return;
      logger.warn({ err }, 'outbox relay lost its LISTEN connection; reconnecting');
      scheduleListen();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', () => void flush());
    try {
      await client.connect();
      await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
    } catch (err) {
      if (!lost && !stopping) logger.warn({ err }, 'outbox relay could not LISTEN; polling until it can');
      onLost();
      return;
    }
    if (lost) return;
    if (stopping) {
      await client.end().catch(() => undefined);
      return;
    }
    listener = client;
    if (listenFailures > 0) logger.info({ attempts: listenFailures }, 'outbox relay listening again');
    listenFailures = 0;
    void flush();
  };
  void listen();
  void flush();

  return {
    flush,
    async stop() {
      stopping = true;
      unobserve();
      clearInterval(timer);
      if (listenTimer) clearTimeout(listenTimer);
      await listener?.end().catch(() => undefined);
      listener = null;
      // Whatever was committed up to now goes out before the relay ends: the flush in progress may
      // have started before the last commits, so one more follows it.
      await running;
      await flush();
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
    const started = process.hrtime.bigint();
    let outcome = 'error';
    try {
      // The consumer's span continues the trace of the request that wrote the event.
      await inSpan(
        `consume ${event.type}`,
        {
          kind: SpanKind.CONSUMER,
          parent: contextFromTraceparent(event.traceContext, ROOT_CONTEXT),
          attributes: {
            'messaging.consumer.group.name': options.consumer,
            'messaging.destination.name': event.type,
            'messaging.message.id': event.id,
          },
        },
        () =>
          options.transaction(async (tx) => {
            const fresh =
              await tx.$executeRaw`INSERT INTO inbox_events (consumer, event_id) VALUES (${options.consumer}, ${event.id}::uuid) ON CONFLICT DO NOTHING`;
            if (fresh === 0) return;
            await handler(event, tx);
          }),
      );
      outcome = 'ok';
    } finally {
      eventHandlerDuration.observe({ group: options.consumer, type: event.type, outcome }, secondsSince(started));
    }
  });
}
