import type { QueryResolvers } from '../generated/graphql';

export const Query: QueryResolvers = {
  listing: async (_parent, { id }, ctx) => {
    const listing = ctx.listings.visibleTo(ctx, await ctx.loaders.listingById.load(id));
    ctx.recommendations.viewed(ctx, listing);
    return listing;
  },
  listings: (_parent, args, ctx) => ctx.listings.browse(args),
  searchListings: (_parent, args, ctx) => ctx.datedSearch.run(args),
  suggest: (_parent, args, ctx) => ctx.search.suggest(args),
  recommendedListings: (_parent, args, ctx) => ctx.recommendations.recommended(ctx, args),
  similarListings: (_parent, args, ctx) => ctx.recommendations.similar(ctx, args),
  mySavedListings: (_parent, args, ctx) => ctx.saved.savedListings(ctx, args),
  mySavedSearches: (_parent, _args, ctx) => ctx.saved.savedSearches(ctx),
};
