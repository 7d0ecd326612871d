import type { EventEnvelope, EventPayload } from '@market/platform';
import { auctionNotifications, type AuctionEventType } from './auction-notifications';

const base = { auctionId: 'a-1', listingId: 'l-1', sellerId: 'seller', currency: 'EUR', seq: 7 };
const event = <T extends AuctionEventType>(type: T, payload: EventPayload<T>): EventEnvelope<T> => ({
  id: 'e-1',
  type,
  version: 1,
  aggregateId: 'a-1',
  occurredAt: '2027-03-01T10:00:00.000Z',
  payload,
});
const placed = (overrides: Partial<EventPayload<'listings.auction.bidPlaced'>>) =>
  event('listings.auction.bidPlaced', {
    ...base,
    bidId: 'b-1',
    bidderId: 'ben',
    amount: '150.00',
    previousLeaderId: 'ana',
    previousHighest: '100.00',
    leaderId: 'ben',
    highest: '150.00',
    endsAt: '2027-03-01T18:00:00.000Z',
    extended: false,
    ...overrides,
  });
const to = (notes: { recipientId: string; title: string }[]) => notes.map((n) => `${n.recipientId}: ${n.title}`);

describe('auctionNotifications', () => {
  it('tells the one who led before, and only them, that they were outbid, with the end time', () => {
    const [note, ...rest] = auctionNotifications(placed({}), 'Loft');
    expect(rest).toEqual([]);
    expect(note).toEqual({
      recipientId: 'ana',
      kind: 'AUCTION',
      title: 'You were outbid in the auction of Loft',
      body: 'The highest bid is now 150.00 EUR (yours was 100.00 EUR). The auction ends 2027-03-01 18:00 UTC. Bid again to lead.',
      dedupeKey: 'auction:e-1:ana',
    });
  });

  it("tells nobody of a first bid, of raising one's own lead, or of a lower bid that takes no lead", () => {
    expect(auctionNotifications(placed({ previousLeaderId: null, previousHighest: null }), 'Loft')).toEqual([]);
    expect(auctionNotifications(placed({ previousLeaderId: 'ben' }), 'Loft')).toEqual([]);
    expect(auctionNotifications(placed({ leaderId: 'ana', highest: '160.00' }), 'Loft')).toEqual([]);
  });

  it('names the winner, the seller and each other bidder once when an auction is won, never the seller as a bidder', () => {
    const closed = event('listings.auction.closed', {
      ...base,
      outcome: 'WON',
      winnerId: 'cara',
      winningAmount: '250.00',
      highestBidderId: 'cara',
      highest: '250.00',
      bidderIds: ['ana', 'ben', 'cara', 'ben', 'seller'],
    });
    expect(to(auctionNotifications(closed, null))).toEqual([
      'cara: You won an auction',
      'seller: An auction ended: sold',
      'ana: An auction ended',
      'ben: An auction ended',
    ]);
  });

  it('tells the highest bidder their bid did not reach the reserve, and the seller nothing was sold', () => {
    const closed = event('listings.auction.closed', {
      ...base,
      outcome: 'RESERVE_NOT_MET',
      winnerId: null,
      winningAmount: null,
      highestBidderId: 'ana',
      highest: '90.00',
      bidderIds: ['ana', 'ben'],
    });
    const notes = auctionNotifications(closed, 'Loft');
    expect(notes.find((n) => n.recipientId === 'ana')?.body).toBe(
      "Your bid led, but it did not reach the seller's reserve price. The highest bid was 90.00 EUR.",
    );
    expect(notes.find((n) => n.recipientId === 'seller')?.title).toBe('The auction of Loft ended: reserve not met');
    expect(notes).toHaveLength(3);
  });

  it('tells the bidder who leads again when the leading bid is withdrawn, and nobody when a lower one is', () => {
    const retracted = (amount: string) =>
      event('listings.auction.bidRetracted', { ...base, bidId: 'b-2', bidderId: 'ben', amount, leaderId: 'ana', highest: '100.00' });
    expect(auctionNotifications(retracted('150.00'), 'Loft')).toEqual([
      expect.objectContaining({
        recipientId: 'ana',
        title: 'You lead again in the auction of Loft',
        body: 'A higher bid was withdrawn; your 100.00 EUR is the highest bid now.',
      }),
    ]);
    expect(auctionNotifications(retracted('90.00'), 'Loft')).toEqual([]);
    expect(
      auctionNotifications({ ...retracted('150.00'), payload: { ...retracted('150.00').payload, leaderId: null, highest: null } }, 'Loft'),
    ).toEqual([]);
  });

  it('keeps titles within 200 characters', () => {
    const [note] = auctionNotifications(placed({}), 'x'.repeat(500));
    expect(note?.title.length).toBe(200);
  });
});
