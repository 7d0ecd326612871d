import type { MutationResolvers } from '../generated/graphql';

/** Admins only; AdminService decides. */
export const adminMutations: MutationResolvers = {
  setUserRole: (_parent, { userId, role }, ctx) => ctx.admin.setRole(ctx, userId, role),
  suspendUser: (_parent, { userId }, ctx) => ctx.admin.suspend(ctx, userId),
  unsuspendUser: (_parent, { userId }, ctx) => ctx.admin.unsuspend(ctx, userId),
};
