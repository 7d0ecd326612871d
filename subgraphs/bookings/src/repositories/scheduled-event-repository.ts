import { enqueueEvent, eventContracts, type EventPayload, type EventType, type Logger } from '@market/platform';
import type { Db, DbOrTx } from '../db';
import type { ViewingRecord } from '../domain';
import { viewingPayload } from '../events/published';

const MINUTE_MS = 60_000;

interface DueRow {
  id: string;
  type: string;
  aggregate_id: string;
  payload: unknown;
}

/** Events due later; the scheduler moves them into the outbox when their time comes. */
export class ScheduledEventRepository {
  constructor(private readonly db: DbOrTx) {}

  /** A reminder `lead` minutes before a confirmed viewing, for each lead still ahead of `now`. */
  async scheduleViewingReminders(viewing: ViewingRecord, leadsMinutes: readonly number[], now: Date): Promise<number> {
    const base = viewingPayload(viewing);
    const rows = leadsMinutes
      .map((lead) => ({
        lead,
        dueAt: new Date(viewing.startsAt.getTime() - lead * MINUTE_MS),
      }))
      .filter(({ dueAt }) => dueAt > now)
      .map(({ lead, dueAt }) => ({
        type: 'bookings.viewing.reminder',
        aggregateId: viewing.id,
        payload: { ...base, minutesBefore: lead },
        dueAt,
        subjectId: viewing.id,
      }));
    if (rows.length === 0) return 0;
    const { count } = await this.db.scheduledEvent.createMany({ data: rows });
    return count;
  }

  /** Drops what is still pending about a subject (a viewing moved or cancelled). */
  async clearFor(subjectId: string): Promise<void> {
    await this.db.scheduledEvent.deleteMany({ where: { subjectId } });
  }

  async pendingFor(subjectId: string): Promise<{ type: string; dueAt: Date }[]> {
    return this.db.scheduledEvent.findMany({
      where: { subjectId },
      select: { type: true, dueAt: true },
      orderBy: { dueAt: 'asc' },
    });
  }
}

/**
 * Moves up to `limit` due events into the outbox and deletes them, in one transaction. Rows are
 * claimed FOR UPDATE SKIP LOCKED, so several replicas can run the scheduler without sending an
 * event twice. A row whose payload no longer fits its contract is dropped (and logged) rather than
 * blocking the queue. Returns how many events went to the outbox.
 */
export async function dispatchDueEvents(db: Db, logger: Logger, limit: number, now: Date = new Date()): Promise<number> {
  return db.$transaction(async (tx) => {
    const due = await tx.$queryRaw<DueRow[]>`
      SELECT id::text AS id, type, aggregate_id, payload FROM scheduled_events
      WHERE due_at <= ${now}
      ORDER BY due_at, id
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED`;
    if (due.length === 0) return 0;
    let sent = 0;
    for (const row of due) {
      const contract = eventContracts[row.type as EventType];
      const parsed = contract?.payload.safeParse(row.payload);
      if (!contract || !parsed?.success) {
        logger.error({ scheduledEventId: row.id, type: row.type }, 'scheduled event does not fit its contract; dropped');
        continue;
      }
      await enqueueEvent(tx, row.type as EventType, row.aggregate_id, parsed.data as EventPayload<EventType>);
      sent += 1;
    }
    await tx.scheduledEvent.deleteMany({
      where: { id: { in: due.map((r) => r.id) } },
    });
    return sent;
  });
}
