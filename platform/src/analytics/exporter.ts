import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { Pool, type PoolClient } from 'pg';
import type { Logger } from '../logger';
import { REPO_ROOT } from '../db/layout';
import { ensureDatabaseOf } from '../db/databases';
import { applyMigrations } from '../db/migrations';
import { eventContracts, type EventEnvelope, type EventType } from '../events/contracts';
import type { EventBus } from '../events/bus';
import { consumeEvents, type Handlers, type RawSql } from '../events/outbox';
import type { ExportSink } from './sink';

/** The consumer group (and inbox consumer name) of the export: one group, whatever the number of replicas. */
export const ANALYTICS_CONSUMER = 'analytics.export';
/** Every event type there is: the export takes them all. */
export const EXPORTED_EVENT_TYPES = Object.keys(eventContracts) as EventType[];
/** Advisory lock key (any constant bigint) held by the one exporter currently sealing and writing batches. */
const FLUSH_LOCK_KEY = 7_304_417_271;

/** The export's own database: its schema and migrations live in prisma/analytics/. */
export const ANALYTICS_MIGRATIONS = {
  migrationsDir: path.join(REPO_ROOT, 'prisma', 'analytics', 'migrations'),
  schemaPath: path.join(REPO_ROOT, 'prisma', 'analytics', 'schema.prisma'),
};

/** Creates the analytics database when missing and applies its migrations (idempotent, cheap when up to date). */
export async function prepareAnalyticsDatabase(databaseUrl: string, log?: (msg: string) => void): Promise<void> {
  await ensureDatabaseOf(databaseUrl);
  await applyMigrations({ databaseUrl, ...ANALYTICS_MIGRATIONS, ...(log ? { log } : {}) });
}

/** The key of a batch's file: Hive-style partitions (`day=`, `event_type=`: not `type`, which each line has already), so DuckDB and Spark read them as columns. */
export function batchKey(batch: { id: string; day: string; type: string }): string {
  return `day=${batch.day}/event_type=${batch.type}/batch-${batch.id.padStart(12, '0')}.ndjson.gz`;
}

export interface FlushResult {
  /** Files written by this flush (keys under the sink), in batch order. */
  files: string[];
  events: number;
}

export interface EventExporter {
  /** Joins the export's consumer group for every event type. */
  subscribe(bus: EventBus): Promise<void>;
  /**
   * Stages events that did not come through the bus (the backfill), through the same inbox: an
   * event already staged or exported is skipped. Resolves with how many were new.
   */
  stage(events: readonly EventEnvelope[]): Promise<number>;
  /** Seals what is staged into batches and writes every batch not written yet (one file each). */
  flush(): Promise<FlushResult>;
  /** Flushes every `intervalMs` until close(). */
  startFlushing(intervalMs: number): void;
  /** Stops the timer, flushes one last time and closes the pool. */
  close(): Promise<void>;
}

/**
 * The analytics export (the rental design's ETL): every domain event, once, in NDJSON.gz files
 * partitioned by UTC day and event type.
 *
 * Exactly once, in three steps, each idempotent:
 * 1. stage: the event and its inbox row (consumer `analytics.export`) are inserted in one
 *    transaction; a redelivered event finds its inbox row and adds nothing;
 * 2. seal: staged events are assigned to a new batch (one day and type each, at most
 *    `maxBatchEvents`) in one transaction, so an event belongs to exactly one batch;
 * 3. write: each batch not yet written becomes one file named by the batch's number, put atomically;
 *    then the batch is marked written and its staged rows go, in one transaction. A crash between
 *    the file and that commit writes the same batch again under the same name: same lines, same file.
 * One exporter seals and writes at a time (an advisory lock); any number can stage.
 */
