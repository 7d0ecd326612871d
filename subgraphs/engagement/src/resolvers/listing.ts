import type { ListingResolvers } from '../generated/graphql';
import { targetFields } from './engagement-fields';

export const Listing: ListingResolvers = {
  __resolveReference: (ref) => ({ id: ref.id }),
  posts: (listing, _args, ctx) => ctx.loaders.postsByListing.load(listing.id),
  ...targetFields('LISTING'),
};
