import type { BaseContext, PubSub } from '@market/platform';
import type { Loaders } from './loaders';
import type { ConversationService } from './services/conversation-service';
import type { NotificationService } from './services/notification-service';
import type { TypingService } from './services/typing-service';
import type { WatchService } from './services/watch-service';

export interface Context extends BaseContext {
  conversations: ConversationService;
  notifications: NotificationService;
  typing: TypingService;
  watches: WatchService;
  /** Where the Subscription fields listen (shared by every replica: Redis, or in-process when embedded). */
  pubsub: PubSub;
  loaders: Loaders;
}
