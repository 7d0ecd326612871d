import { NotFoundError, requireRole, requireUser } from '@market/platform';
import type { QueryResolvers } from '../generated/graphql';
import { isUuid } from '../domain';

export const Query: QueryResolvers = {
  conversation: (_parent, { id }, ctx) => {
    requireUser(ctx);
    return ctx.loaders.conversationById.load(id);
  },
  myNotifications: (_parent, args, ctx) => {
    const me = requireUser(ctx);
    return ctx.loaders.notificationPages.load({ parentId: me.userId.toLowerCase(), args: ctx.notifications.page(args) });
  },
  myWatchedListings: (_parent, { first }, ctx) => ctx.watches.watchedListings(requireUser(ctx), first),
  unreadNotificationCount: (_parent, _args, ctx) => ctx.notifications.unreadCount(requireUser(ctx)),
  inboxUpdates: (_parent, { after, first }, ctx) => ctx.inbox.page(requireUser(ctx), after, first),
  myBlockedUsers: async (_parent, _args, ctx) => (await ctx.inbox.blockedBy(requireUser(ctx))).map((id) => ({ id })),
  myNotificationSettings: async (_parent, _args, ctx) => {
    const me = requireUser(ctx);
    return { ...(await ctx.channels.settings(me)), preferences: await ctx.channels.preferences(me) };
  },
  devNotificationOutbox: async (_parent, { first }, ctx) => {
    const me = requireUser(ctx);
    if (!ctx.devOutboxEnabled) throw new NotFoundError('DevNotificationOutbox');
    return (await ctx.channels.devOutbox(me, first ?? 50)).map((e) => ({ ...e, channel: e.channel as 'EMAIL' }));
  },
  broadcast: (_parent, { id }, ctx) => {
    requireRole(ctx, 'ADMIN');
    return isUuid(id) ? ctx.broadcasts.findById(id.toLowerCase()) : null;
  },
};
