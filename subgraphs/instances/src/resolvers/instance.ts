import { NotFoundError } from '@market/platform';
import { availability } from '../rules/availability';
import type { InstanceResolvers } from '../generated/graphql';

export const Instance: InstanceResolvers = {
  __resolveReference: async (ref, ctx) => ctx.instances.visible(ctx.identity, await ctx.loaders.instanceById.load(ref.id)),
  machine: async (instance, _args, ctx) => {
    const machine = await ctx.loaders.machineById.load(instance.machineId);
    // The foreign key keeps every instance's machine in place.
    if (!machine) throw new NotFoundError('Machine', instance.machineId);
    return machine;
  },
  owner: (instance) => ({ id: instance.ownerId }),
  uptimeSeconds: (instance) => availability(instance, new Date()).uptimeSeconds,
  downtimeSeconds: (instance) => availability(instance, new Date()).downtimeSeconds,
  volumeSizeBytes: async (instance, _args, ctx) => {
    const machine = await ctx.loaders.machineById.load(instance.machineId);
    return machine ? ctx.instances.volumeSizeBytes(instance, machine) : null;
  },
};
