import type { QueryResolvers } from '../generated/graphql';

export const Query: QueryResolvers = {
  stay: (_parent, { id }, ctx) => ctx.stays.get(ctx, id),
  viewing: (_parent, { id }, ctx) => ctx.viewings.get(ctx, id),
  myStays: (_parent, _args, ctx) => ctx.stays.mine(ctx),
};
