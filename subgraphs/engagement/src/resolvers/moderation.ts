import type { Resolvers } from '../generated/graphql';
import { encodeCursor } from '../domain';

/** Results that are either the item or moderation's refusal: a refusal carries `reasons`. */
const itemOrRejected = <T extends 'Post' | 'Comment'>(item: T) => ({
  __resolveType: (result: object) => ('reasons' in result ? ('ContentRejected' as const) : item),
});

export const moderationResolvers: Pick<Resolvers, 'CreatePostResult' | 'UpdatePostResult' | 'AddCommentResult' | 'ModerationCase' | 'ModerationReport'> = {
  CreatePostResult: itemOrRejected('Post'),
  UpdatePostResult: itemOrRejected('Post'),
  AddCommentResult: itemOrRejected('Comment'),
  ModerationCase: {
    targetType: (c) => (c.postId ? 'POST' : 'COMMENT'),
    targetId: (c) => (c.postId ?? c.commentId) as string,
    post: (c, _args, ctx) => (c.postId ? ctx.loaders.postById.load(c.postId) : null),
    comment: (c, _args, ctx) => (c.commentId ? ctx.loaders.commentById.load(c.commentId) : null),
    author: (c) => ({ id: c.authorId }),
    reports: (c, _args, ctx) => (c.postId ? ctx.loaders.reportsByPost.load(c.postId) : ctx.loaders.reportsByComment.load(c.commentId as string)),
    cursor: (c) => encodeCursor(c),
  },
  ModerationReport: {
    reporter: (r) => ({ id: r.reporterId }),
  },
};
