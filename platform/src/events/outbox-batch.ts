import { randomUUID } from 'node:crypto';
import { eventContracts, type EventEnvelope, type EventPayload, type EventType } from './contracts';
import type { RawSql } from './outbox';
import { currentTraceparent } from '../observability/tracing';

/** The channel the outbox relay LISTENs on (see outbox.ts). */
const NOTIFY_CHANNEL = 'outbox_events';

export interface PendingEvent<T extends EventType = EventType> {
  type: T;
  aggregateId: string;
  payload: EventPayload<T>;
}

/**
 * `enqueueEvent` for many events at once: one INSERT and one NOTIFY inside the caller's transaction,
 * for writers that commit many events together (auctions' group commit). Rows are inserted in the
 * order given, so `outbox_events.seq`, and the relay's publishing order, follow it.
 */
export async function enqueueEvents(tx: RawSql, events: readonly PendingEvent[]): Promise<EventEnvelope[]> {
  if (events.length === 0) return [];
  const occurredAt = new Date().toISOString();
  const envelopes = events.map((e): EventEnvelope => {
    const contract = eventContracts[e.type];
    return {
      id: randomUUID(),
      type: e.type,
      version: contract.version,
      aggregateId: e.aggregateId,
      occurredAt,
      payload: contract.payload.parse(e.payload) as EventPayload<EventType>,
    };
  });
  // unnest() yields rows in array order and each row takes its seq as it is inserted.
  const traceContext = currentTraceparent() ?? null;
  await tx.$executeRaw`INSERT INTO outbox_events (id, type, version, aggregate_id, payload, occurred_at, trace_context)
    SELECT e.id, e.type, e.version, e.aggregate_id, e.payload, ${occurredAt}::timestamptz, ${traceContext}::varchar
    FROM unnest(${envelopes.map((e) => e.id)}::uuid[], ${envelopes.map((e) => e.type)}::text[], ${envelopes.map((e) => e.version)}::int[],
      ${envelopes.map((e) => e.aggregateId)}::text[], ${envelopes.map((e) => JSON.stringify(e.payload))}::jsonb[]) AS e(id, type, version, aggregate_id, payload)`;
  await tx.$executeRaw`SELECT pg_notify(${NOTIFY_CHANNEL}, '')`;
  return envelopes;
}
