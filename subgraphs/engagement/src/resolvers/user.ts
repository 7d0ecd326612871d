import type { UserResolvers } from '../generated/graphql';

export const User: UserResolvers = {
  __resolveReference: (ref) => ({ id: ref.id }),
  posts: (user, _args, ctx) => ctx.loaders.postsByAuthor.load(user.id),
  activity: (user, _args, ctx) => ctx.activity.profileOf(ctx.viewer, user.id),
  reviewsAsGuest: (user, _args, ctx) => ctx.loaders.reviewsAboutGuest.load(user.id),
};
