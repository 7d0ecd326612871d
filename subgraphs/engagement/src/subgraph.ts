import path from 'node:path';
import { defineSubgraph } from '@market/platform';
import { loadEngagementEnv } from './env';
import type { Context } from './context';
import { createPrisma } from './db';
import { viewerOf } from './domain';
import { engagementConsumers } from './consumers';
import { createLoaders } from './loaders';
import { resolvers } from './resolvers';
import { PostRepository } from './repositories/post-repository';
import { CommentRepository } from './repositories/comment-repository';
import { ReactionRepository } from './repositories/reaction-repository';
import { FeedbackRepository } from './repositories/feedback-repository';
import { CounterRepository } from './repositories/counter-repository';
import { TargetRepository } from './repositories/target-repository';
import { ModerationRepository } from './moderation/moderation-repository';
import { createModeration } from './moderation';
import { PostService } from './services/post-service';
import { CommentService } from './services/comment-service';
import { ReactionService } from './services/reaction-service';
import { FeedbackService } from './services/feedback-service';
import { TargetService } from './services/target-service';
import { ViewRecorder } from './services/view-recorder';
import { ReviewService } from './services/review-service';
import { FeedService } from './services/feed-service';
import { ActivityService } from './services/activity-service';
import { ViewRepository } from './repositories/view-repository';
import { ReviewRepository } from './repositories/review-repository';
import { SocialRepository } from './repositories/social-repository';
import { ActivityRepository } from './repositories/activity-repository';
import { writeLimits } from './services/rate-limits';

export { loadEngagementEnv, loadEngagementEnv as loadEnv, engagementEnvSchema, type EngagementEnv } from './env';

/** Posts, comments and reactions: what engagement is made of; the platform host runs it. */
export const engagement = defineSubgraph()({
  name: 'engagement',
  schemaPath: path.join(__dirname, '..', 'schema.graphql'),
  loadEnv: loadEngagementEnv,
  database: createPrisma,
  build({ env, db, redis }) {
    const repos = {
      posts: new PostRepository(db),
      comments: new CommentRepository(db),
      reactions: new ReactionRepository(db),
      feedback: new FeedbackRepository(db),
      counters: new CounterRepository(db),
      targets: new TargetRepository(db),
      moderation: new ModerationRepository(db),
      reviews: new ReviewRepository(db),
    };
    const social = new SocialRepository(db);
    // Redis when REDIS_URL is set (write limits counted across replicas), in-process otherwise.
    const limits = writeLimits(redis.rateLimiter, env);
    const moderation = createModeration(repos.moderation, env);
    const posts = new PostService(repos.posts, limits, moderation);
    const targets = new TargetService(repos.posts, repos.targets);
    const comments = new CommentService(repos.comments, targets, limits, moderation);
    const reactions = new ReactionService(repos.reactions, targets, limits);
    const feedback = new FeedbackService(repos.feedback, targets, limits, moderation);
    const views = new ViewRecorder(new ViewRepository(db), { windowMs: env.VIEW_BATCH_WINDOW_MS, maxBatch: env.VIEW_BATCH_MAX });
    const reviews = new ReviewService(repos.reviews);
    const feed = new FeedService(social);
    const activity = new ActivityService(new ActivityRepository(db), social);
    return {
      resolvers,
      context: (base): Context => {
        const viewer = viewerOf(base.identity);
        return {
          ...base,
          viewer,
          posts,
          comments,
          reactions,
          feedback,
          views,
          reviews,
          feed,
          activity,
          moderation,
          loaders: createLoaders(repos, viewer),
        };
      },
      consumers: engagementConsumers(db, env),
      // Views acknowledged to clients but still batched are written before the database closes.
      close: () => views.close(),
    };
  },
});

export const createSubgraph = engagement.create;
