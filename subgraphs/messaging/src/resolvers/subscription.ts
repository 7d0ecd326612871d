import { requireUser, subscriptionField } from '@market/platform';
import type { SubscriptionResolvers } from '../generated/graphql';
import type { Context } from '../context';
import { messageAddedTopic, notificationAddedTopic, typingTopic } from '../live/topics';

/**
 * Live fields. `keys` runs once, when a subscription starts, and refuses like the matching
 * mutation; `authorize` runs for every event and this subscriber, because rights can change during a
 * long subscription. Each event is then resolved like a query result (Message.cursor and the rest).
 */
export const Subscription: SubscriptionResolvers = {
  messageAdded: subscriptionField({
    topic: messageAddedTopic,
    pubsub: (ctx: Context) => ctx.pubsub,
    keys: ({ conversationId }: { conversationId: string }, ctx) => ctx.conversations.requireParticipant(requireUser(ctx), conversationId),
    authorize: (message, ctx) => ctx.conversations.isParticipant(ctx.identity, message.conversationId),
  }),
  typing: subscriptionField({
    topic: typingTopic,
    pubsub: (ctx: Context) => ctx.pubsub,
    keys: ({ conversationId }: { conversationId: string }, ctx) => ctx.conversations.requireParticipant(requireUser(ctx), conversationId),
    // Your own typing is not news to you.
    authorize: async (typing, ctx) =>
      typing.userId !== ctx.identity?.userId.toLowerCase() && (await ctx.conversations.isParticipant(ctx.identity, typing.conversationId)),
  }),
  notificationAdded: subscriptionField({
    topic: notificationAddedTopic,
    pubsub: (ctx: Context) => ctx.pubsub,
    keys: (_args: Record<string, never>, ctx) => requireUser(ctx).userId.toLowerCase(),
    authorize: (notification, ctx) => ctx.notifications.isRecipient(ctx.identity, notification),
  }),
};
