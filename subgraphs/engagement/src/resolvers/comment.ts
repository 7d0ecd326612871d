import { NotFoundError } from '@market/platform';
import type { CommentResolvers } from '../generated/graphql';
import { encodeCursor } from '../domain';
import { noticeOf } from '../moderation/moderation-service';

export const Comment: CommentResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.commentById.load(ref.id),
  // A comment is reached only through a post the caller sees; null means the post went meanwhile.
  post: async (comment, _args, ctx) => {
    const post = await ctx.loaders.postById.load(comment.postId);
    if (!post) throw new NotFoundError('Post', comment.postId);
    return post;
  },
  author: (comment) => ({ id: comment.authorId }),
  cursor: (comment) => encodeCursor(comment),
  moderationNotice: async (comment, _args, ctx) =>
    ctx.viewer && (ctx.viewer.isAdmin || ctx.viewer.userId === comment.authorId)
      ? noticeOf(comment.status, await ctx.loaders.currentCaseByComment.load(comment.id))
      : null,
};
