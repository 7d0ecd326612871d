import type { MutationResolvers } from '../generated/graphql';

export const Mutation: MutationResolvers = {
  createMachine: (_parent, { input }, ctx) => ctx.machines.create(ctx.identity, input),
  createInstance: async (_parent, { machineId }, ctx) => {
    const outcome = await ctx.instances.create(ctx.identity, machineId);
    return outcome.kind === 'allocated' ? outcome.instance : outcome;
  },
  removeInstance: (_parent, { id }, ctx) => ctx.instances.remove(ctx.identity, id),
};
