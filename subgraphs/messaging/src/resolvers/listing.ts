import type { ListingResolvers } from '../generated/graphql';

/**
 * Listings owns Listing; the gateway asks here only for listings the caller could see there. The
 * watch count is public; whether you watch it is yours (false when signed out).
 */
export const Listing: ListingResolvers = {
  __resolveReference: (ref) => ({ id: ref.id }),
  watchedByMe: (listing, _args, ctx) => ctx.loaders.listingWatchedByMe.load(listing.id.toLowerCase()),
  watcherCount: (listing, _args, ctx) => ctx.loaders.listingWatcherCount.load(listing.id.toLowerCase()),
};
