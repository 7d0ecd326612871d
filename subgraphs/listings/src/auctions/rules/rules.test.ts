import { applyEvent, effectiveStatus, foldEvents, highestBid, type AuctionState } from './aggregate';
import { closeEvent, createdEvent, decideBid, decideCancel, decidePromotion, decideRetract, dueTransitions } from './commands';
import type { AuctionEventData, BiddingRule, StoredAuctionEvent } from './events';
import { formatAmount, parseAmount } from './money';

const T0 = Date.parse('2027-01-01T10:00:00.000Z');
const MIN = 60_000;
const SELLER = 'seller';

/** A log being written by the tests: append decided events the way the store does. */
class Log {
  events: StoredAuctionEvent[] = [];
  state: AuctionState | null = null;
  append(events: readonly AuctionEventData[], at: number): void {
    for (const data of events) {
      const e: StoredAuctionEvent = { auctionId: 'a1', seq: this.events.length + 1, data, occurredAt: new Date(at), causationId: null };
      this.state = applyEvent(this.state, e);
      this.events.push(e);
    }
  }
  get s(): AuctionState {
    return this.state as AuctionState;
  }
}

function auction(rule: BiddingRule, overrides: Partial<Parameters<typeof createdEvent>[0]> = {}): Log {
  const log = new Log();
  log.append(
    [
      createdEvent({
        listingId: 'l1',
        sellerId: SELLER,
        currency: 'USD',
        rule,
        startingMinor: 10_000,
        incrementMinor: 500,
        reserveMinor: null,
        startsAt: new Date(T0).toISOString(),
        endsAt: new Date(T0 + 60 * MIN).toISOString(),
        softCloseSeconds: 120,
        promoterEnabled: true,
        ...overrides,
      }),
    ],
    T0 - MIN,
  );
  return log;
}

let n = 0;
function bid(log: Log, bidderId: string, amountMinor: number, at = T0 + MIN) {
  const decision = decideBid(log.s, { bidId: `b${++n}`, bidderId, amountMinor }, at);
  log.append(decision.events, at);
  return decision;
}

describe('money', () => {
  it('parses amounts into minor units with the currency decimals and refuses more decimals', () => {
    expect(parseAmount('1500.5', 'USD')).toEqual({ minor: 150050 });
    expect(parseAmount('1500', 'JPY')).toEqual({ minor: 1500 });
    expect(parseAmount('1.005', 'USD')).toEqual({ problem: 'TOO_MANY_DECIMALS' });
    expect(parseAmount('1.5', 'JPY')).toEqual({ problem: 'TOO_MANY_DECIMALS' });
    expect(parseAmount('1.500', 'USD')).toEqual({ minor: 150 });
    expect(parseAmount('1.005', 'KWD')).toEqual({ minor: 1005 });
    expect(parseAmount('-5', 'USD')).toEqual({ problem: 'NEGATIVE' });
    expect(parseAmount('1e5', 'USD')).toEqual({ problem: 'FORMAT' });
    expect(parseAmount('99999999999999999999', 'USD')).toEqual({ problem: 'TOO_LARGE' });
    expect(parseAmount('1000000000001', 'USD')).toEqual({ problem: 'TOO_LARGE' });
    expect(formatAmount(150050, 'USD')).toBe('1500.50');
    expect(formatAmount(5, 'USD')).toBe('0.05');
    expect(formatAmount(1500, 'JPY')).toBe('1500');
    expect(formatAmount(1005, 'KWD')).toBe('1.005');
  });
});

