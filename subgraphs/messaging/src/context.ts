import type { BaseContext } from '@market/platform';
import type { Loaders } from './loaders';
import type { ConversationService } from './services/conversation-service';
import type { NotificationService } from './services/notification-service';

export interface Context extends BaseContext {
  conversations: ConversationService;
  notifications: NotificationService;
  loaders: Loaders;
}
