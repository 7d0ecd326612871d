import { NotFoundError, requireUser, subscriptionField, type PubSub } from '@market/platform';
import type { Resolvers } from '../../generated/graphql';
import type { Context } from '../../context';
import { formatAmount } from '../rules/money';
import type { AuctionView } from '../rules/views';
import { auctionUpdatedTopic, bidDecidedTopic, myAuctionActivityTopic, type StoredBidResult } from '../live/topics';
import { rejectionMessage } from '../services/auction-service';
import { oneDecision } from '../live/one-decision';

const money = (minor: number | null, currency: string) => (minor === null ? null : formatAmount(minor, currency));
const isSellerOrAdmin = (auction: AuctionView, ctx: Context) => ctx.identity?.role === 'ADMIN' || ctx.identity?.userId === auction.sellerId;

const auctionUpdated = subscriptionField({
  topic: auctionUpdatedTopic,
  pubsub: (ctx: Context): PubSub => ctx.pubsub,
  keys: async ({ auctionId }: { auctionId: string }, ctx) => {
    const auction = await ctx.auctions.get(ctx, auctionId);
    if (!auction) throw new NotFoundError('Auction', auctionId);
    return auction.id;
  },
  // Checked per event: the listing can turn DRAFT or ARCHIVED during a long subscription.
  authorize: async (auction, ctx) => (await ctx.auctions.visibleTo(ctx, auction)) !== null,
  resolve: (event) => event.payload,
});

const bidDecided = subscriptionField({
  topic: bidDecidedTopic,
  pubsub: (ctx: Context): PubSub => ctx.pubsub,
  // The channel is the caller's own: nobody hears another bidder's answers.
  keys: ({ commandId }: { commandId: string }, ctx) => `${requireUser(ctx).userId}:${commandId.toLowerCase()}`,
  resolve: (event) => event.payload,
});

const myAuctionActivity = subscriptionField({
  topic: myAuctionActivityTopic,
  pubsub: (ctx: Context): PubSub => ctx.pubsub,
  keys: (_args: Record<string, never>, ctx) => requireUser(ctx).userId,
  resolve: (event) => ({ ...event.payload, cursor: event.cursor }),
});

const NOT_CANCELLABLE = {
  ALREADY_ENDED: 'This auction has already closed or been cancelled.',
  HAS_BIDS: 'A live bid stands on this auction: only an admin can cancel it now.',
} as const;

const NOT_RETRACTABLE = {
  NOT_YOUR_BID: 'Only the bidder can retract a bid.',
  ALREADY_RETRACTED: 'This bid was already retracted.',
  AUCTION_NOT_OPEN: 'Bids can be retracted only while the auction is open.',
} as const;

const decisionType = (r: StoredBidResult) => (r.kind === 'ACCEPTED' ? 'BidAccepted' : 'BidRejected');

