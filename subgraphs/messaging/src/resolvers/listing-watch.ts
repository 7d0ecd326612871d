import type { ListingWatchResolvers } from '../generated/graphql';

export const ListingWatch: ListingWatchResolvers = {
  listing: (watch) => ({ id: watch.listingId }),
  watchedAt: (watch) => watch.createdAt,
};
