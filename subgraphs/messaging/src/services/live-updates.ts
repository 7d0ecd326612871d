import { publishLiveEvent, type Logger, type PubSub, type Topic } from '@market/platform';
import {
  encodeCursor,
  encodeInboxCursor,
  type InboxUpdateRecord,
  type MessageRecord,
  type NotificationRecord,
  type TypingRecord,
} from '../domain';
import { inboxUpdatedTopic, messageAddedTopic, notificationAddedTopic, typingTopic } from '../live/topics';

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

  /** A new message: to the conversation's `messageAdded` subscribers, and to each member's inbox stream. */
  async messageAdded(message: MessageRecord, inbox: readonly InboxUpdateRecord[] = []): Promise<void> {
    await this.publish(messageAddedTopic, message.conversationId, encodeCursor(message), message);
    await this.inbox(inbox);
  }

  /** Inbox updates, each to its user's `inboxUpdated` stream. */
  async inbox(updates: readonly InboxUpdateRecord[]): Promise<void> {
    await Promise.all(updates.map((u) => this.publish(inboxUpdatedTopic, u.userId, encodeInboxCursor(u.seq), u)));
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
