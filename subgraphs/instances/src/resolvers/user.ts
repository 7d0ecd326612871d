import { pageOfList, requireSelfOrAdmin } from '@market/platform';
import type { UserResolvers } from '../generated/graphql';

export const User: UserResolvers = {
  // accounts owns users; this subgraph only adds their instances.
  __resolveReference: (ref) => ({ id: ref.id }),
  instances: async (user, { includeRemoved, ...page }, ctx) => {
    requireSelfOrAdmin(ctx, user.id);
    const instances = await (includeRemoved ? ctx.loaders.allInstancesByOwner : ctx.loaders.liveInstancesByOwner).load(user.id);
    return pageOfList(instances, (instance) => instance.id, page);
  },
};
