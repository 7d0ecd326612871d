import { requireUser } from '@market/platform';
import type { QueryResolvers } from '../generated/graphql';

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
};
