import { requireUser } from '@market/platform';
import type { QueryResolvers } from '../generated/graphql';

export const Query: QueryResolvers = {
  machines: (_parent, { includeRetired }, ctx) => ctx.machines.list(ctx.identity, includeRetired ?? false),
  machine: (_parent, { id }, ctx) => {
    requireUser(ctx);
    return ctx.loaders.machineById.load(id);
  },
  instance: async (_parent, { id }, ctx) => {
    requireUser(ctx);
    return ctx.instances.visible(ctx.identity, await ctx.loaders.instanceById.load(id));
  },
  myInstances: (_parent, { includeRemoved }, ctx) => {
    const { userId } = requireUser(ctx);
    return (includeRemoved ? ctx.loaders.allInstancesByOwner : ctx.loaders.liveInstancesByOwner).load(userId);
  },
  instanceLogLines: (_parent, { instanceId, after, first }, ctx) => ctx.instances.logLines(ctx.identity, instanceId, { after, first }),
};
