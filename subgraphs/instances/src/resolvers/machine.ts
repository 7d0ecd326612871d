import { isAdmin } from '@market/platform';
import type { MachineResolvers } from '../generated/graphql';

export const Machine: MachineResolvers = {
  // The catalog is for signed-in users; an anonymous reference resolves to nothing.
  __resolveReference: (ref, ctx) => (ctx.identity ? ctx.loaders.machineById.load(ref.id) : null),
  // It may carry secrets.
  environment: (machine, _args, ctx) => (isAdmin(ctx) ? machine.environment : null),
  // A path of this server's repository: nothing users need.
  buildContext: (machine, _args, ctx) => (isAdmin(ctx) ? machine.buildContext : null),
};
