import type { ViewingAppointmentResolvers } from '../generated/graphql';

export const ViewingAppointment: ViewingAppointmentResolvers = {
  __resolveReference: (ref, ctx) => ctx.viewings.get(ctx, ref.id),
  listing: (viewing) => ({ id: viewing.listingId }),
  buyer: (viewing) => ({ id: viewing.buyerId }),
  agent: (viewing) => ({ id: viewing.agentId }),
};
