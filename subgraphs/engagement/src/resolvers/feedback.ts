import { z } from 'zod';
import { parseInput } from '@market/platform';
import type { FeedbackResolvers, FeedbackSummaryResolvers } from '../generated/graphql';
import { targetKey } from '../domain';
import { noticeOf } from '../moderation/moderation-service';

const latestSchema = z.object({ first: z.number().int().min(1, 'first is 1 to 50').max(50, 'first is 1 to 50') });

export const Feedback: FeedbackResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.feedbackById.load(ref.id),
  author: (feedback) => ({ id: feedback.authorId }),
  moderationNotice: async (feedback, _args, ctx) =>
    ctx.viewer && (ctx.viewer.isAdmin || ctx.viewer.userId === feedback.authorId)
      ? noticeOf(feedback.status, await ctx.loaders.currentCaseByFeedback.load(feedback.id))
      : null,
};

export const FeedbackSummary: FeedbackSummaryResolvers = {
  latest: (summary, args, ctx) => {
    const { first } = parseInput(latestSchema, { first: args.first ?? 10 });
    return ctx.loaders.latestFeedback(first).load(targetKey(summary.target.type, summary.target.id));
  },
};
