import type { UserResolvers } from '../generated/graphql';

export const User: UserResolvers = {
  // Accounts owns users; this subgraph only adds their listings, so the reference is all it needs.
  __resolveReference: (ref) => ({ id: ref.id }),
  listings: (user, _args, ctx) => ctx.loaders.listingsByOwner.load(user.id),
};
