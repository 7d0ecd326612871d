import type { ListingResolvers } from '../generated/graphql';
import { z } from 'zod';
import { parseInput } from '@market/platform';
import { targetFields, visibleReplica } from './engagement-fields';

const reviewPage = z.object({ first: z.number().int().min(1, 'first is 1 to 100').max(100, 'first is 1 to 100') });

export const Listing: ListingResolvers = {
  __resolveReference: (ref) => ({ id: ref.id }),
  posts: (listing, _args, ctx) => ctx.loaders.postsByListing.load(listing.id),
  ...targetFields('LISTING'),
  rating: async (listing, _args, ctx) =>
    (await visibleReplica({ type: 'LISTING', id: listing.id }, ctx)) ? ctx.loaders.ratingByListing.load(listing.id) : null,
  reviews: async (listing, args, ctx) => {
    const { first } = parseInput(reviewPage, { first: args.first ?? 20 });
    return (await visibleReplica({ type: 'LISTING', id: listing.id }, ctx)) ? ctx.loaders.reviewsOfListing(first).load(listing.id) : null;
  },
};
