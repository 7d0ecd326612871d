import type { ListingResolvers } from '../generated/graphql';

export const Listing: ListingResolvers = {
  __resolveReference: (ref) => ({ id: ref.id }),
  posts: (listing, _args, ctx) => ctx.loaders.postsByListing.load(listing.id),
};
