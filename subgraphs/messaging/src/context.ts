import type { BaseContext, PubSub } from '@market/platform';
import type { Loaders } from './loaders';
import type { BroadcastService } from './services/broadcast-service';
import type { ConversationService } from './services/conversation-service';
import type { InboxService } from './services/inbox-service';
import type { NotificationService } from './services/notification-service';
import type { TypingService } from './services/typing-service';
import type { WatchService } from './services/watch-service';

export interface Context extends BaseContext {
  conversations: ConversationService;
  notifications: NotificationService;
  typing: TypingService;
  watches: WatchService;
  inbox: InboxService;
  broadcasts: BroadcastService;
  /** Where the Subscription fields listen (shared by every replica: Redis, or in-process when embedded). */
  pubsub: PubSub;
  loaders: Loaders;
}
