import { requireSelfOrAdmin, requireUser } from '@market/platform';
import type { UserResolvers } from '../generated/graphql';

export const User: UserResolvers = {
  __resolveReference: (ref) => ({ id: ref.id }),
  conversations: (user, _args, ctx) => {
    requireSelfOrAdmin(ctx, user.id);
    return ctx.loaders.conversationsOfUser.load(user.id.toLowerCase());
  },
  unreadMessages: (user, _args, ctx) => {
    ctx.notifications.assertRecipient(requireUser(ctx), user.id);
    return ctx.loaders.totalUnread.load(user.id.toLowerCase());
  },
  notifications: (user, args, ctx) => {
    ctx.notifications.assertRecipient(requireUser(ctx), user.id);
    return ctx.loaders.notificationPages.load({ parentId: user.id.toLowerCase(), args: ctx.notifications.page(args) });
  },
};
