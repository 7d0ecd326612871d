import { DataLoader, loaderByKey, loaderOfLists, type Identity } from '@market/platform';
import type { ConversationService, MessagePage } from './services/conversation-service';
import type { NotificationPage, NotificationService } from './services/notification-service';
import { viewerOf } from './services/viewer';
import type { DeliveryRepository } from './repositories/delivery-repository';
import type { WatchService } from './services/watch-service';
import type { AttachmentService } from './services/attachment-service';
import type { AttachmentRecord } from './domain';

/**
 * A loader for one page of children per parent, where the page is cut by arguments (how many,
 * from where): parents asked for with the same arguments share one query.
 */
function loaderOfPages<A, V>(
  fetch: (parentIds: readonly string[], args: A) => Promise<V[]>,
  parentOf: (row: V) => string,
): DataLoader<{ parentId: string; args: A }, V[], string> {
  const keyOf = (parentId: string, args: string) => `${args}\u0000${parentId}`;
  return new DataLoader(
    async (keys) => {
      const groups = new Map<string, { args: A; parentIds: string[] }>();
      for (const { parentId, args } of keys) {
        const group = JSON.stringify(args);
        const entry = groups.get(group);
        if (entry) entry.parentIds.push(parentId);
        else groups.set(group, { args, parentIds: [parentId] });
      }
      const lists = new Map<string, V[]>();
      await Promise.all(
        [...groups].map(async ([group, { args, parentIds }]) => {
          for (const row of await fetch(parentIds, args)) {
            const key = keyOf(parentOf(row), group);
            const list = lists.get(key);
            if (list) list.push(row);
            else lists.set(key, [row]);
          }
        }),
      );
      return keys.map((k) => lists.get(keyOf(k.parentId, JSON.stringify(k.args))) ?? []);
    },
    { cacheKeyFn: (k) => keyOf(k.parentId, JSON.stringify(k.args)) },
  );
}

/** Per-request loaders, bound to the caller: what a loader returns, the caller may see. */
export function createLoaders(
  services: {
    conversations: ConversationService;
    notifications: NotificationService;
    watches: WatchService;
    deliveries: DeliveryRepository;
    attachments: AttachmentService;
  },
  identity: Identity | null,
) {
  const { conversations, notifications, watches } = services;
  const viewer = viewerOf(identity);
  return {
    conversationById: loaderByKey(
      (ids) => conversations.visibleByIds(viewer, ids),
      (c) => c.id,
    ),
    messageById: loaderByKey(
      (ids) => conversations.visibleMessagesByIds(viewer, ids),
      (m) => m.id,
    ),
    notificationById: loaderByKey(
      (ids) => notifications.visibleByIds(viewer, ids),
      (n) => n.id,
    ),
    participantsOf: loaderOfLists(
      (ids) => conversations.participantsOf(ids),
      (p) => p.conversationId,
    ),
    conversationsOfUser: loaderOfLists(
      (ids) => conversations.conversationsOfUsers(ids),
      (c) => c.userId,
    ),
    messagePages: loaderOfPages(
      (ids, page: MessagePage) => conversations.latestMessages(viewer, ids, page),
      (m) => m.conversationId,
    ),
    /** Deliveries of notifications the caller was allowed to read. */
    deliveriesOf: loaderOfLists(
      (ids) => services.deliveries.ofNotifications(ids),
      (d) => d.notificationId ?? '',
    ),
    /** The files of messages the caller was allowed to read (by message id). */
    attachmentsOf: new DataLoader<string, AttachmentRecord[]>(async (ids) => {
      const byMessage = await services.attachments.byMessageIds(ids);
      return ids.map((id) => byMessage.get(id) ?? []);
    }),
    readReceiptsOf: loaderOfLists(
      (ids) => conversations.readReceipts(ids),
      (r) => r.conversationId,
    ),
    /** The caller's unread count per conversation id (lower case); null when the caller is not a member. */
    myUnreadCount: new DataLoader<string, number | null>(async (ids) => {
      if (!viewer) return ids.map(() => null);
      const counts = new Map(
        (await conversations.unreadCounts(ids.map((conversationId) => ({ conversationId, userId: viewer.userId })))).map((c) => [
          c.conversationId,
          c.count,
        ]),
      );
      return ids.map((id) => counts.get(id) ?? null);
    }),
    /** Whether the caller muted each conversation (by id, lower case). */
    mutedByMe: new DataLoader<string, boolean>(async (ids) => {
      if (!viewer) return ids.map(() => false);
      const muted = new Set(
        (await conversations.mutedAmong(ids.map((conversationId) => ({ conversationId, userId: viewer.userId })))).map(
          (p) => p.conversationId,
        ),
      );
      return ids.map((id) => muted.has(id));
    }),
    /** Unread messages over all conversations, per user id (lower case). */
    totalUnread: new DataLoader<string, number>(async (ids) => {
      const counts = new Map((await conversations.totalUnread(ids)).map((c) => [c.userId, c.count]));
      return ids.map((id) => counts.get(id) ?? 0);
    }),
    notificationPages: loaderOfPages(
      (ids, page: NotificationPage) => notifications.latestFor(ids, page),
      (n) => n.recipientId,
    ),
    /** Keyed by listing id in lower case. */
    listingWatchedByMe: new DataLoader<string, boolean>(async (ids) => {
      const watched = new Set(await watches.watchedAmong(viewer, ids));
      return ids.map((id) => watched.has(id));
    }),
    /** Keyed by listing id in lower case. */
    listingWatcherCount: new DataLoader<string, number>(async (ids) => {
      const counts = new Map((await watches.watcherCounts(ids)).map((c) => [c.listingId, c.count]));
      return ids.map((id) => counts.get(id) ?? 0);
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
