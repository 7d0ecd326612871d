import type { QueryResolvers } from '../generated/graphql';

export const Query: QueryResolvers = {
  listing: async (_parent, { id }, ctx) => ctx.listings.visibleTo(ctx, await ctx.loaders.listingById.load(id)),
  listings: (_parent, args, ctx) => ctx.listings.browse(args),
  searchListings: (_parent, args, ctx) => ctx.search.search(args),
  suggest: (_parent, args, ctx) => ctx.search.suggest(args),
};
