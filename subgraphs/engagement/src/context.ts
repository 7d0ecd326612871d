import type { BaseContext } from '@market/platform';
import type { Viewer } from './domain';
import type { Loaders } from './loaders';
import type { PostService } from './services/post-service';
import type { CommentService } from './services/comment-service';
import type { ReactionService } from './services/reaction-service';
import type { FeedbackService } from './services/feedback-service';
import type { ModerationService } from './moderation/moderation-service';

export interface Context extends BaseContext {
  /** The caller as the visibility rules see them. */
  viewer: Viewer;
  posts: PostService;
  comments: CommentService;
  reactions: ReactionService;
  feedback: FeedbackService;
  moderation: ModerationService;
  loaders: Loaders;
}
