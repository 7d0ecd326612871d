import { randomUUID } from 'node:crypto';
import type { Db, Tx } from '../../db';
import { applyEvent, foldEvents, type AuctionState } from '../rules/aggregate';
import type { AuctionEventData, StoredAuctionEvent } from '../rules/events';
import { enqueueEvents } from '@market/platform';
import { auctionOutboxEvent } from '../published';
import { projectAuction } from './projector';

/** Another writer appended to the auction first: decide again on a fresh state. */
export class ConcurrencyConflict extends Error {
  constructor(auctionId: string) {
    super(`auction ${auctionId}: the log moved on while deciding`);
    this.name = 'ConcurrencyConflict';
  }
}

interface EventRow {
  auction_id: string;
  seq: number;
  type: string;
  payload: AuctionEventData;
  occurred_at: Date;
  causation_id: string | null;
}

export function toStored(row: EventRow): StoredAuctionEvent {
  return {
    auctionId: row.auction_id,
    seq: row.seq,
    data: { ...row.payload, type: row.type } as AuctionEventData,
    occurredAt: row.occurred_at,
    causationId: row.causation_id,
  };
}

/** What an append wrote: the stored events and the state after each. */
export interface Appended {
  events: StoredAuctionEvent[];
  states: AuctionState[];
  state: AuctionState;
}

/**
 * The auction log (`auction_events`) and its snapshots. `append` is the only way anything changes:
 * in one transaction it inserts the events at the next sequence numbers (the unique key on
 * (auction_id, seq) refuses a writer who decided on an old state: ConcurrencyConflict, nothing
 * written), updates the read models, writes the outbox events and, every `snapshotEvery` events, the
 * snapshot.
 */
export class AuctionEventStore {
  constructor(
    private readonly db: Db,
    private readonly snapshotEvery: number,
  ) {}

  /** The auction from its latest snapshot and the events after it; null when there is no such auction. */
  async load(auctionId: string, client: Db | Tx = this.db): Promise<AuctionState | null> {
    const snapshot = await client.auctionSnapshot.findUnique({ where: { auctionId }, select: { state: true, seq: true } });
    const base = snapshot ? (snapshot.state as unknown as AuctionState) : null;
    return this.catchUp(base, auctionId, client);
  }

  /** Folds whatever was appended after `state` (null: from the first event). */
  async catchUp(state: AuctionState | null, auctionId: string, client: Db | Tx = this.db): Promise<AuctionState | null> {
    const events = await this.eventsAfter(auctionId, state?.seq ?? 0, client);
    return foldEvents(state, events);
  }

  async eventsAfter(auctionId: string, seq: number, client: Db | Tx = this.db): Promise<StoredAuctionEvent[]> {
    const rows = await client.$queryRaw<EventRow[]>`SELECT auction_id::text, seq, type, payload, occurred_at, causation_id
      FROM auction_events WHERE auction_id = ${auctionId}::uuid AND seq > ${seq} ORDER BY seq`;
    return rows.map(toStored);
  }

  /**
   * Appends `events` after `state` (null for a new auction) inside `tx`. Throws ConcurrencyConflict
   * when any of their sequence numbers is taken: the caller's transaction must then roll back.
   */
  async append(
    tx: Tx,
    auctionId: string,
    state: AuctionState | null,
    events: readonly { data: AuctionEventData; causationId: string | null }[],
    meta: { occurredAt: Date },
  ): Promise<Appended | null> {
    if (events.length === 0) return null;
    const stored: StoredAuctionEvent[] = [];
    const states: AuctionState[] = [];
    let current = state;
    for (const { data, causationId } of events) {
      const event: StoredAuctionEvent = { auctionId, seq: (current?.seq ?? 0) + 1, data, occurredAt: meta.occurredAt, causationId };
      current = applyEvent(current, event);
      stored.push(event);
      states.push(current);
    }
    const final = current as AuctionState;
    // One statement for the whole batch; ON CONFLICT counts what a faster writer already took.
    const inserted = await tx.$executeRaw`INSERT INTO auction_events (id, auction_id, seq, type, payload, occurred_at, causation_id)
      SELECT e.id, ${auctionId}::uuid, e.seq, e.type, e.payload, ${meta.occurredAt}::timestamptz, e.causation_id
      FROM unnest(${stored.map(() => randomUUID())}::uuid[], ${stored.map((e) => e.seq)}::int[], ${stored.map((e) => e.data.type)}::text[],
        ${stored.map((e) => JSON.stringify(withoutType(e.data)))}::jsonb[], ${stored.map((e) => e.causationId)}::text[]) AS e(id, seq, type, payload, causation_id)
      ON CONFLICT (auction_id, seq) DO NOTHING`;
    if (inserted !== stored.length) throw new ConcurrencyConflict(auctionId);
    await projectAuction(tx, final, touchedBids(stored));
    await enqueueEvents(
      tx,
      stored.map((e, i) => auctionOutboxEvent(e, states[i] as AuctionState)),
    );
    const before = state?.seq ?? 0;
    if (Math.floor(final.seq / this.snapshotEvery) > Math.floor(before / this.snapshotEvery))
      await this.snapshot(tx, final, meta.occurredAt);
    return { events: stored, states, state: final };
  }

  async snapshot(tx: Tx | Db, state: AuctionState, takenAt: Date): Promise<void> {
    const json = JSON.stringify(state);
    await tx.$executeRaw`INSERT INTO auction_snapshots (auction_id, seq, state, taken_at) VALUES (${state.id}::uuid, ${state.seq}, ${json}::jsonb, ${takenAt}::timestamptz)
      ON CONFLICT (auction_id) DO UPDATE SET seq = EXCLUDED.seq, state = EXCLUDED.state, taken_at = EXCLUDED.taken_at
      WHERE auction_snapshots.seq < EXCLUDED.seq`;
  }
}

/** The type lives in its own column; the payload holds the rest. */
function withoutType(data: AuctionEventData): Record<string, unknown> {
  const { type: _type, ...rest } = data;
  return rest;
}

/** Bids whose read-model row an event changes. */
export function touchedBids(events: readonly StoredAuctionEvent[]): Set<string> {
  const ids = new Set<string>();
  for (const e of events) {
    if (e.data.type === 'BidPlaced' || e.data.type === 'BidRetracted' || e.data.type === 'BidDoubled') ids.add(e.data.bidId);
  }
  return ids;
}
