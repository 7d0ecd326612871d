import type { CommentResolvers } from '../generated/graphql';
import { encodeCursor } from '../domain';
import { noticeOf } from '../moderation/moderation-service';
import { nftMetadataOf } from '../rules/nft';
import { parsePage } from '../services/validation';
import { toConnection } from './engagement-fields';

export const Comment: CommentResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.commentById.load(ref.id),
  // A comment is reached only through something the caller sees; null means it went meanwhile.
  post: (comment, _args, ctx) => (comment.postId ? ctx.loaders.postById.load(comment.postId) : null),
  listing: (comment) => (comment.targetType === 'LISTING' ? { id: comment.targetId } : null),
  machine: (comment) => (comment.targetType === 'MACHINE' ? { id: comment.targetId } : null),
  parent: (comment, _args, ctx) => (comment.parentId ? ctx.loaders.commentById.load(comment.parentId) : null),
  replies: async (comment, args, ctx) => {
    const page = parsePage(args);
    // Replies are one level deep: a reply has none.
    const rows = comment.parentId ? [] : await ctx.loaders.repliesOf(page).load(comment.id);
    return toConnection(rows, page);
  },
  replyCount: (comment, _args, ctx) => (comment.parentId ? 0 : ctx.loaders.replyCountByParent.load(comment.id)),
  author: (comment) => ({ id: comment.authorId }),
  deleted: (comment) => comment.deletedAt !== null,
  nft: (comment) =>
    comment.status === 'PUBLISHED' && comment.deletedAt === null
      ? nftMetadataOf({ kind: 'COMMENT', id: comment.id, authorId: comment.authorId, body: comment.body, createdAt: comment.createdAt })
      : null,
  cursor: (comment) => encodeCursor(comment),
  moderationNotice: async (comment, _args, ctx) =>
    ctx.viewer && (ctx.viewer.isAdmin || ctx.viewer.userId === comment.authorId)
      ? noticeOf(comment.status, await ctx.loaders.currentCaseByComment.load(comment.id))
      : null,
};
