import type { MutationResolvers } from '../generated/graphql';

export const Mutation: MutationResolvers = {
  createPost: (_parent, { input }, ctx) => ctx.posts.create(ctx, input),
  updatePost: (_parent, { id, body }, ctx) => ctx.posts.update(ctx, id, { body }),
  deletePost: (_parent, { id }, ctx) => ctx.posts.delete(ctx, id),
  addComment: (_parent, { postId, body }, ctx) => ctx.comments.add(ctx, postId, { body }),
  deleteComment: (_parent, { id }, ctx) => ctx.comments.delete(ctx, id),
  react: (_parent, { postId, kind }, ctx) => ctx.reactions.react(ctx, postId, { kind }),
  unreact: (_parent, { postId }, ctx) => ctx.reactions.unreact(ctx, postId),
};
