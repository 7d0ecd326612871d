import type { QueryResolvers } from '../generated/graphql';

export const Query: QueryResolvers = {
  me: (_parent, _args, ctx) => (ctx.identity ? ctx.loaders.userById.load(ctx.identity.userId) : null),
  user: (_parent, { id }, ctx) => ctx.loaders.userById.load(id),
};
