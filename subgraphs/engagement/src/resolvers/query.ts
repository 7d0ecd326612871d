import type { QueryResolvers } from '../generated/graphql';

export const Query: QueryResolvers = {
  post: (_parent, { id }, ctx) => ctx.loaders.postById.load(id),
  comment: (_parent, { id }, ctx) => ctx.comments.get(ctx, id),
  feed: (_parent, args, ctx) => ctx.feed.feed(ctx, args),
  peopleYouMayKnow: (_parent, args, ctx) => ctx.feed.peopleYouMayKnow(ctx, args),
  moderationQueue: (_parent, args, ctx) => ctx.moderation.queue(ctx, args),
};
