import type { MutationResolvers } from '../generated/graphql';

export const Mutation: MutationResolvers = {
  bookStay: async (_parent, { input }, ctx) => {
    const outcome = await ctx.stays.book(ctx, input);
    switch (outcome.kind) {
      case 'booked':
        return { __typename: 'Stay', ...outcome.stay };
      case 'datesUnavailable':
        return {
          __typename: 'DatesUnavailable',
          listingId: outcome.listingId,
          checkIn: outcome.checkIn,
          checkOut: outcome.checkOut,
          message: 'These dates overlap a stay already held at this property: choose other dates.',
        };
      case 'listingUnavailable':
        return { __typename: 'ListingUnavailable', listingId: outcome.listingId, message: 'Property not found or not available' };
    }
  },
  cancelStay: (_parent, { id }, ctx) => ctx.stays.cancel(ctx, id),
  requestViewing: (_parent, { input }, ctx) => ctx.viewings.request(ctx, input),
};
