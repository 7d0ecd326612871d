import { applyEvent, highestBid, latestLiveBidOf, type AuctionState } from './aggregate';
import type { AuctionClosed, AuctionCreated, AuctionEventData, AuctionOutcome, BidDoubled, CancelReason, PromoterDraw } from './events';

/**
 * The command side: each function looks at the aggregate and the time and returns the events to
 * append, or why not. Pure, so every rule is tested without a database; the event store appends
 * what they return with optimistic concurrency, deciding again on a fresh state after a conflict.
 */

export const BID_REJECTION_REASONS = [
  'AUCTION_NOT_OPEN',
  'OWN_LISTING',
  'BELOW_START',
  'TOO_LOW_FOR_RULE',
  'BELOW_INCREMENT',
  'AUCTION_NOT_FOUND',
] as const;
export type BidRejectionReason = (typeof BID_REJECTION_REASONS)[number];

export type BidDecision =
  | { accepted: true; events: AuctionEventData[] }
  | { accepted: false; reason: BidRejectionReason; minimumMinor: number | null; events: AuctionEventData[] };

/**
 * Time-driven transitions the log has not recorded yet: an auction past its start opens, one past its
 * end closes. Commands prepend these, so a bid arriving a moment after the end is refused by a log
 * that says why (AuctionClosed), even if the closing job has not run yet.
 */
export function dueTransitions(state: AuctionState, now: number): AuctionEventData[] {
  if (state.status === 'CLOSED' || state.status === 'CANCELLED') return [];
  if (now >= state.endsAt) return [closeEvent(state)];
  if (state.status === 'SCHEDULED' && now >= state.startsAt) return [{ type: 'AuctionOpened' }];
  return [];
}

/** How an auction ends: its highest live bid wins unless the reserve is not met. */
export function closeEvent(state: AuctionState): AuctionClosed {
  const top = highestBid(state);
  let outcome: AuctionOutcome;
  if (!top) outcome = 'NO_BIDS';
  else if (state.reserveMinor !== null && top.amountMinor < state.reserveMinor) outcome = 'RESERVE_NOT_MET';
  else outcome = 'WON';
  return {
    type: 'AuctionClosed',
    outcome,
    highestBidId: top?.id ?? null,
    highestBidderId: top?.bidderId ?? null,
    highestMinor: top?.amountMinor ?? null,
    winnerId: outcome === 'WON' ? (top?.bidderId ?? null) : null,
    winningMinor: outcome === 'WON' ? (top?.amountMinor ?? null) : null,
  };
}

/** The lowest amount the bidder may bid now under the auction's rule. */
export function minimumBid(state: AuctionState, bidderId: string): number {
  if (state.rule === 'ASCENDING') {
    const top = highestBid(state);
    return top ? top.amountMinor + state.incrementMinor : Math.max(state.startingMinor, 1);
  }
  const own = latestLiveBidOf(state, bidderId);
  return own ? own.amountMinor + state.incrementMinor : Math.max(state.startingMinor, 1);
}

/**
 * A bid of `amountMinor` by `bidderId` at `now`:
 * - ASCENDING: at least the starting price, and at least the current highest plus the increment;
 * - OWN_BEST (the reference rule): at least the starting price and at least the bidder's own latest
 *   live bid plus the increment, even when that stays under the current highest.
 * A bid in the last `softCloseSeconds` moves the end to that long after the bid.
 */
export function decideBid(state: AuctionState, bid: { bidId: string; bidderId: string; amountMinor: number }, now: number): BidDecision {
  const due = dueTransitions(state, now);
  const reject = (reason: BidRejectionReason, minimumMinor: number | null = null): BidDecision => ({
    accepted: false,
    reason,
    minimumMinor,
    events: due,
  });
  if (state.status === 'CLOSED' || state.status === 'CANCELLED' || now < state.startsAt || now >= state.endsAt)
    return reject('AUCTION_NOT_OPEN');
  if (bid.bidderId === state.sellerId) return reject('OWN_LISTING');
  const minimum = minimumBid(state, bid.bidderId);
  // A bid of nothing is no bid, even when the auction starts at 0.
  if (bid.amountMinor < Math.max(state.startingMinor, 1)) return reject('BELOW_START', minimum);
  if (bid.amountMinor < minimum) {
    const reference = state.rule === 'ASCENDING' ? highestBid(state) : latestLiveBidOf(state, bid.bidderId);
    // Not above the amount the rule compares with at all, or above it by less than the increment.
    return reject(reference && bid.amountMinor <= reference.amountMinor ? 'TOO_LOW_FOR_RULE' : 'BELOW_INCREMENT', minimum);
  }
  const top = highestBid(state);
  const window = state.softCloseSeconds * 1000;
  const extendedTo = window > 0 && state.endsAt - now < window ? new Date(now + window).toISOString() : null;
  return {
    accepted: true,
    events: [
      ...due,
      {
        type: 'BidPlaced',
        bidId: bid.bidId,
        bidderId: bid.bidderId,
        amountMinor: bid.amountMinor,
        previousLeaderId: top?.bidderId ?? null,
        previousHighestMinor: top?.amountMinor ?? null,
        extendedTo,
      },
    ],
  };
}

