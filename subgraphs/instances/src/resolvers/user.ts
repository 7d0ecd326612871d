import { requireSelfOrAdmin } from '@market/platform';
import type { UserResolvers } from '../generated/graphql';

export const User: UserResolvers = {
  // accounts owns users; this subgraph only adds their instances.
  __resolveReference: (ref) => ({ id: ref.id }),
  instances: (user, { includeRemoved }, ctx) => {
    requireSelfOrAdmin(ctx, user.id);
    return (includeRemoved ? ctx.loaders.allInstancesByOwner : ctx.loaders.liveInstancesByOwner).load(user.id);
  },
};
