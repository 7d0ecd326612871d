import { pageOfList, requireUser } from '@market/platform';
import type { QueryResolvers } from '../generated/graphql';

const byId = (item: { id: string }) => item.id;

export const Query: QueryResolvers = {
  machines: async (_parent, { includeRetired, ...page }, ctx) =>
    pageOfList(await ctx.machines.list(ctx.identity, includeRetired ?? false), byId, page),
  machine: (_parent, { id }, ctx) => {
    requireUser(ctx);
    return ctx.loaders.machineById.load(id);
  },
  instance: async (_parent, { id }, ctx) => {
    requireUser(ctx);
    return ctx.instances.visible(ctx.identity, await ctx.loaders.instanceById.load(id));
  },
  myInstances: async (_parent, { includeRemoved, ...page }, ctx) => {
    const { userId } = requireUser(ctx);
    return pageOfList(await (includeRemoved ? ctx.loaders.allInstancesByOwner : ctx.loaders.liveInstancesByOwner).load(userId), byId, page);
  },
  instanceLogLines: (_parent, { instanceId, after, first }, ctx) => ctx.instances.logLines(ctx.identity, instanceId, { after, first }),
};