describe('ASCENDING', () => {
  it('needs the starting price first, then the highest plus the increment', () => {
    const log = auction('ASCENDING');
    expect(bid(log, 'u1', 9_999)).toMatchObject({ accepted: false, reason: 'BELOW_START', minimumMinor: 10_000 });
    expect(bid(log, 'u1', 10_000)).toMatchObject({ accepted: true });
    expect(bid(log, 'u2', 10_000)).toMatchObject({ accepted: false, reason: 'TOO_LOW_FOR_RULE', minimumMinor: 10_500 });
    expect(bid(log, 'u2', 10_499)).toMatchObject({ accepted: false, reason: 'BELOW_INCREMENT' });
    expect(bid(log, 'u2', 10_500)).toMatchObject({ accepted: true });
    expect(highestBid(log.s)).toMatchObject({ bidderId: 'u2', amountMinor: 10_500 });
    // The auction opened with the first bid, recorded before it.
    expect(log.events.map((e) => e.data.type)).toEqual(['AuctionCreated', 'AuctionOpened', 'BidPlaced', 'BidPlaced']);
  });

  it('refuses the seller and bids outside the open window', () => {
    const log = auction('ASCENDING');
    expect(bid(log, SELLER, 50_000)).toMatchObject({ accepted: false, reason: 'OWN_LISTING' });
    expect(bid(log, 'u1', 50_000, T0 - 1)).toMatchObject({ accepted: false, reason: 'AUCTION_NOT_OPEN' });
    const late = bid(log, 'u1', 50_000, T0 + 61 * MIN);
    expect(late).toMatchObject({ accepted: false, reason: 'AUCTION_NOT_OPEN' });
    // The refusal records the close the log was missing.
    expect(late.events.map((e) => e.type)).toEqual(['AuctionClosed']);
    expect(log.s.status).toBe('CLOSED');
  });
});

describe('OWN_BEST (the reference rule)', () => {
  it("accepts a bid under the highest when it beats the bidder's own latest bid", () => {
    const log = auction('OWN_BEST', { incrementMinor: 1 });
    expect(bid(log, 'u1', 50_000)).toMatchObject({ accepted: true });
    expect(bid(log, 'u2', 20_000)).toMatchObject({ accepted: true });
    expect(bid(log, 'u2', 20_000)).toMatchObject({ accepted: false, reason: 'TOO_LOW_FOR_RULE', minimumMinor: 20_001 });
    expect(bid(log, 'u2', 30_000)).toMatchObject({ accepted: true });
    expect(highestBid(log.s)).toMatchObject({ bidderId: 'u1', amountMinor: 50_000 });
    expect(bid(log, 'u3', 5_000)).toMatchObject({ accepted: false, reason: 'BELOW_START' });
  });

  it('ties go to the earlier bid', () => {
    const log = auction('OWN_BEST');
    bid(log, 'u1', 40_000);
    bid(log, 'u2', 40_000);
    expect(highestBid(log.s)?.bidderId).toBe('u1');
  });
});

describe('soft close', () => {
  it('moves the end when a bid comes in the last minutes, and not before', () => {
    const log = auction('ASCENDING');
    bid(log, 'u1', 10_000, T0 + 50 * MIN);
    expect(log.s.endsAt).toBe(T0 + 60 * MIN);
    const at = T0 + 59 * MIN;
    const d = bid(log, 'u2', 20_000, at);
    expect(d.events.at(-1)).toMatchObject({ type: 'BidPlaced', extendedTo: new Date(at + 2 * MIN).toISOString() });
    expect(log.s.endsAt).toBe(at + 2 * MIN);
    expect(log.s.originalEndsAt).toBe(T0 + 60 * MIN);
    expect(bid(log, 'u1', 30_000, T0 + 60 * MIN + 30_000)).toMatchObject({ accepted: true });
  });

  it('can be turned off', () => {
    const log = auction('ASCENDING', { softCloseSeconds: 0 });
    bid(log, 'u1', 10_000, T0 + 59 * MIN);
    expect(log.s.endsAt).toBe(T0 + 60 * MIN);
  });
});