export const auctionResolvers: Resolvers = {
  Query: {
    auctions: (_p, args, ctx) => ctx.auctions.page(args),
    auction: (_p, { id }, ctx) => ctx.auctions.get(ctx, id),
    bidDecision: (_p, { commandId }, ctx) => ctx.auctions.decision(ctx, commandId),
  },
  Mutation: {
    createAuction: async (_p, { input }, ctx) => {
      const r = await ctx.auctions.create(ctx, input as unknown as Record<string, unknown>);
      return r.kind === 'CREATED' ? r.auction : { auction: r.auction, message: 'This listing already has a live auction.' };
    },
    cancelAuction: async (_p, { id }, ctx) => {
      const r = await ctx.auctions.cancel(ctx, id);
      return r.kind === 'CANCELLED' ? r.auction : { reason: r.reason, auction: r.auction, message: NOT_CANCELLABLE[r.reason] };
    },
    placeBid: (_p, args, ctx) => ctx.auctions.placeBid(ctx, args),
    retractBid: async (_p, { bidId }, ctx) => {
      const r = await ctx.auctions.retractBid(ctx, bidId);
      return r.kind === 'RETRACTED' ? { bid: r.bid, auction: r.auction } : { reason: r.reason, message: NOT_RETRACTABLE[r.reason] };
    },
  },
  Subscription: {
    auctionUpdated: {
      subscribe: (parent: unknown, args: { auctionId: string }, ctx: Context, info) => auctionUpdated.subscribe(parent, args, ctx, info),
      resolve: auctionUpdated.resolve,
    },
    bidDecided: {
      // An answer that came before the subscription started is sent from the store; then it completes.
      subscribe: async (parent: unknown, args: { commandId: string }, ctx: Context, info) =>
        oneDecision(await bidDecided.subscribe(parent, args, ctx, info), () => ctx.auctions.decision(ctx, args.commandId)),
      resolve: bidDecided.resolve,
    },
    myAuctionActivity: {
      subscribe: (parent: unknown, args: Record<string, never>, ctx: Context, info) => myAuctionActivity.subscribe(parent, args, ctx, info),
      resolve: myAuctionActivity.resolve,
    },
  },
  CreateAuctionResult: { __resolveType: (r) => ('sellerId' in r ? 'Auction' : 'ListingAlreadyAuctioned') },
  CancelAuctionResult: { __resolveType: (r) => ('sellerId' in r ? 'Auction' : 'AuctionNotCancellable') },
  RetractBidResult: { __resolveType: (r) => ('bid' in r ? 'BidRetracted' : 'BidNotRetractable') },
  PlaceBidResult: { __resolveType: (r) => (r.kind === 'PENDING' ? 'BidPending' : decisionType(r)) },
  BidDecision: { __resolveType: (r) => decisionType(r) },
  BidAccepted: {
    bid: async (r, _a, ctx) => {
      const bid = await ctx.auctionLoaders.bidById.load(r.bidId);
      if (!bid) throw new Error(`accepted bid ${r.bidId} missing from the read model`);
      return bid;
    },
    auction: async (r, _a, ctx) => {
      const auction = await ctx.auctionLoaders.auctionById.load(r.auctionId);
      if (!auction) throw new Error(`auction ${r.auctionId} missing from the read model`);
      return auction;
    },
  },
  BidRejected: {
    message: (r) => rejectionMessage(r),
    minimumAmount: (r) => (r.minimumMinor !== null && r.currency ? formatAmount(r.minimumMinor, r.currency) : null),
  },
  Auction: {
    __resolveReference: async (ref, ctx) => ctx.auctions.visibleTo(ctx, await ctx.auctionLoaders.auctionById.load(ref.id)),
    listing: async (a, _args, ctx) => ctx.listings.visibleTo(ctx, await ctx.loaders.listingById.load(a.listingId)),
    seller: (a) => ({ id: a.sellerId }),
    startingPrice: (a) => formatAmount(a.startingMinor, a.currency),
    minimumIncrement: (a) => formatAmount(a.incrementMinor, a.currency),
    reservePrice: (a, _args, ctx) => (isSellerOrAdmin(a, ctx) ? money(a.reserveMinor, a.currency) : null),
    hasReserve: (a) => a.reserveMinor !== null,
    reserveMet: (a) => a.highestBid !== null && (a.reserveMinor === null || a.highestBid.amountMinor >= a.reserveMinor),
    timeLeftSeconds: (a) =>
      a.status === 'OPEN' || a.status === 'SCHEDULED' ? Math.max(0, Math.ceil((a.endsAt.getTime() - Date.now()) / 1000)) : 0,
    myBids: (a, _args, ctx) => (ctx.identity ? ctx.auctionLoaders.myBids.load(a.id) : []),
    winner: (a) => (a.winnerId ? { id: a.winnerId } : null),
    winningAmount: (a) => money(a.winningMinor, a.currency),
  },
  Bid: {
    bidder: (b) => ({ id: b.bidderId }),
    amount: (b) => formatAmount(b.amountMinor, b.currency),
    doubledFrom: (b) => money(b.doubledFromMinor, b.currency),
  },
  AuctionActivity: {
    amount: (a) => money(a.amountMinor, a.auction.currency),
  },
  Listing: {
    auction: async (listing, _args, ctx) => ctx.auctions.visibleTo(ctx, await ctx.auctionLoaders.auctionForListing.load(listing.id)),
  },
};

/** Listings' resolvers with the auction fields added to the shared root and entity types. */
export function withAuctionResolvers(base: Resolvers): Resolvers {
  const merged: Record<string, unknown> = { ...base, ...auctionResolvers };
  for (const type of ['Query', 'Mutation', 'Subscription', 'Listing'] as const) {
    merged[type] = { ...(base[type] as object), ...(auctionResolvers[type] as object) };
  }
  return merged as Resolvers;
}
