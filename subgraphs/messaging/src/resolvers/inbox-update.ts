import type { InboxUpdateResolvers } from '../generated/graphql';
import { encodeInboxCursor } from '../domain';

/** An InboxUpdate reaches a resolver only for its own user; the counts are read when it is resolved. */
export const InboxUpdate: InboxUpdateResolvers = {
  conversation: (u, _args, ctx) => ctx.loaders.conversationById.load(u.conversationId),
  message: (u, _args, ctx) => u.message ?? (u.messageId ? ctx.loaders.messageById.load(u.messageId) : null),
  actor: (u) => ({ id: u.actorId }),
  unreadCount: async (u, _args, ctx) => u.unreadCount ?? (await ctx.loaders.myUnreadCount.load(u.conversationId)) ?? 0,
  totalUnread: (u, _args, ctx) => u.totalUnread ?? ctx.loaders.totalUnread.load(u.userId),
  at: (u) => u.createdAt,
  cursor: (u) => encodeInboxCursor(u.seq),
};
