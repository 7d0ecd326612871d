import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createObjectStorage, defineSubgraph } from '@market/platform';
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
import { AttachmentRepository } from './repositories/attachment-repository';
import { AttachmentService } from './services/attachment-service';

export { loadMessagingEnv, loadMessagingEnv as loadEnv, messagingEnvSchema, type MessagingEnv } from './env';

/** Conversations, notifications and watching: what messaging is made of; the platform host runs it. */
export const messaging = defineSubgraph()({
  name: 'messaging',
  schemaPath: path.join(__dirname, '..', 'schema.graphql'),
  loadEnv: loadMessagingEnv,
  database: createPrisma,
  async build({ env, db, redis, pubsub, logger }) {
    // Redis when REDIS_URL is set (write limits counted across replicas), in-process otherwise.
    const limits = writeLimits(redis.rateLimiter, env);
    const live = new LiveUpdates(pubsub, logger);
    // Attachments in S3 when S3_BUCKET is set (any number of replicas), else on this machine's disk; private either way.
    const attachmentStorage = await createObjectStorage(env, {
      root: env.ATTACHMENT_DIR
        ? path.join(env.ATTACHMENT_DIR, 'attachments')
        : mkdtempSync(path.join(os.tmpdir(), 'messaging-attachments-')),
      signingKey: Buffer.from(deriveSecret(env.UPLOAD_SIGNING_SECRET ?? env.GATEWAY_SIGNING_SECRET, 'messaging-attachments'), 'hex'),
      what: 'message attachments',
      logger,
      access: 'private',
    });
    const conversationRepository = new ConversationRepository(db);
    const attachments = new AttachmentService(
      new AttachmentRepository(db),
      conversationRepository,
      attachmentStorage.storage,
      limits,
      env.ATTACHMENT_MAX_BYTES,
    );
    const conversations = new ConversationService(conversationRepository, new MessageRepository(db), live, limits, attachments);
    const readers = new ReaderRepository(db, env.READING_LEASE_SECONDS * 1000);
    const inbox = new InboxService(new InboxRepository(db), readers, new BlockRepository(db), logger, env.READING_LEASE_SECONDS * 1000);
    const broadcasts = new BroadcastService(new BroadcastRepository(db), new KnownUserRepository(db), live, {
      batchSize: env.BROADCAST_BATCH_SIZE,
      intervalMs: env.BROADCAST_INTERVAL_MS,
    });
    const channels = channelsFor(env, db, logger);
    // Unsubscribe links and phone codes are signed with a key derived from the service's secret.
    const linkSecret = deriveSecret(env.GATEWAY_SIGNING_SECRET, 'messaging-links');
    const deliveries = new DeliveryService(
      db,
      channels,
      { appUrl: env.APP_URL, linkSecret, maxAttempts: env.DELIVERY_MAX_ATTEMPTS, digestHour: env.DIGEST_HOUR },
      logger,
    );
    const services = {
      conversations,
      notifications: new NotificationService(new NotificationRepository(db)),
      typing: new TypingService(conversations, live),
      watches: new WatchService(new ListingWatchRepository(db), limits),
      attachments,
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
      routes: attachmentStorage.local ? (app) => attachmentStorage.local?.mount(app) : undefined,
      onListen: attachmentStorage.local
        ? (port) => attachmentStorage.local?.useBaseUrlIfUnset(`http://localhost:${port}/uploads`)
        : undefined,
      close: async () => {
        attachmentStorage.close();
        await channels.email.close();
      },
    };
  },
});

export const createSubgraph = messaging.create;

function deriveSecret(secret: string, purpose: string): string {
  return createHmac('sha256', secret).update(purpose).digest('hex');
}
