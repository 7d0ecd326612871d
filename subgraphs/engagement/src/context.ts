import type { BaseContext } from '@market/platform';
import type { Viewer } from './domain';
import type { Loaders } from './loaders';
import type { PostService } from './services/post-service';
import type { CommentService } from './services/comment-service';
import type { ReactionService } from './services/reaction-service';
import type { FeedbackService } from './services/feedback-service';
import type { ViewRecorder } from './services/view-recorder';
import type { ReviewService } from './services/review-service';
import type { FeedService } from './services/feed-service';
import type { ActivityService } from './services/activity-service';
import type { ModerationService } from './moderation/moderation-service';

export interface Context extends BaseContext {
  /** The caller as the visibility rules see them. */
  viewer: Viewer;
  posts: PostService;
  comments: CommentService;
  reactions: ReactionService;
  feedback: FeedbackService;
  views: ViewRecorder;
  reviews: ReviewService;
  feed: FeedService;
  activity: ActivityService;
  moderation: ModerationService;
  loaders: Loaders;
}
