import { requireUser } from '@market/platform';
import type { MutationResolvers } from '../generated/graphql';

export const Mutation: MutationResolvers = {
  startConversation: (_parent, { input }, ctx) => ctx.conversations.start(requireUser(ctx), input),
  sendMessage: (_parent, { conversationId, body }, ctx) => ctx.conversations.send(requireUser(ctx), { conversationId, body }),
  markNotificationRead: (_parent, { id }, ctx) => ctx.notifications.markRead(requireUser(ctx), id),
  setTyping: (_parent, { conversationId }, ctx) => ctx.typing.setTyping(requireUser(ctx), conversationId),
};
