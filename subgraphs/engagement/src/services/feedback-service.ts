import { z } from 'zod';
import { ConflictError, requireUser, type AuthContext, parseInput } from '@market/platform';
import { viewerOf, type FeedbackRecord, type TargetRef } from '../domain';
import type { ContentRejected, ModerationService } from '../moderation/moderation-service';
import type { FeedbackRepository } from '../repositories/feedback-repository';
import type { TargetService } from './target-service';
import type { WriteLimits } from './rate-limits';

const feedbackSchema = z.object({
  rating: z.number().int('rating is a whole number').min(1, 'rating is 1 to 5').max(5, 'rating is 1 to 5'),
  body: z.string().trim().min(1, 'body must not be empty').max(2000, 'body is at most 2000 characters'),
});

export class FeedbackService {
  constructor(
    private readonly feedback: FeedbackRepository,
    private readonly targets: TargetService,
    private readonly limits: WriteLimits,
    private readonly moderation: ModerationService,
  ) {}

  /** The caller's one rating of a target, moderated like a comment: published, held or refused. */
  async give(ctx: AuthContext, target: TargetRef, input: unknown): Promise<FeedbackRecord | ContentRejected> {
    const { userId } = requireUser(ctx);
    const { rating, body } = parseInput(feedbackSchema, input);
    await this.limits.count('addComment', userId);
    await this.targets.requireOpen(viewerOf(ctx.identity), target);
    const verdict = this.moderation.assess(body);
    if (verdict.outcome === 'REJECTED') return this.moderation.reject('FEEDBACK', null, userId, verdict);
    const hold = verdict.outcome === 'HELD';
    const postId = target.type === 'POST' ? target.id : null;
    const saved = await this.feedback.transaction(async (tx) => {
      const row = await this.feedback.upsert({ target, authorId: userId, rating, body, hold }, tx);
      if (row && hold && row.status === 'HELD') {
        await this.moderation.holdStored(tx, { type: 'FEEDBACK', id: row.id }, { authorId: userId, postId }, verdict);
      }
      return row;
    });
    if (!saved) throw new ConflictError('It no longer takes feedback.');
    return saved;
  }
}
