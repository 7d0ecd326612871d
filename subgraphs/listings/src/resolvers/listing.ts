import type { ListingResolvers } from '../generated/graphql';

export const Listing: ListingResolvers = {
  // Authorizes like `Query.listing`: another user's draft resolves to null.
  __resolveReference: async (ref, ctx) => ctx.listings.visibleTo(ctx, await ctx.loaders.listingById.load(ref.id)),
  owner: (listing) => ({ id: listing.ownerId }),
  priceHistory: (listing, _args, ctx) => ctx.loaders.priceHistory.load(listing.id),
};
