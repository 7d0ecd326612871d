import type { Db } from '../../db';
import { applyEvent, type AuctionState } from '../rules/aggregate';
import { projectAuction } from './projector';
import { toStored } from './event-store';
import type { AuctionEventData } from '../rules/events';

export interface RebuildReport {
  events: number;
  auctions: number;
  ms: number;
}

/**
 * Rebuilds the read models `auction_summaries` and `auction_bids` (and the snapshots, a cache) from
 * `auction_events`: every auction's events are folded in seq order and projected with the same code
 * the appends use, from times in the events only, so the read models come out identical. One transaction: readers see the old tables until it commits, and
 * appends wait for it (the SHARE lock on the log), so nothing appended meanwhile is missed.
 */
export async function rebuildAuctionReadModels(
  db: Db,
  options: { batchSize?: number; snapshotEvery: number; onProgress?: (p: { done: number; total: number }) => void },
): Promise<RebuildReport> {
  const started = Date.now();
  const batchSize = options.batchSize ?? 2_000;
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`LOCK TABLE auction_events IN SHARE MODE`;
      const [counted] = await tx.$queryRaw<{ total: bigint }[]>`SELECT count(*) AS total FROM auction_events`;
      const total = Number(counted?.total ?? 0);
      await tx.$executeRaw`TRUNCATE auction_summaries, auction_bids, auction_snapshots`;
      let done = 0;
      let auctions = 0;
      let state: AuctionState | null = null;
      const finish = async (s: AuctionState | null) => {
        if (!s) return;
        await projectAuction(tx, s, 'all');
        // Snapshots are a cache of the aggregate, not a read model: one of the final state will do.
        if (s.seq >= options.snapshotEvery) await writeSnapshot(tx, s);
        auctions++;
      };
      let after: { auctionId: string; seq: number } = { auctionId: '00000000-0000-0000-0000-000000000000', seq: 0 };
      for (;;) {
        const rows = await tx.$queryRaw<
          { auction_id: string; seq: number; type: string; payload: AuctionEventData; occurred_at: Date; causation_id: string | null }[]
        >`
          SELECT auction_id::text, seq, type, payload, occurred_at, causation_id FROM auction_events
          WHERE (auction_id, seq) > (${after.auctionId}::uuid, ${after.seq}) ORDER BY auction_id, seq LIMIT ${batchSize}`;
        if (rows.length === 0) break;
        for (const row of rows) {
          const event = toStored(row);
          if (state && state.id !== event.auctionId) {
            await finish(state);
            state = null;
          }
          state = applyEvent(state, event);
          done++;
        }
        const last = rows[rows.length - 1]!;
        after = { auctionId: last.auction_id, seq: last.seq };
        options.onProgress?.({ done, total });
      }
      await finish(state);
      options.onProgress?.({ done, total });
      return { events: done, auctions, ms: Date.now() - started };
    },
    { timeout: 30 * 60_000, maxWait: 60_000 },
  );
}

async function writeSnapshot(tx: Parameters<Parameters<Db['$transaction']>[0]>[0], state: AuctionState): Promise<void> {
  await tx.$executeRaw`INSERT INTO auction_snapshots (auction_id, seq, state, taken_at)
    SELECT ${state.id}::uuid, ${state.seq}, ${JSON.stringify(state)}::jsonb, occurred_at FROM auction_events WHERE auction_id = ${state.id}::uuid AND seq = ${state.seq}`;
}
