import type { ViewingAppointmentResolvers } from '../generated/graphql';
import { listingRefOf } from '../rules/listing-refs';

export const ViewingAppointment: ViewingAppointmentResolvers = {
  __resolveReference: (ref, ctx) => ctx.viewings.get(ctx, ref.id),
  listing: (viewing) => listingRefOf(viewing),
  buyer: (viewing) => ({ id: viewing.buyerId }),
  agent: (viewing) => ({ id: viewing.agentId }),
};
