import type { ConversationResolvers, ReadReceiptResolvers } from '../generated/graphql';
import { encodeCursor } from '../domain';
import { viewerOf } from '../services/viewer';
import { requireUser } from '@market/platform';

/** A Conversation reaches a resolver only after the caller was allowed to see it. */
export const Conversation: ConversationResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.conversationById.load(ref.id),
  participants: async (conversation, _args, ctx) => (await ctx.loaders.participantsOf.load(conversation.id)).map((p) => ({ id: p.userId })),
  messages: (conversation, args, ctx) =>
    ctx.loaders.messagePages.load({ parentId: conversation.id, args: ctx.conversations.messagePage(args) }),
  creator: (conversation) => (conversation.creatorId ? { id: conversation.creatorId } : null),
  context: (conversation) =>
    conversation.contextKind && conversation.contextId ? { kind: conversation.contextKind as 'LISTING', id: conversation.contextId } : null,
  unreadCount: (conversation, _args, ctx) => ctx.loaders.myUnreadCount.load(conversation.id.toLowerCase()),
  mutedByMe: (conversation, _args, ctx) => ctx.loaders.mutedByMe.load(conversation.id.toLowerCase()),
  readReceipts: async (conversation, _args, ctx) => {
    const me = ctx.identity?.userId.toLowerCase();
    return (await ctx.loaders.readReceiptsOf.load(conversation.id)).filter((r) => r.userId !== me);
  },
  messagePage: (conversation, args, ctx) => ctx.conversations.connection(viewerOf(requireUser(ctx)), conversation.id, args),
  search: (conversation, { query, first }, ctx) =>
    ctx.conversations.search(viewerOf(requireUser(ctx)), conversation.id, query, first ?? 20),
};

export const ReadReceipt: ReadReceiptResolvers = {
  user: (r) => ({ id: r.userId }),
  message: (r, _args, ctx) => (r.lastReadMessageId ? ctx.loaders.messageById.load(r.lastReadMessageId) : null),
  upTo: async (r, _args, ctx) => {
    const message = r.lastReadMessageId ? await ctx.loaders.messageById.load(r.lastReadMessageId) : null;
    return message ? encodeCursor(message) : null;
  },
  at: (r) => r.readMarkedAt,
};
