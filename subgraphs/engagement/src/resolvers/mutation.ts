import type { MutationResolvers } from '../generated/graphql';

export const Mutation: MutationResolvers = {
  createPost: (_parent, { input }, ctx) => ctx.posts.create(ctx, input),
  updatePost: (_parent, { id, body }, ctx) => ctx.posts.update(ctx, id, { body }),
  deletePost: (_parent, { id }, ctx) => ctx.posts.delete(ctx, id),
  addComment: (_parent, { postId, body }, ctx) => ctx.comments.add(ctx, postId, { body }),
  deleteComment: (_parent, { id }, ctx) => ctx.comments.delete(ctx, id),
  react: (_parent, { postId, kind }, ctx) => ctx.reactions.react(ctx, postId, { kind }),
  unreact: (_parent, { postId }, ctx) => ctx.reactions.unreact(ctx, postId),
  report: (_parent, { targetType, targetId, reason }, ctx) => ctx.moderation.report(ctx, { type: targetType, id: targetId }, { reason }),
  appeal: (_parent, { targetType, targetId, reason }, ctx) => ctx.moderation.appeal(ctx, { type: targetType, id: targetId }, { reason }),
  approve: (_parent, { targetType, targetId, reason }, ctx) => ctx.moderation.approve(ctx, { type: targetType, id: targetId }, { reason }),
  remove: (_parent, { targetType, targetId, reason }, ctx) => ctx.moderation.remove(ctx, { type: targetType, id: targetId }, { reason }),
};
