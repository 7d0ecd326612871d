import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gql } from 'graphql-tag';
import {
  createLogger,
  createRedisServices,
  createSubgraphServer,
  startOutboxRelay,
  type Logger,
  type Subgraph,
  type SubgraphDeps,
} from '@market/platform';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { EngagementEnv } from './env';
import type { Context } from './context';
import { createPrisma } from './db';
import { viewerOf } from './domain';
import { subscribeConsumers } from './events';
import { createLoaders } from './loaders';
import { resolvers } from './resolvers';
import { PostRepository } from './repositories/post-repository';
import { CommentRepository } from './repositories/comment-repository';
import { ReactionRepository } from './repositories/reaction-repository';
import { ModerationRepository } from './moderation/moderation-repository';
import { PostService } from './services/post-service';
import { CommentService } from './services/comment-service';
import { ReactionService } from './services/reaction-service';
import { writeLimits } from './services/rate-limits';
import { createModeration } from './moderation';

export { loadEngagementEnv, loadEngagementEnv as loadEnv, engagementEnvSchema, type EngagementEnv } from './env';

export const typeDefs = gql(readFileSync(path.join(__dirname, '..', 'schema.graphql'), 'utf8'));

/** Builds the engagement subgraph; nothing listens until the caller says so. */
export async function createSubgraph(
  env: EngagementEnv,
  logger: Logger = createLogger('engagement', env.LOG_LEVEL),
  deps: SubgraphDeps = { bus: null },
): Promise<Subgraph> {
  const db = createPrisma(env.DATABASE_URL, env.DATABASE_POOL_SIZE, deps.onQuery);
  const relay = deps.bus ? startOutboxRelay({ databaseUrl: env.DATABASE_URL, bus: deps.bus, logger }) : null;
  if (deps.bus) await subscribeConsumers(deps.bus, db);
  const repos = {
    posts: new PostRepository(db),
    comments: new CommentRepository(db),
    reactions: new ReactionRepository(db),
    moderation: new ModerationRepository(db),
  };
  // Redis when REDIS_URL is set (write limits counted across replicas), in-process otherwise.
  const redis = createRedisServices({ redisUrl: env.REDIS_URL, logger, keyPrefix: env.REDIS_KEY_PREFIX });
  if (redis.mode === 'memory' && env.NODE_ENV === 'production') {
    logger.warn('REDIS_URL is not set: post, comment and reaction limits are counted per process, which only suits a single replica');
  }
  const limits = writeLimits(redis.rateLimiter, env);
  const moderation = createModeration(repos.moderation, env);
  const posts = new PostService(repos.posts, limits, moderation);
  const comments = new CommentService(repos.comments, posts, limits, moderation);
  const reactions = new ReactionService(repos.reactions, posts, limits);
  const server = await createSubgraphServer<Context>({
    name: 'engagement',
    typeDefs,
    resolvers: resolvers as GraphQLResolverMap<Context>,
    signingSecret: env.GATEWAY_SIGNING_SECRET,
    logger,
    exposeInternals: env.NODE_ENV === 'development',
    readiness: async () => {
      await db.$queryRaw`SELECT 1`;
    },
    createContext: (base) => {
      const viewer = viewerOf(base.identity);
      return { ...base, viewer, posts, comments, reactions, moderation, loaders: createLoaders(repos, viewer) };
    },
  });
  return {
    name: 'engagement',
    server,
    async close() {
      await server.stop();
      await relay?.stop();
      await redis.close();
      await db.$disconnect();
    },
  };
}
