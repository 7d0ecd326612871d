import type { StayResolvers } from '../generated/graphql';

export const Stay: StayResolvers = {
  __resolveReference: (ref, ctx) => ctx.stays.get(ctx, ref.id),
  listing: (stay) => ({ id: stay.listingId }),
  guest: (stay) => ({ id: stay.guestId }),
  refundIfCancelledNow: (stay, _args, ctx) => ctx.stays.quoteIfCancellable(ctx, stay),
};