export function createEventExporter(options: {
  databaseUrl: string;
  sink: ExportSink;
  logger: Logger;
  /** Largest batch, i.e. file. Default 50,000 events. */
  maxBatchEvents?: number;
  poolSize?: number;
}): EventExporter {
  const { sink, logger } = options;
  const maxBatchEvents = options.maxBatchEvents ?? 50_000;
  const pool = new Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 4, application_name: 'analytics-export' });
  pool.on('error', (err) => logger.warn({ err }, 'analytics export pool error'));
  let timer: NodeJS.Timeout | null = null;
  let flushing: Promise<FlushResult> | null = null;
  let closed = false;

  const inTransaction = async <R>(fn: (client: PoolClient) => Promise<R>): Promise<R> => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  };
  /** The inbox's transaction shape (`$executeRaw` as a tagged template) over a pg client. */
  const rawSql = (client: PoolClient): RawSql & { client: PoolClient } => ({
    client,
    $executeRaw: async (strings: TemplateStringsArray, ...values: unknown[]) =>
      (
        await client.query(
          strings.reduce((text, part, i) => `${text}$${i}${part}`),
          values,
        )
      ).rowCount ?? 0,
  });

  const stageOne = async (tx: RawSql, event: EventEnvelope) => {
    await tx.$executeRaw`INSERT INTO analytics_events (event_id, type, day, occurred_at, envelope)
      VALUES (${event.id}::uuid, ${event.type}, (${event.occurredAt}::timestamptz AT TIME ZONE 'UTC')::date, ${event.occurredAt}::timestamptz, ${JSON.stringify(event)}::jsonb)`;
  };

  const seal = async (client: PoolClient): Promise<void> => {
    const { rows: groups } = await client.query<{ day: string; type: string }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, type FROM analytics_events WHERE batch_id IS NULL GROUP BY day, type ORDER BY day, type`,
    );
    for (const group of groups) {
      for (;;) {
        const sealed = await inTransaction(async (tx) => {
          const { rows } = await tx.query<{ id: string }>(
            `INSERT INTO analytics_batches (day, type, event_count) VALUES ($1::date, $2, 0) RETURNING id::text AS id`,
            [group.day, group.type],
          );
          const id = rows[0]!.id;
          const { rowCount } = await tx.query(
            `UPDATE analytics_events SET batch_id = $1 WHERE event_id IN (
               SELECT event_id FROM analytics_events WHERE batch_id IS NULL AND day = $2::date AND type = $3 ORDER BY seq LIMIT $4 FOR UPDATE)`,
            [id, group.day, group.type, maxBatchEvents],
          );
          if (!rowCount) throw new NothingToSeal();
          await tx.query('UPDATE analytics_batches SET event_count = $2 WHERE id = $1', [id, rowCount]);
          return rowCount;
        }).catch((err: unknown) => {
          if (err instanceof NothingToSeal) return 0;
          throw err;
        });
        if (sealed < maxBatchEvents) break;
      }
    }
  };

  const writePending = async (client: PoolClient): Promise<FlushResult> => {
    const { rows: batches } = await client.query<{ id: string; day: string; type: string }>(
      `SELECT id::text AS id, to_char(day, 'YYYY-MM-DD') AS day, type FROM analytics_batches WHERE written_at IS NULL ORDER BY id`,
    );
    const result: FlushResult = { files: [], events: 0 };
    for (const batch of batches) {
      const { rows } = await client.query<{ line: string }>(
        'SELECT envelope::text AS line FROM analytics_events WHERE batch_id = $1 ORDER BY seq',
        [batch.id],
      );
      const key = batchKey(batch);
      // gzip without a timestamp in its header: the same lines always make the same bytes.
      await sink.put(key, gzipSync(rows.map((r) => `${r.line}\n`).join('')));
      await inTransaction(async (tx) => {
        await tx.query('UPDATE analytics_batches SET written_at = now() WHERE id = $1', [batch.id]);
        await tx.query('DELETE FROM analytics_events WHERE batch_id = $1', [batch.id]);
      });
      result.files.push(key);
      result.events += rows.length;
    }
    return result;
  };

  const flushOnce = async (): Promise<FlushResult> => {
    const client = await pool.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [FLUSH_LOCK_KEY]);
      if (!rows[0]?.locked) return { files: [], events: 0 };
      try {
        await seal(client);
        const result = await writePending(client);
        if (result.files.length)
          logger.info({ files: result.files.length, events: result.events, location: sink.location }, 'analytics export written');
        return result;
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [FLUSH_LOCK_KEY]);
      }
    } finally {
      client.release();
    }
  };

  const flush = (): Promise<FlushResult> => {
    // Calls during a flush wait for it and then flush again, so what they staged is in a file when they resolve.
    const next = (flushing ?? Promise.resolve()).catch(() => undefined).then(flushOnce);
    const tracked = next.finally(() => {
      if (flushing === tracked) flushing = null;
    });
    flushing = tracked;
    return tracked;
  };

  return {
    async subscribe(bus) {
      const handlers = Object.fromEntries(
        EXPORTED_EVENT_TYPES.map((type) => [type, (event: EventEnvelope, tx: RawSql) => stageOne(tx, event)]),
      ) as Handlers<RawSql>;
      await consumeEvents<RawSql>({
        bus,
        consumer: ANALYTICS_CONSUMER,
        transaction: (fn) => inTransaction((client) => fn(rawSql(client))),
        handlers,
      });
    },

    async stage(events) {
      const unique = [...new Map(events.map((e) => [e.id, e])).values()];
      if (unique.length === 0) return 0;
      return inTransaction(async (client) => {
        const { rowCount } = await client.query(
          `WITH fresh AS (
             INSERT INTO inbox_events (consumer, event_id) SELECT $1, id FROM unnest($2::uuid[]) AS id
             ON CONFLICT DO NOTHING RETURNING event_id)
           INSERT INTO analytics_events (event_id, type, day, occurred_at, envelope)
           SELECT e.id, e.type, (e.occurred_at AT TIME ZONE 'UTC')::date, e.occurred_at, e.envelope
           FROM jsonb_to_recordset($3::jsonb) AS e(id uuid, type text, occurred_at timestamptz, envelope jsonb)
           JOIN fresh ON fresh.event_id = e.id`,
          [
            ANALYTICS_CONSUMER,
            unique.map((e) => e.id),
            JSON.stringify(unique.map((e) => ({ id: e.id, type: e.type, occurred_at: e.occurredAt, envelope: e }))),
          ],
        );
        return rowCount ?? 0;
      });
    },

    flush,

    startFlushing(intervalMs) {
      if (timer || closed) return;
      timer = setInterval(() => {
        flush().catch((err: unknown) => logger.warn({ err }, 'analytics export flush failed; the next one retries'));
      }, intervalMs);
      timer.unref();
    },

    async close() {
      if (closed) return;
      closed = true;
      if (timer) clearInterval(timer);
      timer = null;
      await flush().catch((err: unknown) =>
        logger.warn({ err }, 'analytics export could not flush before closing; the staged events wait for the next start'),
      );
      await pool.end();
    },
  };
}

class NothingToSeal extends Error {}
