/**
 * What can happen to an auction: the payloads of `auction_events` rows. Each records a decided fact
 * with everything a replay needs (the promoter's random draw included), so folding the log always
 * gives the same aggregate, whatever the clock or the random source says at replay time. People
 * appear by id only: an account deletion leaves nothing else of them in the history.
 */

export const BIDDING_RULES = ['ASCENDING', 'OWN_BEST'] as const;
export type BiddingRule = (typeof BIDDING_RULES)[number];

export const AUCTION_STATUSES = ['SCHEDULED', 'OPEN', 'CLOSED', 'CANCELLED'] as const;
export type AuctionStatus = (typeof AUCTION_STATUSES)[number];

export const AUCTION_OUTCOMES = ['WON', 'RESERVE_NOT_MET', 'NO_BIDS'] as const;
export type AuctionOutcome = (typeof AUCTION_OUTCOMES)[number];

export const CANCEL_REASONS = ['SELLER', 'ADMIN', 'LISTING_DELETED', 'SELLER_DELETED'] as const;
export type CancelReason = (typeof CANCEL_REASONS)[number];

export interface AuctionCreated {
  type: 'AuctionCreated';
  listingId: string;
  sellerId: string;
  currency: string;
  rule: BiddingRule;
  startingMinor: number;
  incrementMinor: number;
  reserveMinor: number | null;
  /** ISO-8601 instants. */
  startsAt: string;
  endsAt: string;
  /** A bid this close to the end moves the end to this long after the bid (0: no soft close). */
  softCloseSeconds: number;
  promoterEnabled: boolean;
}

export interface AuctionOpened {
  type: 'AuctionOpened';
}

export interface BidPlaced {
  type: 'BidPlaced';
  bidId: string;
  bidderId: string;
  amountMinor: number;
  /** Who led, and with what, just before this bid (for "you were outbid"). */
  previousLeaderId: string | null;
  previousHighestMinor: number | null;
  /** Set when the bid fell in the soft-close window: the auction's new end. */
  extendedTo: string | null;
}

export interface BidRetracted {
  type: 'BidRetracted';
  bidId: string;
  bidderId: string;
  amountMinor: number;
  /** Who leads once the bid is gone (null: nobody). */
  leaderId: string | null;
  highestMinor: number | null;
}

/** The promoter's draw, recorded so the choice can be checked: index = floor(pick * candidates). */
export interface PromoterDraw {
  /** The roll that had to fall under `probability` for this auction to be promoted this round. */
  roll: number;
  probability: number;
  pick: number;
  candidates: number;
  index: number;
  capMinor: number;
}

export interface BidDoubled {
  type: 'BidDoubled';
  bidId: string;
  bidderId: string;
  fromMinor: number;
  toMinor: number;
  previousLeaderId: string | null;
  previousHighestMinor: number | null;
  draw: PromoterDraw;
}

export interface AuctionClosed {
  type: 'AuctionClosed';
  outcome: AuctionOutcome;
  /** The highest live bid at the end (a retracted bid never counts), whatever the outcome. */
  highestBidId: string | null;
  highestBidderId: string | null;
  highestMinor: number | null;
  /** Set when outcome = WON. */
  winnerId: string | null;
  winningMinor: number | null;
}

export interface AuctionCancelled {
  type: 'AuctionCancelled';
  reason: CancelReason;
  /** Who cancelled (null when the system did, after a deletion elsewhere). */
  byUserId: string | null;
}

export type AuctionEventData = AuctionCreated | AuctionOpened | BidPlaced | BidRetracted | BidDoubled | AuctionClosed | AuctionCancelled;
export type AuctionEventType = AuctionEventData['type'];

/** An event as stored: its place in the auction's log and when it happened. */
export interface StoredAuctionEvent {
  auctionId: string;
  seq: number;
  data: AuctionEventData;
  occurredAt: Date;
  causationId: string | null;
}
