import type { ViewingSlotResolvers } from '../generated/graphql';

export const ViewingSlot: ViewingSlotResolvers = {
  listing: (slot) => ({ id: slot.listingId }),
};
