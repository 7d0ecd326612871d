import type { Db, Tx } from '../../db';
import type { AuctionOutcome, AuctionStatus, BiddingRule, CancelReason as AuctionCancelReason } from '../rules/events';
import type { AuctionView, BidView } from '../rules/views';

interface SummaryRow {
  auction_id: string;
  listing_id: string;
  seller_id: string;
  status: string;
  status_rank: number;
  rule: string;
  currency: string;
  starting_minor: bigint;
  increment_minor: bigint;
  reserve_minor: bigint | null;
  starts_at: Date;
  ends_at: Date;
  original_ends_at: Date;
  soft_close_seconds: number;
  promoter_enabled: boolean;
  bid_count: number;
  outcome: string | null;
  winner_id: string | null;
  winning_minor: bigint | null;
  cancel_reason: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  // The highest bid, joined from auction_bids.
  hb_id: string | null;
  hb_bidder_id: string | null;
  hb_amount_minor: bigint | null;
  hb_doubled_from_minor: bigint | null;
  hb_seq: number | null;
  hb_placed_at: Date | null;
}

interface BidRow {
  bid_id: string;
  auction_id: string;
  bidder_id: string;
  amount_minor: bigint;
  doubled_from_minor: bigint | null;
  status: string;
  seq: number;
  placed_at: Date;
  retracted_at: Date | null;
  currency: string;
}

const num = (v: bigint | number | null): number | null => (v === null ? null : Number(v));

