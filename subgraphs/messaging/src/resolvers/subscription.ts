import { requireUser, subscriptionField } from '@market/platform';
import type { SubscriptionResolvers } from '../generated/graphql';
import type { Context } from '../context';
import { inboxUpdatedTopic, messageAddedTopic, notificationAddedTopic, typingTopic } from '../live/topics';

/**
 * Live fields. `keys` runs once, when a subscription starts, and refuses like the matching
 * mutation; `authorize` runs for every event and this subscriber, because rights can change during a
 * long subscription. Each event is then resolved like a query result (Message.cursor and the rest).
 */
const messageAdded = subscriptionField({
  topic: messageAddedTopic,
  pubsub: (ctx: Context) => ctx.pubsub,
  keys: ({ conversationId }: { conversationId: string }, ctx) => ctx.conversations.requireParticipant(requireUser(ctx), conversationId),
  // Messages of someone you blocked are not shown to you.
  authorize: async (message, ctx) =>
    (await ctx.conversations.isParticipant(ctx.identity, message.conversationId)) &&
    !(await ctx.inbox.hides(ctx.identity, message.senderId)),
});

export const Subscription: SubscriptionResolvers = {
  messageAdded: {
    ...messageAdded,
    // While it is open, the subscriber counts as reading the conversation: no MESSAGE notification for it.
    subscribe: async (parent: unknown, args: { conversationId: string }, ctx: Context, info: unknown) => {
      const events = await (messageAdded.subscribe as (...a: unknown[]) => Promise<AsyncIterator<unknown>>)(parent, args, ctx, info);
      return ctx.inbox.reading(events, args.conversationId.trim().toLowerCase(), requireUser(ctx));
    },
  } as SubscriptionResolvers['messageAdded'],
  inboxUpdated: subscriptionField({
    topic: inboxUpdatedTopic,
    pubsub: (ctx: Context) => ctx.pubsub,
    keys: (_args: Record<string, never>, ctx) => requireUser(ctx).userId.toLowerCase(),
    authorize: (update, ctx) => ctx.inbox.isFor(ctx.identity, update),
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
