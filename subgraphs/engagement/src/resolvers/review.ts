import type { ReviewResolvers, ReviewStayResultResolvers } from '../generated/graphql';

export const Review: ReviewResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.reviewById.load(ref.id),
  author: (review) => (review.authorId ? { id: review.authorId } : null),
  subject: (review) => (review.subjectId ? { id: review.subjectId } : null),
  listing: (review) => ({ id: review.listingId }),
};

export const ReviewStayResult: ReviewStayResultResolvers = {
  __resolveType: (result) => ('reason' in result ? 'ReviewNotAccepted' : 'Review'),
};
