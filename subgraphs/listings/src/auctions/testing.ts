import type { Identity } from '@market/platform';
import { createListing, saleInput, type Listings } from '../testing/harness';

/** Test builders for auctions, on top of the listings harness. */
export const AUCTION_FIELDS = `id listingId status rule currency startingPrice minimumIncrement reservePrice hasReserve reserveMet startsAt endsAt
  originalEndsAt softCloseSeconds timeLeftSeconds promoterEnabled bidCount version outcome winningAmount cancelReason
  winner { id } seller { id } highestBid { id amount bidder { id } status }`;

export const CREATE_AUCTION = `mutation ($input: CreateAuctionInput!) { createAuction(input: $input) {
  __typename ... on Auction { ${AUCTION_FIELDS} } ... on ListingAlreadyAuctioned { auction { id } } } }`;

export const PLACE_BID = `mutation ($auctionId: ID!, $amount: String!, $key: String!) { placeBid(auctionId: $auctionId, amount: $amount, idempotencyKey: $key) {
  __typename
  ... on BidAccepted { commandId bid { id amount status bidder { id } } auction { id bidCount version endsAt highestBid { id amount } } }
  ... on BidRejected { commandId reason message minimumAmount }
  ... on BidPending { commandId } } }`;

export const RETRACT_BID = `mutation ($bidId: ID!) { retractBid(bidId: $bidId) {
  __typename ... on BidRetracted { bid { id status } auction { bidCount highestBid { id amount bidder { id } } } }
  ... on BidNotRetractable { reason } } }`;

export const AUCTION = `query ($id: ID!) { auction(id: $id) { ${AUCTION_FIELDS} myBids { id amount status } } }`;

export interface AuctionShape {
  id: string;
  status: string;
  bidCount: number;
  version: number;
  endsAt: string;
  highestBid: { id: string; amount: string; bidder: { id: string } } | null;
  [field: string]: unknown;
}

export function auctionInput(listingId: string, overrides: Record<string, unknown> = {}) {
  const now = Date.now();
  return {
    listingId,
    startsAt: new Date(now).toISOString(),
    endsAt: new Date(now + 60 * 60_000).toISOString(),
    startingPrice: '100000',
    minimumIncrement: '500',
    promoterEnabled: false,
    ...overrides,
  };
}

/** A seller's ACTIVE SALE listing with an open auction on it. */
export async function openAuction(l: Listings, seller: Identity, overrides: Record<string, unknown> = {}): Promise<AuctionShape> {
  const listing = await createListing(l, seller, saleInput());
  const res = await l.call<{ createAuction: AuctionShape & { __typename: string } }>(seller, CREATE_AUCTION, {
    input: auctionInput(listing.id, overrides),
  });
  if (res.data?.createAuction.__typename !== 'Auction') throw new Error(`createAuction failed: ${JSON.stringify(res)}`);
  return res.data.createAuction;
}

export interface BidAnswer {
  __typename: 'BidAccepted' | 'BidRejected' | 'BidPending';
  commandId: string;
  reason?: string;
  minimumAmount?: string | null;
  message?: string;
  bid?: { id: string; amount: string; status: string };
  auction?: AuctionShape;
}

let keys = 0;
export async function bid(
  l: Listings,
  as: Identity,
  auctionId: string,
  amount: string,
  key = `k${++keys}-${Date.now()}`,
): Promise<BidAnswer> {
  // A bid carries its idempotency key, so a client resends it when the connection drops before the
  // answer (a keep-alive socket the server closed as it was reused, under a thousand concurrent
  // bids); the resend is answered from the store, never placed twice.
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await l.call<{ placeBid: BidAnswer }>(as, PLACE_BID, { auctionId, amount, key });
      if (!res.data?.placeBid) throw new Error(`placeBid failed: ${JSON.stringify(res.errors)}`);
      return res.data.placeBid;
    } catch (err) {
      const code = (err as { cause?: { code?: string } }).cause?.code;
      if (attempt >= 3 || (code !== 'ECONNRESET' && code !== 'UND_ERR_SOCKET')) throw err;
    }
  }
}
