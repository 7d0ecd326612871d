import type { StayResolvers } from '../generated/graphql';
import { listingRefOf } from '../rules/listing-refs';

export const Stay: StayResolvers = {
  __resolveReference: (ref, ctx) => ctx.stays.get(ctx, ref.id),
  listing: (stay) => listingRefOf(stay),
  guest: (stay) => ({ id: stay.guestId }),
  refundIfCancelledNow: (stay, _args, ctx) => ctx.stays.quoteIfCancellable(ctx, stay),
};
