import type { ReactionResolvers } from '../generated/graphql';

export const Reaction: ReactionResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.reactionById.load(ref.id),
  user: (reaction) => ({ id: reaction.userId }),
};
