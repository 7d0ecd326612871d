import { publishLiveEvent, type Logger, type PubSub, type Topic } from '@market/platform';
import { encodeCursor, type MessageRecord, type NotificationRecord, type TypingRecord } from '../domain';
import { messageAddedTopic, notificationAddedTopic, typingTopic } from '../live/topics';

/**
 * Announces committed changes to live subscribers (the Subscription fields), on every replica.
 * Delivery is at-most-once and the change is already stored, so a failed publish is logged, never
 * thrown: the caller's mutation succeeded, and clients catch up by cursor.
 */
export class LiveUpdates {
  constructor(
    private readonly pubsub: PubSub,
    private readonly logger: Logger,
  ) {}

  messageAdded(message: MessageRecord): Promise<void> {
    return this.publish(messageAddedTopic, message.conversationId, encodeCursor(message), message);
  }

  notificationAdded(notification: NotificationRecord): Promise<void> {
    return this.publish(notificationAddedTopic, notification.recipientId, encodeCursor(notification), notification);
  }

  /** Ephemeral: the cursor is only the instant (there is nothing to catch up on). */
  typing(typing: TypingRecord): Promise<void> {
    return this.publish(typingTopic, typing.conversationId, typing.at.toISOString(), typing);
  }

  private async publish<P>(topic: Topic<P>, key: string, cursor: string, payload: P): Promise<void> {
    try {
      await publishLiveEvent(this.pubsub, topic, key, { cursor, payload });
    } catch (err) {
      this.logger.error({ err, topic: topic.name }, 'live event not published; subscribers catch up by cursor');
    }
  }
}
