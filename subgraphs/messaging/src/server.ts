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
import type { MessagingEnv } from './env';
import type { Context } from './context';
import { createPrisma } from './db';
import { consumeMessagingEvents } from './events';
import { createLoaders } from './loaders';
import { resolvers } from './resolvers';
import { ConversationRepository } from './repositories/conversation-repository';
import { ListingWatchRepository } from './repositories/listing-watch-repository';
import { MessageRepository } from './repositories/message-repository';
import { NotificationRepository } from './repositories/notification-repository';
import { ConversationService } from './services/conversation-service';
import { LiveUpdates } from './services/live-updates';
import { NotificationService } from './services/notification-service';
import { TypingService } from './services/typing-service';
import { WatchService } from './services/watch-service';
import { writeLimits } from './services/rate-limits';

export { loadMessagingEnv, loadMessagingEnv as loadEnv, messagingEnvSchema, type MessagingEnv } from './env';

export const typeDefs = gql(readFileSync(path.join(__dirname, '..', 'schema.graphql'), 'utf8'));

/** Builds the messaging subgraph; nothing listens until the caller says so. */
export async function createSubgraph(
  env: MessagingEnv,
  logger: Logger = createLogger('messaging', env.LOG_LEVEL),
  deps: SubgraphDeps = { bus: null },
): Promise<Subgraph> {
  const db = createPrisma(env.DATABASE_URL, env.DATABASE_POOL_SIZE, deps.onQuery);
  // Redis when REDIS_URL is set (write limits counted across replicas), in-process otherwise.
  const redis = createRedisServices({ redisUrl: env.REDIS_URL, logger, keyPrefix: env.REDIS_KEY_PREFIX });
  if (redis.mode === 'memory' && env.NODE_ENV === 'production') {
    logger.warn('REDIS_URL is not set: message, conversation and watch limits are counted per process, which only suits a single replica');
  }
  const limits = writeLimits(redis.rateLimiter, env);
  // Subscription fan-out: the one given (Redis in a process of its own, shared in embedded mode), else
  // this service's own (Redis when REDIS_URL is set, otherwise this process only).
  const pubsub = deps.pubsub ?? redis.pubsub;
  const live = new LiveUpdates(pubsub, logger);
  const relay = deps.bus ? startOutboxRelay({ databaseUrl: env.DATABASE_URL, bus: deps.bus, logger }) : null;
  if (deps.bus) await consumeMessagingEvents(deps.bus, db, live);
  const conversations = new ConversationService(new ConversationRepository(db), new MessageRepository(db), live, limits);
  const services = {
    conversations,
    notifications: new NotificationService(new NotificationRepository(db)),
    typing: new TypingService(conversations, live),
    watches: new WatchService(new ListingWatchRepository(db), limits),
  };
  const server = await createSubgraphServer<Context>({
    name: 'messaging',
    typeDefs,
    resolvers: resolvers as GraphQLResolverMap<Context>,
    signingSecret: env.GATEWAY_SIGNING_SECRET,
    logger,
    exposeInternals: env.NODE_ENV === 'development',
    readiness: async () => {
      await db.$queryRaw`SELECT 1`;
    },
    subscriptions: true,
    createContext: (base) => ({ ...base, ...services, pubsub, loaders: createLoaders(services, base.identity) }),
  });
  return {
    name: 'messaging',
    server,
    async close() {
      await server.stop();
      await relay?.stop();
      await redis.close();
      await db.$disconnect();
    },
  };
}
