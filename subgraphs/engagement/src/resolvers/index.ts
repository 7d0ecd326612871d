import { DateTimeScalar } from '@market/platform';
import type { Resolvers } from '../generated/graphql';
import { Query } from './query';
import { Mutation } from './mutation';
import { Post } from './post';
import { Comment } from './comment';
import { Reaction } from './reaction';
import { User } from './user';
import { Listing } from './listing';
import { Machine } from './machine';
import { Feedback, FeedbackSummary } from './feedback';
import { moderationResolvers } from './moderation';
import { Review, ReviewStayResult } from './review';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query,
  Mutation,
  Post,
  Comment,
  Reaction,
  User,
  Listing,
  Machine,
  Feedback,
  FeedbackSummary,
  Review,
  ReviewStayResult,
  ...moderationResolvers,
};
