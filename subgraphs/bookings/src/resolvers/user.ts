import type { UserResolvers } from '../generated/graphql';

export const User: UserResolvers = {
  __resolveReference: (ref) => ({ id: ref.id }),
  stays: (user, _args, ctx) => ctx.stays.ofGuest(ctx, user.id),
  viewings: (user, _args, ctx) => ctx.viewings.ofBuyer(ctx, user.id),
};
