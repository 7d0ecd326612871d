import type { MutationResolvers } from '../generated/graphql';

/** Connections and follows. */
export const socialMutations: MutationResolvers = {
  requestConnection: (_parent, { userId }, ctx) => ctx.social.requestConnection(ctx, userId),
  acceptConnection: (_parent, { id }, ctx) => ctx.social.accept(ctx, id),
  declineConnection: (_parent, { id }, ctx) => ctx.social.decline(ctx, id),
  removeConnection: (_parent, { userId }, ctx) => ctx.social.remove(ctx, userId),
  follow: (_parent, { userId }, ctx) => ctx.social.follow(ctx, userId),
  unfollow: (_parent, { userId }, ctx) => ctx.social.unfollow(ctx, userId),
};
