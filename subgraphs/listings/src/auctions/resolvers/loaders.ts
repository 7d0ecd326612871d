import { loaderByKey, loaderOfLists, type AuthContext, type DataLoader } from '@market/platform';
import type { AuctionReadRepository } from '../repositories/auction-read-repository';
import type { AuctionView, BidView } from '../rules/views';

/** The per-request loaders of auctions (one SQL query per kind per request, however many parents). */
export interface AuctionLoaders {
  auctionById: DataLoader<string, AuctionView | null>;
  auctionForListing: DataLoader<string, AuctionView | null>;
  /** The caller's bids per auction id (empty when signed out). */
  myBids: DataLoader<string, BidView[]>;
  bidById: DataLoader<string, BidView | null>;
}

export function createAuctionLoaders(read: AuctionReadRepository, ctx: AuthContext): AuctionLoaders {
  const userId = ctx.identity?.userId ?? null;
  return {
    auctionById: loaderByKey(
      (ids) => read.findByIds(ids),
      (a) => a.id,
    ),
    auctionForListing: loaderByKey(
      (ids) => read.forListings(ids),
      (a) => a.listingId,
    ),
    myBids: loaderOfLists(
      (auctionIds) => (userId ? read.bidsOf(auctionIds.map((auctionId) => ({ auctionId, bidderId: userId }))) : Promise.resolve([])),
      (b) => b.auctionId,
    ),
    bidById: loaderByKey(
      async (ids) => (await Promise.all(ids.map((id) => read.bidById(id)))).filter((b): b is BidView => b !== null),
      (b) => b.id,
    ),
  };
}
