import type { MutationResolvers } from '../generated/graphql';

const post = (id: string) => ({ type: 'POST' as const, id });

export const Mutation: MutationResolvers = {
  createPost: (_parent, { input }, ctx) => ctx.posts.create(ctx, input),
  updatePost: (_parent, { id, body }, ctx) => ctx.posts.update(ctx, id, { body }),
  deletePost: (_parent, { id }, ctx) => ctx.posts.delete(ctx, id),
  addComment: (_parent, { postId, body, replyTo }, ctx) => ctx.comments.add(ctx, post(postId), { body, replyTo }),
  commentOn: (_parent, { targetType, targetId, body, replyTo }, ctx) =>
    ctx.comments.add(ctx, { type: targetType, id: targetId }, { body, replyTo }),
  updateComment: (_parent, { id, body }, ctx) => ctx.comments.update(ctx, id, { body }),
  deleteComment: (_parent, { id }, ctx) => ctx.comments.delete(ctx, id),
  react: (_parent, { postId, kind }, ctx) => ctx.reactions.react(ctx, post(postId), { kind }),
  unreact: (_parent, { postId }, ctx) => ctx.reactions.unreact(ctx, post(postId)),
  reactTo: (_parent, { targetType, targetId, kind }, ctx) => ctx.reactions.react(ctx, { type: targetType, id: targetId }, { kind }),
  unreactFrom: (_parent, { targetType, targetId }, ctx) => ctx.reactions.unreact(ctx, { type: targetType, id: targetId }),
  giveFeedback: (_parent, { targetType, targetId, rating, body }, ctx) =>
    ctx.feedback.give(ctx, { type: targetType, id: targetId }, { rating, body }),
  recordView: (_parent, { targetType, targetId, deviceId }, ctx) => ctx.views.record(ctx, { type: targetType, id: targetId }, { deviceId }),
  setActivityVisibility: (_parent, { visibility }, ctx) => ctx.activity.setVisibility(ctx, { visibility }),
  reviewStay: (_parent, { stayId, rating, body }, ctx) => ctx.reviews.review(ctx, stayId, { rating, body }),
  report: (_parent, { targetType, targetId, reason }, ctx) => ctx.moderation.report(ctx, { type: targetType, id: targetId }, { reason }),
  appeal: (_parent, { targetType, targetId, reason }, ctx) => ctx.moderation.appeal(ctx, { type: targetType, id: targetId }, { reason }),
  approve: (_parent, { targetType, targetId, reason }, ctx) => ctx.moderation.approve(ctx, { type: targetType, id: targetId }, { reason }),
  remove: (_parent, { targetType, targetId, reason }, ctx) => ctx.moderation.remove(ctx, { type: targetType, id: targetId }, { reason }),
};