function toView(r: SummaryRow): AuctionView {
  return {
    id: r.auction_id,
    listingId: r.listing_id,
    sellerId: r.seller_id,
    status: r.status as AuctionStatus,
    rule: r.rule as BiddingRule,
    currency: r.currency,
    startingMinor: Number(r.starting_minor),
    incrementMinor: Number(r.increment_minor),
    reserveMinor: num(r.reserve_minor),
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    originalEndsAt: r.original_ends_at,
    softCloseSeconds: r.soft_close_seconds,
    promoterEnabled: r.promoter_enabled,
    highestBid: r.hb_id
      ? {
          id: r.hb_id,
          auctionId: r.auction_id,
          bidderId: r.hb_bidder_id as string,
          amountMinor: Number(r.hb_amount_minor),
          doubledFromMinor: num(r.hb_doubled_from_minor),
          status: 'LIVE',
          seq: r.hb_seq as number,
          placedAt: r.hb_placed_at as Date,
          retractedAt: null,
          currency: r.currency,
        }
      : null,
    bidCount: r.bid_count,
    outcome: r.outcome as AuctionOutcome | null,
    winnerId: r.winner_id,
    winningMinor: num(r.winning_minor),
    cancelReason: r.cancel_reason as AuctionCancelReason | null,
    version: r.version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toBid(r: BidRow): BidView {
  return {
    id: r.bid_id,
    auctionId: r.auction_id,
    bidderId: r.bidder_id,
    amountMinor: Number(r.amount_minor),
    doubledFromMinor: num(r.doubled_from_minor),
    status: r.status as BidView['status'],
    seq: r.seq,
    placedAt: r.placed_at,
    retractedAt: r.retracted_at,
    currency: r.currency,
  };
}

const SUMMARY_COLUMNS = `s.auction_id::text, s.listing_id::text, s.seller_id::text, s.status, s.status_rank, s.rule, s.currency, s.starting_minor,
  s.increment_minor, s.reserve_minor, s.starts_at, s.ends_at, s.original_ends_at, s.soft_close_seconds, s.promoter_enabled, s.bid_count,
  s.outcome, s.winner_id::text, s.winning_minor, s.cancel_reason, s.version, s.created_at, s.updated_at,
  b.bid_id::text AS hb_id, b.bidder_id::text AS hb_bidder_id, b.amount_minor AS hb_amount_minor,
  b.doubled_from_minor AS hb_doubled_from_minor, b.seq AS hb_seq, b.placed_at AS hb_placed_at`;

/** Where a page of auctions starts: after this one in (status rank, end, id) order. */
export interface AuctionCursor {
  rank: number;
  endsAt: Date;
  id: string;
}

/** Reads of the auction read models (never the log: that is the event store's). */
export class AuctionReadRepository {
  constructor(private readonly db: Db) {}

  async findByIds(ids: readonly string[]): Promise<AuctionView[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.$queryRawUnsafe<SummaryRow[]>(
      `SELECT ${SUMMARY_COLUMNS} FROM auction_summaries s LEFT JOIN auction_bids b ON b.bid_id = s.highest_bid_id
       WHERE s.auction_id = ANY($1::uuid[])`,
      ids,
    );
    return rows.map(toView);
  }

  /**
   * A page in (open, scheduled, ended; then ending soonest) order, of auctions whose listing anyone
   * may see: it exists and is not DRAFT or ARCHIVED (auctions and listings share this database).
   */
  async page(status: AuctionStatus | null, after: AuctionCursor | null, limit: number): Promise<AuctionView[]> {
    const rows = await this.db.$queryRawUnsafe<SummaryRow[]>(
      `SELECT ${SUMMARY_COLUMNS} FROM auction_summaries s
       JOIN listings l ON l.id = s.listing_id AND l.status NOT IN ('DRAFT', 'ARCHIVED')
       LEFT JOIN auction_bids b ON b.bid_id = s.highest_bid_id
       WHERE ($1::text IS NULL OR s.status = $1)
         AND ($2::int IS NULL OR (s.status_rank, s.ends_at, s.auction_id) > ($2::int, $3::timestamptz, $4::uuid))
       ORDER BY s.status_rank, s.ends_at, s.auction_id LIMIT $5`,
      status,
      after?.rank ?? null,
      after?.endsAt ?? null,
      after?.id ?? null,
      limit,
    );
    return rows.map(toView);
  }

  /** Per listing: its auction that has not ended, else its latest one. */
  async forListings(listingIds: readonly string[]): Promise<AuctionView[]> {
    if (listingIds.length === 0) return [];
    const rows = await this.db.$queryRawUnsafe<SummaryRow[]>(
      `SELECT DISTINCT ON (s.listing_id) ${SUMMARY_COLUMNS} FROM auction_summaries s LEFT JOIN auction_bids b ON b.bid_id = s.highest_bid_id
       WHERE s.listing_id = ANY($1::uuid[]) ORDER BY s.listing_id, (s.status IN ('SCHEDULED', 'OPEN')) DESC, s.created_at DESC`,
      listingIds,
    );
    return rows.map(toView);
  }

  /** The listing's auction that has not ended, if any. */
  async liveForListing(listingId: string, client: Db | Tx = this.db): Promise<string | null> {
    const rows = await client.$queryRaw<{ id: string }[]>`SELECT auction_id::text AS id FROM auction_summaries
      WHERE listing_id = ${listingId}::uuid AND status IN ('SCHEDULED', 'OPEN') LIMIT 1`;
    return rows[0]?.id ?? null;
  }

  /** A bidder's bids in each of the auctions, newest first (keys: `${auctionId}:${bidderId}`). */
  async bidsOf(pairs: readonly { auctionId: string; bidderId: string }[]): Promise<BidView[]> {
    if (pairs.length === 0) return [];
    const rows = await this.db.$queryRawUnsafe<BidRow[]>(
      `SELECT b.bid_id::text, b.auction_id::text, b.bidder_id::text, b.amount_minor, b.doubled_from_minor, b.status, b.seq, b.placed_at,
         b.retracted_at, s.currency
       FROM auction_bids b JOIN auction_summaries s ON s.auction_id = b.auction_id
       JOIN unnest($1::uuid[], $2::uuid[]) AS p(auction_id, bidder_id) ON p.auction_id = b.auction_id AND p.bidder_id = b.bidder_id
       ORDER BY b.seq DESC`,
      pairs.map((p) => p.auctionId),
      pairs.map((p) => p.bidderId),
    );
    return rows.map(toBid);
  }

  async bidById(bidId: string): Promise<BidView | null> {
    const rows = await this.db.$queryRaw<
      BidRow[]
    >`SELECT b.bid_id::text, b.auction_id::text, b.bidder_id::text, b.amount_minor, b.doubled_from_minor,
        b.status, b.seq, b.placed_at, b.retracted_at, s.currency
      FROM auction_bids b JOIN auction_summaries s ON s.auction_id = b.auction_id WHERE b.bid_id = ${bidId}::uuid`;
    return rows[0] ? toBid(rows[0]) : null;
  }

  /** Open auctions in which the user has a live bid, and with which bids. */
  async liveBidsOf(userId: string): Promise<{ auctionId: string; bidId: string }[]> {
    return this.db.$queryRaw<{ auctionId: string; bidId: string }[]>`SELECT b.auction_id::text AS "auctionId", b.bid_id::text AS "bidId"
      FROM auction_bids b JOIN auction_summaries s ON s.auction_id = b.auction_id
      WHERE b.bidder_id = ${userId}::uuid AND b.status = 'LIVE' AND s.status IN ('SCHEDULED', 'OPEN') ORDER BY b.auction_id, b.seq`;
  }

  /** Auctions that have not ended, of a seller or of a listing. */
  async unendedOfSeller(sellerId: string): Promise<string[]> {
    const rows = await this.db.$queryRaw<{ id: string }[]>`SELECT auction_id::text AS id FROM auction_summaries
      WHERE seller_id = ${sellerId}::uuid AND status IN ('SCHEDULED', 'OPEN')`;
    return rows.map((r) => r.id);
  }

  async unendedOfListing(listingId: string): Promise<string[]> {
    const rows = await this.db.$queryRaw<{ id: string }[]>`SELECT auction_id::text AS id FROM auction_summaries
      WHERE listing_id = ${listingId}::uuid AND status IN ('SCHEDULED', 'OPEN')`;
    return rows.map((r) => r.id);
  }

  /** Auctions whose end passed (to close) or whose start passed (to open), earliest first. */
  async due(now: Date, limit: number): Promise<string[]> {
    const rows = await this.db.$queryRaw<{ id: string }[]>`SELECT auction_id::text AS id FROM (
        (SELECT auction_id, ends_at AS at FROM auction_summaries WHERE status IN ('SCHEDULED', 'OPEN') AND ends_at <= ${now} ORDER BY ends_at LIMIT ${limit})
        UNION ALL
        (SELECT auction_id, starts_at AS at FROM auction_summaries WHERE status = 'SCHEDULED' AND starts_at <= ${now} AND ends_at > ${now} ORDER BY starts_at LIMIT ${limit})
      ) due ORDER BY at LIMIT ${limit}`;
    return rows.map((r) => r.id);
  }

  /** Open auctions the promoter may touch (opted in, with a live bid). */
  async promotable(now: Date, limit: number): Promise<string[]> {
    const rows = await this.db.$queryRaw<{ id: string }[]>`SELECT auction_id::text AS id FROM auction_summaries
      WHERE status = 'OPEN' AND promoter_enabled AND bid_count > 0 AND ends_at > ${now} ORDER BY ends_at LIMIT ${limit}`;
    return rows.map((r) => r.id);
  }
}
