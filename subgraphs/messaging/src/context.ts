import type { BaseContext, PubSub } from '@market/platform';
import type { Loaders } from './loaders';
import type { BroadcastService } from './services/broadcast-service';
import type { ChannelService } from './services/channel-service';
import type { DeliveryRepository } from './repositories/delivery-repository';
import type { ConversationService } from './services/conversation-service';
import type { InboxService } from './services/inbox-service';
import type { NotificationService } from './services/notification-service';
import type { TypingService } from './services/typing-service';
import type { WatchService } from './services/watch-service';
import type { AttachmentService } from './services/attachment-service';

export interface Context extends BaseContext {
  conversations: ConversationService;
  notifications: NotificationService;
  typing: TypingService;
  watches: WatchService;
  attachments: AttachmentService;
  inbox: InboxService;
  broadcasts: BroadcastService;
  channels: ChannelService;
  deliveries: DeliveryRepository;
  /** Outside production: `devNotificationOutbox` answers. */
  devOutboxEnabled: boolean;
  /** Where the Subscription fields listen (shared by every replica: Redis, or in-process when embedded). */
  pubsub: PubSub;
  loaders: Loaders;
}
