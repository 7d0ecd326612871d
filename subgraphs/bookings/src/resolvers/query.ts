import type { QueryResolvers } from '../generated/graphql';

export const Query: QueryResolvers = {
  stay: (_parent, { id }, ctx) => ctx.stays.get(ctx, id),
  viewing: (_parent, { id }, ctx) => ctx.viewings.get(ctx, id),
  myStays: (_parent, _args, ctx) => ctx.stays.mine(ctx),
  myViewings: (_parent, _args, ctx) => ctx.viewings.mine(ctx),
  cancellationQuote: (_parent, { stayId }, ctx) => ctx.stays.quote(ctx, stayId),
  availability: (_parent, args, ctx) => ctx.calendar.availability(ctx, args),
  availableListings: (_parent, args, ctx) => ctx.calendar.availableListings(args),
};