export const RETRACT_REJECTIONS = ['NOT_YOUR_BID', 'ALREADY_RETRACTED', 'AUCTION_NOT_OPEN', 'BID_NOT_FOUND'] as const;
export type RetractRejection = (typeof RETRACT_REJECTIONS)[number];

/**
 * Its bidder takes a live bid back while the auction is open; the next highest live bid leads. The
 * system may retract for a bidder (account deletion) with `asSystem`.
 */
export function decideRetract(
  state: AuctionState,
  cmd: { bidId: string; byUserId: string | null; asSystem?: boolean },
  now: number,
): { ok: true; events: AuctionEventData[] } | { ok: false; reason: RetractRejection; events: AuctionEventData[] } {
  const due = dueTransitions(state, now);
  const bid = state.bids.find((b) => b.id === cmd.bidId);
  if (!bid) return { ok: false, reason: 'BID_NOT_FOUND', events: due };
  if (!cmd.asSystem && bid.bidderId !== cmd.byUserId) return { ok: false, reason: 'NOT_YOUR_BID', events: due };
  if (!bid.live) return { ok: false, reason: 'ALREADY_RETRACTED', events: due };
  if (state.status === 'CLOSED' || state.status === 'CANCELLED' || now < state.startsAt || now >= state.endsAt) {
    return { ok: false, reason: 'AUCTION_NOT_OPEN', events: due };
  }
  const after = highestBid({ bids: state.bids.filter((b) => b.id !== bid.id) });
  return {
    ok: true,
    events: [
      ...due,
      {
        type: 'BidRetracted',
        bidId: bid.id,
        bidderId: bid.bidderId,
        amountMinor: bid.amountMinor,
        leaderId: after?.bidderId ?? null,
        highestMinor: after?.amountMinor ?? null,
      },
    ],
  };
}

export const CANCEL_REJECTIONS = ['ALREADY_ENDED', 'HAS_BIDS'] as const;
export type CancelRejection = (typeof CANCEL_REJECTIONS)[number];

/**
 * The seller cancels before the end while no live bid stands (bidders are owed the auction they bid
 * in); an admin or the system (listing or seller deleted) cancels any auction that has not ended.
 */
export function decideCancel(
  state: AuctionState,
  cmd: { reason: CancelReason; byUserId: string | null },
  now: number,
): { ok: true; events: AuctionEventData[] } | { ok: false; reason: CancelRejection; events: AuctionEventData[] } {
  const due = dueTransitions(state, now);
  if (state.status === 'CLOSED' || state.status === 'CANCELLED' || now >= state.endsAt)
    return { ok: false, reason: 'ALREADY_ENDED', events: due };
  if (cmd.reason === 'SELLER' && highestBid(state)) return { ok: false, reason: 'HAS_BIDS', events: due };
  return { ok: true, events: [...due, { type: 'AuctionCancelled', reason: cmd.reason, byUserId: cmd.byUserId }] };
}

/** What the promoter may do this round. */
export interface PromoterStrategy {
  /** Chance (0..1) that an opted-in open auction is promoted in a round. */
  probability: number;
  /** No bid is doubled beyond this (minor units); a bid already at or above it is left alone. */
  capMinor: number;
}

/**
 * The promoter's move on one auction: with probability `strategy.probability`, one live bid picked
 * uniformly at random is doubled for its bidder (capped). `roll` and `pick` are the two random
 * numbers in [0, 1); they go into the event, so anyone can check the choice from the log.
 */
export function decidePromotion(
  state: AuctionState,
  strategy: PromoterStrategy,
  roll: number,
  pick: number,
  now: number,
): BidDoubled | null {
  if (!state.promoterEnabled || state.status !== 'OPEN' || now < state.startsAt || now >= state.endsAt) return null;
  if (roll >= strategy.probability) return null;
  const candidates = state.bids.filter((b) => b.live);
  if (candidates.length === 0) return null;
  const index = Math.min(candidates.length - 1, Math.floor(pick * candidates.length));
  const chosen = candidates[index]!;
  const toMinor = Math.min(chosen.amountMinor * 2, strategy.capMinor);
  if (toMinor <= chosen.amountMinor) return null;
  const top = highestBid(state);
  const draw: PromoterDraw = {
    roll,
    probability: strategy.probability,
    pick,
    candidates: candidates.length,
    index,
    capMinor: strategy.capMinor,
  };
  return {
    type: 'BidDoubled',
    bidId: chosen.id,
    bidderId: chosen.bidderId,
    fromMinor: chosen.amountMinor,
    toMinor,
    previousLeaderId: top?.bidderId ?? null,
    previousHighestMinor: top?.amountMinor ?? null,
    draw,
  };
}

export type NewAuction = Omit<AuctionCreated, 'type'>;

/** The creation event; the service has validated the input and the listing. */
export function createdEvent(input: NewAuction): AuctionCreated {
  return { type: 'AuctionCreated', ...input };
}

/** What creating an auction appends: the creation, and its opening when it starts now. */
export function creationEvents(input: NewAuction, auctionId: string, now: number): AuctionEventData[] {
  const created = createdEvent(input);
  const state = applyEvent(null, { auctionId, seq: 1, data: created, occurredAt: new Date(now), causationId: null });
  return [created, ...dueTransitions(state, now)];
}
