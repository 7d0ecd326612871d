import type {
  AuctionCancelled,
  AuctionEventData,
  AuctionOutcome,
  AuctionStatus,
  BiddingRule,
  CancelReason,
  StoredAuctionEvent,
} from './events';

/** One bid as the aggregate keeps it. Times are epoch milliseconds so the state is plain JSON (snapshots). */
export interface BidState {
  id: string;
  bidderId: string;
  amountMinor: number;
  /** The seq of its BidPlaced event: between equal amounts, the earlier bid leads. */
  seq: number;
  placedAt: number;
  live: boolean;
  retractedAt: number | null;
  doubledFromMinor: number | null;
}

/** An auction rebuilt from its events. Plain JSON, so a snapshot is this object as stored. */
export interface AuctionState {
  id: string;
  listingId: string;
  sellerId: string;
  currency: string;
  rule: BiddingRule;
  startingMinor: number;
  incrementMinor: number;
  reserveMinor: number | null;
  startsAt: number;
  endsAt: number;
  originalEndsAt: number;
  softCloseSeconds: number;
  promoterEnabled: boolean;
  status: AuctionStatus;
  /** Every bid ever placed, in seq order. */
  bids: BidState[];
  outcome: AuctionOutcome | null;
  winnerId: string | null;
  winningMinor: number | null;
  cancelReason: CancelReason | null;
  /** The seq of the last event folded in. */
  seq: number;
  createdAt: number;
  updatedAt: number;
}

export class AuctionLogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuctionLogError';
  }
}

/** The leading bid: the highest live amount, the earliest of equal ones; null without live bids. */
export function highestBid(state: Pick<AuctionState, 'bids'>): BidState | null {
  let best: BidState | null = null;
  for (const bid of state.bids) {
    if (!bid.live) continue;
    if (!best || bid.amountMinor > best.amountMinor) best = bid;
  }
  return best;
}

export function liveBidCount(state: Pick<AuctionState, 'bids'>): number {
  let n = 0;
  for (const bid of state.bids) if (bid.live) n++;
  return n;
}

/** The bidder's most recent live bid (OWN_BEST compares with it). */
export function latestLiveBidOf(state: Pick<AuctionState, 'bids'>, bidderId: string): BidState | null {
  for (let i = state.bids.length - 1; i >= 0; i--) {
    const bid = state.bids[i] as BidState;
    if (bid.live && bid.bidderId === bidderId) return bid;
  }
  return null;
}

/** Distinct ids of everyone who bid (live or not), in order of their first bid: who a close concerns. */
export function biddersOf(state: Pick<AuctionState, 'bids'>): string[] {
  return [...new Set(state.bids.map((b) => b.bidderId))];
}

/**
 * Folds one event into the state. Pure: the same events always give the same state. An event that
 * does not fit (a bid on an unknown auction, a seq out of order) means the log is corrupt: it throws.
 */
export function applyEvent(state: AuctionState | null, event: StoredAuctionEvent): AuctionState {
  const at = event.occurredAt.getTime();
  const data: AuctionEventData = event.data;
  if (data.type === 'AuctionCreated') {
    if (state) throw new AuctionLogError(`auction ${event.auctionId}: created twice (seq ${event.seq})`);
    if (event.seq !== 1) throw new AuctionLogError(`auction ${event.auctionId}: AuctionCreated at seq ${event.seq}`);
    const endsAt = Date.parse(data.endsAt);
    return {
      id: event.auctionId,
      listingId: data.listingId,
      sellerId: data.sellerId,
      currency: data.currency,
      rule: data.rule,
      startingMinor: data.startingMinor,
      incrementMinor: data.incrementMinor,
      reserveMinor: data.reserveMinor,
      startsAt: Date.parse(data.startsAt),
      endsAt,
      originalEndsAt: endsAt,
      softCloseSeconds: data.softCloseSeconds,
      promoterEnabled: data.promoterEnabled,
      status: 'SCHEDULED',
      bids: [],
      outcome: null,
      winnerId: null,
      winningMinor: null,
      cancelReason: null,
      seq: 1,
      createdAt: at,
      updatedAt: at,
    };
  }
  if (!state) throw new AuctionLogError(`auction ${event.auctionId}: ${data.type} before AuctionCreated`);
  if (event.seq !== state.seq + 1) throw new AuctionLogError(`auction ${event.auctionId}: seq ${event.seq} after ${state.seq}`);
  const next: AuctionState = { ...state, seq: event.seq, updatedAt: at };
  const bidIndex = (bidId: string) => {
    const i = state.bids.findIndex((b) => b.id === bidId);
    if (i < 0) throw new AuctionLogError(`auction ${state.id}: ${data.type} of unknown bid ${bidId}`);
    return i;
  };
  switch (data.type) {
    case 'AuctionOpened':
      return { ...next, status: 'OPEN' };
    case 'BidPlaced':
      return {
        ...next,
        status: 'OPEN',
        endsAt: data.extendedTo ? Date.parse(data.extendedTo) : state.endsAt,
        bids: [
          ...state.bids,
          {
            id: data.bidId,
            bidderId: data.bidderId,
            amountMinor: data.amountMinor,
            seq: event.seq,
            placedAt: at,
            live: true,
            retractedAt: null,
            doubledFromMinor: null,
          },
        ],
      };
    case 'BidRetracted': {
      const i = bidIndex(data.bidId);
      const bids = state.bids.slice();
      bids[i] = { ...(bids[i] as BidState), live: false, retractedAt: at };
      return { ...next, bids };
    }
    case 'BidDoubled': {
      const i = bidIndex(data.bidId);
      const bids = state.bids.slice();
      const bid = bids[i] as BidState;
      bids[i] = { ...bid, amountMinor: data.toMinor, doubledFromMinor: bid.doubledFromMinor ?? data.fromMinor };
      return { ...next, bids };
    }
    case 'AuctionClosed':
      return { ...next, status: 'CLOSED', outcome: data.outcome, winnerId: data.winnerId, winningMinor: data.winningMinor };
    case 'AuctionCancelled':
      return { ...next, status: 'CANCELLED', cancelReason: (data as AuctionCancelled).reason };
  }
}

/** Folds a run of events (in seq order) onto a state, e.g. a snapshot. */
export function foldEvents(state: AuctionState | null, events: readonly StoredAuctionEvent[]): AuctionState | null {
  let current = state;
  for (const event of events) current = applyEvent(current, event);
  return current;
}

/** What the auction's status is at `now`, counting transitions the log has not recorded yet. */
export function effectiveStatus(state: AuctionState, now: number): AuctionStatus {
  if (state.status === 'CLOSED' || state.status === 'CANCELLED') return state.status;
  if (now >= state.endsAt) return 'CLOSED';
  if (now >= state.startsAt) return 'OPEN';
  return 'SCHEDULED';
}
