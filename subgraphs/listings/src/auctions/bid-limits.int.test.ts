import { codeOf, person, startListings, type Listings } from '../testing/harness';
import { PLACE_BID, bid, openAuction } from './testing';

/** The per-user limit on new bids (RATE_LIMIT_PLACE_BID), through the listings subgraph against the real database. */
let l: Listings;
beforeAll(async () => {
  l = await startListings({
    env: { AUCTION_PROMOTER_INTERVAL_SECONDS: '0', AUCTION_SCHEDULER_POLL_MS: '0', RATE_LIMIT_PLACE_BID: '3/1m' },
  });
});
afterAll(async () => {
  await l?.close();
});

const bidEvents = async (auctionId: string) =>
  Number(
    (await l.db.query<{ n: string }>(`SELECT count(*) AS n FROM auction_events WHERE auction_id = $1 AND type = 'BidPlaced'`, [auctionId]))
      .rows[0]?.n,
  );

describe('RATE_LIMIT_PLACE_BID', () => {
  it("refuses a user's bids beyond the limit across auctions with RATE_LIMITED, writes nothing for them, and leaves others and retries alone", async () => {
    const [seller, eager, calm] = [person('SELLER'), person('BUYER'), person('BUYER')];
    const first = await openAuction(l, seller);
    const second = await openAuction(l, seller);

    expect((await bid(l, eager, first.id, '100000', 'e1')).__typename).toBe('BidAccepted');
    expect((await bid(l, eager, first.id, '101000', 'e2')).__typename).toBe('BidAccepted');
    expect((await bid(l, eager, second.id, '100000', 'e3')).__typename).toBe('BidAccepted');

    // The fourth new bid, in either auction: refused before it is decided, with when to retry.
    for (const [auctionId, key] of [
      [first.id, 'e4'],
      [second.id, 'e5'],
    ] as const) {
      const refused = await l.call<{ placeBid: unknown }>(eager, PLACE_BID, { auctionId, amount: '150000', key });
      expect(codeOf(refused)).toBe('RATE_LIMITED');
      expect(refused.errors?.[0]?.extensions?.['retryAfterSeconds']).toEqual(expect.any(Number));
      expect(refused.data?.placeBid ?? null).toBeNull();
    }
    expect(await bidEvents(first.id)).toBe(2);
    expect(await bidEvents(second.id)).toBe(1);

    // A retry of a decided key is answered from the store (the same bid), not counted.
    const retried = await bid(l, eager, first.id, '100000', 'e1');
    expect(retried.__typename).toBe('BidAccepted');
    expect(await bidEvents(first.id)).toBe(2);

    // Another bidder has their own allowance.
    expect((await bid(l, calm, first.id, '110000', 'c1')).__typename).toBe('BidAccepted');
  });
});
