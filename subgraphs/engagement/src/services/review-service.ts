import { z } from 'zod';
import { NotFoundError, parseInput, requireUser, type AuthContext } from '@market/platform';
import type { ReviewDirection, ReviewRecord } from '../domain';
import type { ReviewRepository } from '../repositories/review-repository';

const reviewSchema = z.object({
  rating: z.number().int('rating is a whole number').min(1, 'rating is 1 to 5').max(5, 'rating is 1 to 5'),
  body: z.string().trim().min(1, 'body must not be empty').max(2000, 'body is at most 2000 characters'),
});

export interface ReviewNotAccepted {
  __typename: 'ReviewNotAccepted';
  reason: string;
  message: string;
}

export class ReviewService {
  constructor(private readonly reviews: ReviewRepository) {}

  /** The guest reviews the stay, the host reviews the guest: once each, while the window is open. */
  async review(ctx: AuthContext, stayId: string, input: unknown): Promise<ReviewRecord | ReviewNotAccepted> {
    const { userId } = requireUser(ctx);
    const { rating, body } = parseInput(reviewSchema, input);
    const stay = await this.reviews.findStay(stayId);
    // Someone who was neither guest nor host learns nothing about the stay.
    if (!stay || (stay.guestId !== userId && stay.hostId !== userId)) throw new NotFoundError('Stay', stayId);
    const direction: ReviewDirection = stay.guestId === userId ? 'GUEST_REVIEWS_HOST' : 'HOST_REVIEWS_GUEST';
    const subjectId = direction === 'GUEST_REVIEWS_HOST' ? stay.hostId : stay.guestId;
    const review = await this.reviews.create({ stayId, direction, authorId: userId, subjectId, rating, body });
    if (review) return review;
    const reason =
      stay.reviewsCloseAt.getTime() <= Date.now()
        ? `Reviews for this stay closed on ${stay.reviewsCloseAt.toISOString()}.`
        : 'You have reviewed this stay already.';
    return { __typename: 'ReviewNotAccepted', reason, message: reason };
  }
}
