import type { PostResolvers } from '../generated/graphql';
import { targetKey } from '../domain';
import { noticeOf } from '../moderation/moderation-service';
import { nftMetadataOf } from '../rules/nft';
import { commentsOf, feedbackOf } from './engagement-fields';

const ref = (post: { id: string }) => ({ type: 'POST' as const, id: post.id });

export const Post: PostResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.postById.load(ref.id),
  author: (post) => ({ id: post.authorId }),
  listing: (post) => (post.listingId ? { id: post.listingId } : null),
  comments: (post, args, ctx) => commentsOf(ref(post), args, ctx),
  reactions: (post, _args, ctx) => ctx.loaders.reactionsByTarget.load(targetKey('POST', post.id)),
  reactionCounts: (post, _args, ctx) => ctx.loaders.reactionCounts(ref(post)),
  commentCount: async (post, _args, ctx) => (await ctx.loaders.totalsByTarget.load(targetKey('POST', post.id))).get('comments') ?? 0,
  feedback: (post, _args, ctx) => feedbackOf(ref(post), ctx),
  viewCount: async (post, _args, ctx) => (await ctx.loaders.totalsByTarget.load(targetKey('POST', post.id))).get('views') ?? 0,
  nft: (post) =>
    post.status === 'PUBLISHED'
      ? nftMetadataOf({ kind: 'POST', id: post.id, authorId: post.authorId, body: post.body, createdAt: post.createdAt })
      : null,
  viewerReaction: async (post, _args, ctx) =>
    ctx.viewer ? ((await ctx.loaders.viewerReactionByTarget.load(targetKey('POST', post.id)))?.kind ?? null) : null,
  moderationNotice: async (post, _args, ctx) =>
    ctx.viewer && (ctx.viewer.isAdmin || ctx.viewer.userId === post.authorId)
      ? noticeOf(post.status, await ctx.loaders.currentCaseByPost.load(post.id))
      : null,
};
