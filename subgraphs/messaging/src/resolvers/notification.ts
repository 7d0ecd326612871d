import type { NotificationResolvers } from '../generated/graphql';
import { encodeCursor } from '../domain';

/** A Notification reaches a resolver only when the caller is its recipient. */
export const Notification: NotificationResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.notificationById.load(ref.id),
  cursor: (notification) => encodeCursor(notification),
  count: (notification) => notification.count ?? 1,
  deliveries: (notification, _args, ctx) => ctx.loaders.deliveriesOf.load(notification.id),
  conversation: (notification, _args, ctx) =>
    notification.conversationId ? ctx.loaders.conversationById.load(notification.conversationId) : null,
};