describe('retraction and closing', () => {
  it('lets only the bidder retract while open; the next highest leads and wins, never the retracted bid', () => {
    const log = auction('ASCENDING', { reserveMinor: 10_500 });
    bid(log, 'u1', 10_000);
    bid(log, 'u2', 11_000);
    const top = highestBid(log.s)!;
    expect(decideRetract(log.s, { bidId: top.id, byUserId: 'u1' }, T0 + 2 * MIN)).toMatchObject({ ok: false, reason: 'NOT_YOUR_BID' });
    const r = decideRetract(log.s, { bidId: top.id, byUserId: 'u2' }, T0 + 2 * MIN);
    expect(r).toMatchObject({ ok: true, events: [{ type: 'BidRetracted', leaderId: 'u1', highestMinor: 10_000 }] });
    log.append(r.events, T0 + 2 * MIN);
    expect(decideRetract(log.s, { bidId: top.id, byUserId: 'u2' }, T0 + 3 * MIN)).toMatchObject({ ok: false, reason: 'ALREADY_RETRACTED' });
    // u1's 100.00 is under the reserve of 105.00.
    expect(closeEvent(log.s)).toMatchObject({ outcome: 'RESERVE_NOT_MET', highestBidderId: 'u1', winnerId: null });
    bid(log, 'u1', 12_000);
    expect(dueTransitions(log.s, T0 + 70 * MIN)).toEqual([
      expect.objectContaining({ type: 'AuctionClosed', outcome: 'WON', winnerId: 'u1', winningMinor: 12_000 }),
    ]);
  });

  it('closes with NO_BIDS when every bid was retracted', () => {
    const log = auction('ASCENDING');
    const d = bid(log, 'u1', 10_000);
    const bidId = (d.events.at(-1) as { bidId: string }).bidId;
    log.append(decideRetract(log.s, { bidId, byUserId: 'u1' }, T0 + 2 * MIN).events, T0 + 2 * MIN);
    expect(closeEvent(log.s)).toMatchObject({ outcome: 'NO_BIDS', winnerId: null, highestBidId: null });
    expect(effectiveStatus(log.s, T0 + 61 * MIN)).toBe('CLOSED');
  });

  it('lets the seller cancel only while no live bid stands; an admin any time before the end', () => {
    const log = auction('ASCENDING');
    expect(decideCancel(log.s, { reason: 'SELLER', byUserId: SELLER }, T0 - 1)).toMatchObject({ ok: true });
    bid(log, 'u1', 10_000);
    expect(decideCancel(log.s, { reason: 'SELLER', byUserId: SELLER }, T0 + 2 * MIN)).toMatchObject({ ok: false, reason: 'HAS_BIDS' });
    expect(decideCancel(log.s, { reason: 'ADMIN', byUserId: 'admin' }, T0 + 2 * MIN)).toMatchObject({ ok: true });
    expect(decideCancel(log.s, { reason: 'ADMIN', byUserId: 'admin' }, T0 + 61 * MIN)).toMatchObject({
      ok: false,
      reason: 'ALREADY_ENDED',
    });
  });
});

describe('promoter', () => {
  it('doubles the drawn live bid up to the cap, records the draw, and respects the opt-out', () => {
    const log = auction('OWN_BEST');
    bid(log, 'u1', 10_000);
    bid(log, 'u2', 20_000);
    const strategy = { probability: 0.5, capMinor: 30_000 };
    expect(decidePromotion(log.s, strategy, 0.7, 0.1, T0 + 2 * MIN)).toBeNull();
    const first = decidePromotion(log.s, strategy, 0.2, 0.1, T0 + 2 * MIN);
    expect(first).toMatchObject({
      bidderId: 'u1',
      fromMinor: 10_000,
      toMinor: 20_000,
      draw: { roll: 0.2, pick: 0.1, candidates: 2, index: 0 },
    });
    const capped = decidePromotion(log.s, strategy, 0.2, 0.9, T0 + 2 * MIN);
    expect(capped).toMatchObject({ bidderId: 'u2', toMinor: 30_000, previousLeaderId: 'u2' });
    log.append([capped!], T0 + 2 * MIN);
    expect(highestBid(log.s)).toMatchObject({ bidderId: 'u2', amountMinor: 30_000, doubledFromMinor: 20_000 });
    expect(decidePromotion(log.s, strategy, 0.2, 0.9, T0 + 2 * MIN)).toBeNull(); // at the cap already
    const optedOut = auction('OWN_BEST', { promoterEnabled: false });
    bid(optedOut, 'u1', 10_000);
    expect(decidePromotion(optedOut.s, strategy, 0, 0, T0 + 2 * MIN)).toBeNull();
  });
});

describe('replay', () => {
  it('folding the log from a snapshot gives the same state as from the start', () => {
    const log = auction('ASCENDING');
    for (let i = 0; i < 30; i++) bid(log, `u${i % 4}`, 10_000 + i * 500, T0 + MIN + i);
    const snapshot = foldEvents(null, log.events.slice(0, 10));
    const fromSnapshot = foldEvents(JSON.parse(JSON.stringify(snapshot)) as AuctionState, log.events.slice(10));
    expect(fromSnapshot).toEqual(log.s);
    expect(() => foldEvents(null, log.events.slice(1))).toThrow(/before AuctionCreated/);
    expect(() => foldEvents(snapshot, log.events.slice(11))).toThrow(/seq 12 after 10/);
  });
});
