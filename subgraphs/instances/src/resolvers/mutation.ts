import type { MutationResolvers } from '../generated/graphql';

export const Mutation: MutationResolvers = {
  createMachine: (_parent, { input }, ctx) => ctx.machines.create(ctx.identity, input),
  updateMachine: (_parent, { id, input }, ctx) => ctx.machines.update(ctx.identity, id, input as Record<string, unknown>),
  retireMachine: (_parent, { id }, ctx) => ctx.machines.retire(ctx.identity, id),
  deleteMachine: (_parent, { id }, ctx) => ctx.machines.delete(ctx.identity, id),
  createInstance: async (_parent, { machineId }, ctx) => {
    const outcome = await ctx.instances.create(ctx.identity, machineId);
    return outcome.kind === 'allocated' ? outcome.instance : outcome;
  },
  startInstance: (_parent, { id }, ctx) => ctx.instances.start(ctx.identity, id),
  stopInstance: (_parent, { id }, ctx) => ctx.instances.stop(ctx.identity, id),
  restartInstance: (_parent, { id }, ctx) => ctx.instances.restart(ctx.identity, id),
  removeInstance: (_parent, { id, deleteVolume }, ctx) => ctx.instances.remove(ctx.identity, id, deleteVolume ?? false),
};
