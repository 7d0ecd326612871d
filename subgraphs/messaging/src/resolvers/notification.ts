import type { NotificationResolvers } from '../generated/graphql';

/** A Notification reaches a resolver only when the caller is its recipient. */
export const Notification: NotificationResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.notificationById.load(ref.id),
};
