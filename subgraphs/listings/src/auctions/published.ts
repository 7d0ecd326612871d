import type { EventPayload, PendingEvent } from '@market/platform';
import { biddersOf, highestBid, type AuctionState } from './rules/aggregate';
import type { StoredAuctionEvent } from './rules/events';
import { formatAmount } from './rules/money';

/**
 * What auctions tell other services, through the outbox in the transaction that appends to the log
 * (topic `listings.auction`, keyed by auction id, so one auction's events stay in order). Each carries
 * what a notifier needs without reading anything back: bidder ids, the previous and the new leader,
 * amounts as decimal strings, the listing and the seller.
 */
export const PUBLISHED_AUCTION_EVENTS = [
  'listings.auction.created',
  'listings.auction.opened',
  'listings.auction.bidPlaced',
  'listings.auction.bidRetracted',
  'listings.auction.bidDoubled',
  'listings.auction.closed',
  'listings.auction.cancelled',
] as const;

/** The outbox event of one appended event; `after` is the aggregate once the event is applied. */
export function auctionOutboxEvent(event: StoredAuctionEvent, after: AuctionState): PendingEvent {
  const money = (minor: number) => formatAmount(minor, after.currency);
  const orNull = (minor: number | null) => (minor === null ? null : money(minor));
  const base = { auctionId: after.id, listingId: after.listingId, sellerId: after.sellerId, currency: after.currency, seq: event.seq };
  const top = highestBid(after);
  const data = event.data;
  const send = <T extends (typeof PUBLISHED_AUCTION_EVENTS)[number]>(type: T, payload: EventPayload<T>): PendingEvent =>
    ({ type, aggregateId: after.id, payload }) as PendingEvent;
  switch (data.type) {
    case 'AuctionCreated':
      return send('listings.auction.created', {
        ...base,
        rule: data.rule,
        startsAt: data.startsAt,
        endsAt: data.endsAt,
        startingPrice: money(data.startingMinor),
        hasReserve: data.reserveMinor !== null,
      });
    case 'AuctionOpened':
      return send('listings.auction.opened', base);
    case 'BidPlaced':
      return send('listings.auction.bidPlaced', {
        ...base,
        bidId: data.bidId,
        bidderId: data.bidderId,
        amount: money(data.amountMinor),
        previousLeaderId: data.previousLeaderId,
        previousHighest: orNull(data.previousHighestMinor),
        leaderId: top?.bidderId ?? data.bidderId,
        highest: money(top?.amountMinor ?? data.amountMinor),
        endsAt: new Date(after.endsAt).toISOString(),
        extended: data.extendedTo !== null,
      });
    case 'BidRetracted':
      return send('listings.auction.bidRetracted', {
        ...base,
        bidId: data.bidId,
        bidderId: data.bidderId,
        amount: money(data.amountMinor),
        leaderId: data.leaderId,
        highest: orNull(data.highestMinor),
      });
    case 'BidDoubled':
      return send('listings.auction.bidDoubled', {
        ...base,
        bidId: data.bidId,
        bidderId: data.bidderId,
        from: money(data.fromMinor),
        to: money(data.toMinor),
        previousLeaderId: data.previousLeaderId,
        previousHighest: orNull(data.previousHighestMinor),
        leaderId: top?.bidderId ?? data.bidderId,
        highest: money(top?.amountMinor ?? data.toMinor),
      });
    case 'AuctionClosed':
      return send('listings.auction.closed', {
        ...base,
        outcome: data.outcome,
        winnerId: data.winnerId,
        winningAmount: orNull(data.winningMinor),
        highestBidderId: data.highestBidderId,
        highest: orNull(data.highestMinor),
        bidderIds: biddersOf(after),
      });
    case 'AuctionCancelled':
      return send('listings.auction.cancelled', { ...base, reason: data.reason, bidderIds: biddersOf(after) });
  }
}
