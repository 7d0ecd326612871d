import type { CalendarBlockResolvers } from '../generated/graphql';

export const CalendarBlock: CalendarBlockResolvers = {
  listing: (block) => ({ id: block.listingId }),
};
