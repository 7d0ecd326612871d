import type { MutationResolvers } from '../generated/graphql';

export const Mutation: MutationResolvers = {
  createListing: (_parent, { input }, ctx) => ctx.listings.create(ctx, input),
  updateListing: (_parent, { id, input }, ctx) => ctx.listings.update(ctx, id, input),
  deleteListing: (_parent, { id }, ctx) => ctx.listings.delete(ctx, id),
  saveListing: (_parent, { listingId }, ctx) => ctx.saved.saveListing(ctx, listingId),
  unsaveListing: (_parent, { listingId }, ctx) => ctx.saved.unsaveListing(ctx, listingId),
  saveSearch: (_parent, args, ctx) => ctx.saved.saveSearch(ctx, args),
  deleteSavedSearch: (_parent, { id }, ctx) => ctx.saved.deleteSavedSearch(ctx, id),
};
