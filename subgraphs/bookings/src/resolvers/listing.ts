import type { ListingResolvers } from '../generated/graphql';

export const Listing: ListingResolvers = {
  __resolveReference: (ref) => ({ id: ref.id }),
  stays: (listing, _args, ctx) => ctx.stays.ofListing(ctx, listing.id),
  viewings: (listing, _args, ctx) => ctx.viewings.ofListing(ctx, listing.id),
  viewingSlots: (listing, _args, ctx) => ctx.viewings.slotsOf(ctx, listing.id),
};
