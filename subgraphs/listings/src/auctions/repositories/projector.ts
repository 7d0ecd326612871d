import type { Tx } from '../../db';
import type { AuctionState } from '../rules/aggregate';
import { auctionView, bidView, statusRank } from '../rules/views';

/**
 * The read models are functions of the aggregate: `auction_summaries` holds `auctionView(state)`,
 * `auction_bids` one row per bid as the state holds it. Written in the append's transaction (so a
 * reader never sees a bid the log does not have) and by the rebuild, with the same code, which is
 * why a rebuild gives identical tables. Every time comes from the events, none from the clock.
 */
export async function projectAuction(tx: Tx, state: AuctionState, bidIds: ReadonlySet<string> | 'all'): Promise<void> {
  const v = auctionView(state);
  const top = v.highestBid;
  await tx.$executeRaw`INSERT INTO auction_summaries (auction_id, listing_id, seller_id, status, status_rank, rule, currency, starting_minor,
      increment_minor, reserve_minor, starts_at, ends_at, original_ends_at, soft_close_seconds, promoter_enabled, highest_bid_id,
      highest_bidder_id, highest_minor, bid_count, outcome, winner_id, winning_minor, cancel_reason, version, created_at, updated_at)
    VALUES (${v.id}::uuid, ${v.listingId}::uuid, ${v.sellerId}::uuid, ${v.status}, ${statusRank(v.status)}, ${v.rule}, ${v.currency},
      ${v.startingMinor}, ${v.incrementMinor}, ${v.reserveMinor}, ${v.startsAt}, ${v.endsAt}, ${v.originalEndsAt}, ${v.softCloseSeconds},
      ${v.promoterEnabled}, ${top?.id ?? null}::uuid, ${top?.bidderId ?? null}::uuid, ${top?.amountMinor ?? null}, ${v.bidCount}, ${v.outcome},
      ${v.winnerId}::uuid, ${v.winningMinor}, ${v.cancelReason}, ${v.version}, ${v.createdAt}, ${v.updatedAt})
    ON CONFLICT (auction_id) DO UPDATE SET status = EXCLUDED.status, status_rank = EXCLUDED.status_rank, ends_at = EXCLUDED.ends_at,
      highest_bid_id = EXCLUDED.highest_bid_id, highest_bidder_id = EXCLUDED.highest_bidder_id, highest_minor = EXCLUDED.highest_minor,
      bid_count = EXCLUDED.bid_count, outcome = EXCLUDED.outcome, winner_id = EXCLUDED.winner_id, winning_minor = EXCLUDED.winning_minor,
      cancel_reason = EXCLUDED.cancel_reason, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
    WHERE auction_summaries.version < EXCLUDED.version`;
  const bids = state.bids.filter((b) => bidIds === 'all' || bidIds.has(b.id)).map((b) => bidView(state, b));
  if (bids.length === 0) return;
  await tx.$executeRaw`INSERT INTO auction_bids (bid_id, auction_id, bidder_id, amount_minor, doubled_from_minor, status, seq, placed_at, retracted_at)
    SELECT b.bid_id, ${state.id}::uuid, b.bidder_id, b.amount_minor, b.doubled_from_minor, b.status, b.seq, b.placed_at, b.retracted_at
    FROM unnest(${bids.map((b) => b.id)}::uuid[], ${bids.map((b) => b.bidderId)}::uuid[], ${bids.map((b) => b.amountMinor)}::bigint[],
      ${bids.map((b) => b.doubledFromMinor)}::bigint[], ${bids.map((b) => b.status)}::text[], ${bids.map((b) => b.seq)}::int[],
      ${bids.map((b) => b.placedAt)}::timestamptz[], ${bids.map((b) => b.retractedAt)}::timestamptz[])
      AS b(bid_id, bidder_id, amount_minor, doubled_from_minor, status, seq, placed_at, retracted_at)
    ON CONFLICT (bid_id) DO UPDATE SET amount_minor = EXCLUDED.amount_minor, doubled_from_minor = EXCLUDED.doubled_from_minor,
      status = EXCLUDED.status, retracted_at = EXCLUDED.retracted_at`;
}
