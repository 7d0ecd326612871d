import { Client } from 'pg';
import { validateEvent, type EventEnvelope } from '../events/contracts';
import type { EventExporter, FlushResult } from './exporter';

export interface BackfillSource {
  /** The domain whose outbox this is (for progress lines). */
  name: string;
  databaseUrl: string;
}

export interface BackfillReport {
  /** Per source: rows read, events new to the export, rows skipped because they break their contract. */
  sources: { name: string; read: number; staged: number; invalid: number }[];
  written: FlushResult;
}

interface OutboxRow {
  id: string;
  type: string;
  version: number;
  aggregate_id: string;
  payload: unknown;
  occurred_at: Date;
}

/**
 * Replays the outboxes into the export: every event that occurred at or after `since`, in write
 * order, through the export's inbox (so events the consumer already took, or an earlier backfill,
 * are not exported twice), then one flush. Outbox rows are kept after publishing, so this reaches
 * as far back as the outboxes do. Reads each outbox with one server-side cursor (one sort, pages of
 * `pageSize`), in a read-only transaction that does not hold up the relay.
 */
export async function backfillFromOutboxes(options: {
  sources: readonly BackfillSource[];
  since: Date;
  exporter: EventExporter;
  pageSize?: number;
  progress?: (line: string) => void;
}): Promise<BackfillReport> {
  const pageSize = options.pageSize ?? 1_000;
  const progress = options.progress ?? (() => undefined);
  const report: BackfillReport = { sources: [], written: { files: [], events: 0 } };
  for (const source of options.sources) {
    const client = new Client({ connectionString: source.databaseUrl, application_name: 'analytics-backfill' });
    await client.connect();
    const counts = { name: source.name, read: 0, staged: 0, invalid: 0 };
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const { rows } = await client.query<{ total: number }>('SELECT count(*)::int AS total FROM outbox_events WHERE occurred_at >= $1', [
        options.since,
      ]);
      const total = rows[0]?.total ?? 0;
      progress(`${source.name}: ${total} event(s) since ${options.since.toISOString()}`);
      await client.query(
        `DECLARE outbox_backfill NO SCROLL CURSOR FOR
           SELECT id::text AS id, type, version, aggregate_id, payload, occurred_at FROM outbox_events WHERE occurred_at >= $1 ORDER BY seq`,
        [options.since],
      );
      for (;;) {
        const page = await client.query<OutboxRow>(`FETCH ${pageSize} FROM outbox_backfill`);
        if (page.rows.length === 0) break;
        const events: EventEnvelope[] = [];
        for (const row of page.rows) {
          try {
            events.push(
              validateEvent({
                id: row.id,
                type: row.type,
                version: row.version,
                aggregateId: row.aggregate_id,
                occurredAt: row.occurred_at.toISOString(),
                payload: row.payload,
              }),
            );
          } catch {
            // The live consumer would dead-letter it too; it never reaches the export.
            counts.invalid++;
          }
        }
        counts.read += page.rows.length;
        counts.staged += await options.exporter.stage(events);
        progress(
          `${source.name}: ${counts.read}/${total} read, ${counts.staged} new${counts.invalid ? `, ${counts.invalid} invalid (skipped)` : ''}`,
        );
      }
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
    report.sources.push(counts);
  }
  progress('writing files');
  report.written = await options.exporter.flush();
  progress(`done: ${report.written.events} event(s) in ${report.written.files.length} new file(s)`);
  return report;
}
