import type { MutationResolvers } from '../generated/graphql';

export const Mutation: MutationResolvers = {
  createListing: (_parent, { input }, ctx) => ctx.listings.create(ctx, input),
  updateListing: (_parent, { id, input }, ctx) => ctx.listings.update(ctx, id, input),
  deleteListing: (_parent, { id }, ctx) => ctx.listings.delete(ctx, id),
};
