import { z } from 'zod';
import { defineTopic } from '@market/platform';
import { INBOX_UPDATE_KINDS, NOTIFICATION_KINDS } from '../domain';

/**
 * What messaging publishes live (pub/sub, for subscriptions: at-most-once, after the commit, each
 * with the cursor its catch-up query resumes from):
 *   - messaging.messageAdded, keyed by conversation id: every message sent;
 *   - messaging.typing, keyed by conversation id: someone is typing (ephemeral);
 *   - messaging.notificationAdded, keyed by recipient id: every notification stored;
 *   - messaging.inboxUpdated, keyed by user id: every change in one of the user's conversations.
 */
const message = z.object({
  id: z.string(),
  conversationId: z.string(),
  senderId: z.string(),
  body: z.string(),
  createdAt: z.coerce.date(),
  removedAt: z.coerce.date().nullish(),
  editedAt: z.coerce.date().nullish(),
  deletedAt: z.coerce.date().nullish(),
});

export const messageAddedTopic = defineTopic('messaging.messageAdded', message);

export const typingTopic = defineTopic(
  'messaging.typing',
  z.object({ conversationId: z.string(), userId: z.string(), at: z.coerce.date() }),
);

export const notificationAddedTopic = defineTopic(
  'messaging.notificationAdded',
  z.object({
    id: z.string(),
    recipientId: z.string(),
    kind: z.enum(NOTIFICATION_KINDS),
    title: z.string(),
    body: z.string(),
    readAt: z.coerce.date().nullable(),
    createdAt: z.coerce.date(),
    count: z.number().int().optional(),
    conversationId: z.string().nullish(),
  }),
);

export const inboxUpdatedTopic = defineTopic(
  'messaging.inboxUpdated',
  z.object({
    userId: z.string(),
    seq: z.number().int(),
    kind: z.enum(INBOX_UPDATE_KINDS),
    conversationId: z.string(),
    messageId: z.string().nullable(),
    actorId: z.string(),
    createdAt: z.coerce.date(),
    message: message.nullish(),
    unreadCount: z.number().int().optional(),
    totalUnread: z.number().int().optional(),
  }),
);
