import type { Resolvers } from '../generated/graphql';
import { encodeCursor } from '../domain';

/** Results that are either the item or moderation's refusal: a refusal carries `reasons`. */
const itemOrRejected = <T extends 'Post' | 'Comment' | 'Feedback'>(item: T) => ({
  __resolveType: (result: object) => ('reasons' in result ? ('ContentRejected' as const) : item),
});

export const moderationResolvers: Pick<
  Resolvers,
  | 'CreatePostResult'
  | 'UpdatePostResult'
  | 'AddCommentResult'
  | 'UpdateCommentResult'
  | 'GiveFeedbackResult'
  | 'ModerationCase'
  | 'ModerationReport'
> = {
  CreatePostResult: itemOrRejected('Post'),
  UpdatePostResult: itemOrRejected('Post'),
  AddCommentResult: itemOrRejected('Comment'),
  UpdateCommentResult: itemOrRejected('Comment'),
  GiveFeedbackResult: itemOrRejected('Feedback'),
  ModerationCase: {
    targetType: (c) => (c.postId ? 'POST' : c.commentId ? 'COMMENT' : 'FEEDBACK'),
    targetId: (c) => (c.postId ?? c.commentId ?? c.feedbackId) as string,
    post: (c, _args, ctx) => (c.postId ? ctx.loaders.postById.load(c.postId) : null),
    comment: (c, _args, ctx) => (c.commentId ? ctx.loaders.commentById.load(c.commentId) : null),
    feedback: (c, _args, ctx) => (c.feedbackId ? ctx.loaders.feedbackById.load(c.feedbackId) : null),
    author: (c) => ({ id: c.authorId }),
    reports: (c, _args, ctx) =>
      c.postId
        ? ctx.loaders.reportsByPost.load(c.postId)
        : c.commentId
          ? ctx.loaders.reportsByComment.load(c.commentId)
          : c.feedbackId
            ? ctx.loaders.reportsByFeedback.load(c.feedbackId)
            : [],
    cursor: (c) => encodeCursor(c),
  },
  ModerationReport: {
    reporter: (r) => ({ id: r.reporterId }),
  },
};
