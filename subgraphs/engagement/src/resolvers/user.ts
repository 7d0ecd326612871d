import type { UserResolvers } from '../generated/graphql';

export const User: UserResolvers = {
  __resolveReference: (ref) => ({ id: ref.id }),
  posts: (user, _args, ctx) => ctx.loaders.postsByAuthor.load(user.id),
};
