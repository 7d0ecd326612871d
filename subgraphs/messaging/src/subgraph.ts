import { createHmac } from 'node:crypto';
import path from 'node:path';
import { defineSubgraph } from '@market/platform';
import { loadMessagingEnv } from './env';
import type { Context } from './context';
import { createPrisma } from './db';
import { messagingConsumers } from './consumers';
import { createLoaders } from './loaders';
import { resolvers } from './resolvers';
import { ConversationRepository } from './repositories/conversation-repository';
import { ListingWatchRepository } from './repositories/listing-watch-repository';
import { MessageRepository } from './repositories/message-repository';
import { NotificationRepository } from './repositories/notification-repository';
import { BlockRepository, KnownUserRepository } from './repositories/known-user-repository';
import { BroadcastRepository } from './repositories/broadcast-repository';
import { InboxRepository } from './repositories/inbox-repository';
import { DeliveryRepository } from './repositories/delivery-repository';
import { ReaderRepository } from './repositories/reader-repository';
import { BroadcastService } from './services/broadcast-service';
import { ConversationService } from './services/conversation-service';
import { InboxService } from './services/inbox-service';
import { ChannelService } from './services/channel-service';
import { DeliveryService } from './services/delivery-service';
import { channelsFor } from './adapters';
import { LiveUpdates } from './services/live-updates';
import { NotificationService } from './services/notification-service';
import { TypingService } from './services/typing-service';
import { WatchService } from './services/watch-service';
import { writeLimits } from './services/rate-limits';

export { loadMessagingEnv, loadMessagingEnv as loadEnv, messagingEnvSchema, type MessagingEnv } from './env';

/** Conversations, notifications and watching: what messaging is made of; the platform host runs it. */
export const messaging = defineSubgraph()({
  name: 'messaging',
  schemaPath: path.join(__dirname, '..', 'schema.graphql'),
  loadEnv: loadMessagingEnv,
  database: createPrisma,
  build({ env, db, redis, pubsub, logger }) {
    // Redis when REDIS_URL is set (write limits counted across replicas), in-process otherwise.
    const limits = writeLimits(redis.rateLimiter, env);
    const live = new LiveUpdates(pubsub, logger);
    const conversations = new ConversationService(new ConversationRepository(db), new MessageRepository(db), live, limits);
    const readers = new ReaderRepository(db, env.READING_LEASE_SECONDS * 1000);
    const inbox = new InboxService(new InboxRepository(db), readers, new BlockRepository(db), logger, env.READING_LEASE_SECONDS * 1000);
    const broadcasts = new BroadcastService(new BroadcastRepository(db), new KnownUserRepository(db), live, {
      batchSize: env.BROADCAST_BATCH_SIZE,
      intervalMs: env.BROADCAST_INTERVAL_MS,
    });
    const channels = channelsFor(env, db, logger);
    // Unsubscribe links and phone codes are signed with a key derived from the service's secret.
    const linkSecret = deriveSecret(env.GATEWAY_SIGNING_SECRET, 'messaging-links');
    const deliveries = new DeliveryService(db, channels, { appUrl: env.APP_URL, linkSecret, maxAttempts: env.DELIVERY_MAX_ATTEMPTS, digestHour: env.DIGEST_HOUR }, logger);
    const services = {
      conversations,
      notifications: new NotificationService(new NotificationRepository(db)),
      typing: new TypingService(conversations, live),
      watches: new WatchService(new ListingWatchRepository(db), limits),
      inbox,
      broadcasts,
      channels: new ChannelService(db, channels, linkSecret),
      deliveries: new DeliveryRepository(db),
      devOutboxEnabled: env.NODE_ENV !== 'production',
    };
    return {
      resolvers,
      subscriptions: true,
      context: (base): Context => ({ ...base, ...services, pubsub, loaders: createLoaders(services, base.identity) }),
      consumers: messagingConsumers(db, live),
      jobs: [broadcasts.job(), inbox.purgeJob(), deliveries.deliveryJob(), deliveries.digestJob()],
      close: () => channels.email.close(),
    };
  },
});

export const createSubgraph = messaging.create;

function deriveSecret(secret: string, purpose: string): string {
  return createHmac('sha256', secret).update(purpose).digest('hex');
}
