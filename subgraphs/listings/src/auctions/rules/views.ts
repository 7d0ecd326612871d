import { highestBid, liveBidCount, type AuctionState, type BidState } from './aggregate';
import type { AuctionOutcome, AuctionStatus, BiddingRule, CancelReason as AuctionCancelReason } from './events';

/** A bid as the API shows it (the read model row, or the aggregate's bid). */
export interface BidView {
  id: string;
  auctionId: string;
  bidderId: string;
  amountMinor: number;
  doubledFromMinor: number | null;
  status: 'LIVE' | 'RETRACTED';
  seq: number;
  placedAt: Date;
  retractedAt: Date | null;
  currency: string;
}

/** An auction as the API shows it: the `auction_summaries` row, or the aggregate in a live event. */
export interface AuctionView {
  id: string;
  listingId: string;
  sellerId: string;
  status: AuctionStatus;
  rule: BiddingRule;
  currency: string;
  startingMinor: number;
  incrementMinor: number;
  reserveMinor: number | null;
  startsAt: Date;
  endsAt: Date;
  originalEndsAt: Date;
  softCloseSeconds: number;
  promoterEnabled: boolean;
  highestBid: BidView | null;
  bidCount: number;
  outcome: AuctionOutcome | null;
  winnerId: string | null;
  winningMinor: number | null;
  cancelReason: AuctionCancelReason | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** Order of statuses in `auctions(...)`: open first, then scheduled, then ended. */
export function statusRank(status: AuctionStatus): number {
  return status === 'OPEN' ? 0 : status === 'SCHEDULED' ? 1 : 2;
}

export function bidView(state: Pick<AuctionState, 'id' | 'currency'>, bid: BidState): BidView {
  return {
    id: bid.id,
    auctionId: state.id,
    bidderId: bid.bidderId,
    amountMinor: bid.amountMinor,
    doubledFromMinor: bid.doubledFromMinor,
    status: bid.live ? 'LIVE' : 'RETRACTED',
    seq: bid.seq,
    placedAt: new Date(bid.placedAt),
    retractedAt: bid.retractedAt === null ? null : new Date(bid.retractedAt),
    currency: state.currency,
  };
}

/** The read model of an auction is a function of its state: the projector writes exactly this. */
export function auctionView(state: AuctionState): AuctionView {
  const top = highestBid(state);
  return {
    id: state.id,
    listingId: state.listingId,
    sellerId: state.sellerId,
    status: state.status,
    rule: state.rule,
    currency: state.currency,
    startingMinor: state.startingMinor,
    incrementMinor: state.incrementMinor,
    reserveMinor: state.reserveMinor,
    startsAt: new Date(state.startsAt),
    endsAt: new Date(state.endsAt),
    originalEndsAt: new Date(state.originalEndsAt),
    softCloseSeconds: state.softCloseSeconds,
    promoterEnabled: state.promoterEnabled,
    highestBid: top ? bidView(state, top) : null,
    bidCount: liveBidCount(state),
    outcome: state.outcome,
    winnerId: state.winnerId,
    winningMinor: state.winningMinor,
    cancelReason: state.cancelReason,
    version: state.seq,
    createdAt: new Date(state.createdAt),
    updatedAt: new Date(state.updatedAt),
  };
}
