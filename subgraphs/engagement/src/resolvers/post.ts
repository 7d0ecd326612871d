import type { PostResolvers } from '../generated/graphql';
import { parsePage } from '../services/validation';
import { noticeOf } from '../moderation/moderation-service';

export const Post: PostResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.postById.load(ref.id),
  author: (post) => ({ id: post.authorId }),
  listing: (post) => (post.listingId ? { id: post.listingId } : null),
  comments: (post, args, ctx) => ctx.loaders.commentsOfPost(parsePage(args)).load(post.id),
  reactions: (post, _args, ctx) => ctx.loaders.reactionsByPost.load(post.id),
  reactionCounts: (post, _args, ctx) => ctx.loaders.reactionCountsByPost.load(post.id),
  commentCount: (post, _args, ctx) => ctx.loaders.commentCountByPost.load(post.id),
  viewerReaction: async (post, _args, ctx) =>
    ctx.viewer ? ((await ctx.loaders.viewerReactionByPost.load(post.id))?.kind ?? null) : null,
  moderationNotice: async (post, _args, ctx) =>
    ctx.viewer && (ctx.viewer.isAdmin || ctx.viewer.userId === post.authorId)
      ? noticeOf(post.status, await ctx.loaders.currentCaseByPost.load(post.id))
      : null,
};
