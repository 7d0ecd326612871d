import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gql } from 'graphql-tag';
import {
  MemoryPubSub,
  createLogger,
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

export { loadMessagingEnv, loadMessagingEnv as loadEnv, messagingEnvSchema, type MessagingEnv } from './env';

export const typeDefs = gql(readFileSync(path.join(__dirname, '..', 'schema.graphql'), 'utf8'));

/** Builds the messaging subgraph; nothing listens until the caller says so. */
export async function createSubgraph(
  env: MessagingEnv,
  logger: Logger = createLogger('messaging', env.LOG_LEVEL),
  deps: SubgraphDeps = { bus: null },
): Promise<Subgraph> {
  const db = createPrisma(env.DATABASE_URL, env.DATABASE_POOL_SIZE, deps.onQuery);
  // Alone (no shared pub/sub given), live events reach the subscribers of this process only.
  const pubsub = deps.pubsub ?? new MemoryPubSub(logger);
  const ownsPubsub = !deps.pubsub;
  const live = new LiveUpdates(pubsub, logger);
  const relay = deps.bus ? startOutboxRelay({ databaseUrl: env.DATABASE_URL, bus: deps.bus, logger }) : null;
  if (deps.bus) await consumeMessagingEvents(deps.bus, db, live);
  const conversations = new ConversationService(new ConversationRepository(db), new MessageRepository(db), live);
  const services = {
    conversations,
    notifications: new NotificationService(new NotificationRepository(db)),
    typing: new TypingService(conversations, live),
    watches: new WatchService(new ListingWatchRepository(db)),
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
      if (ownsPubsub) await pubsub.close();
      await db.$disconnect();
    },
  };
}
