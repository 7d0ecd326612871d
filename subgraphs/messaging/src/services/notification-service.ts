import { z } from 'zod';
import { ForbiddenError, NotFoundError, type EventPayload, type Identity, parseInput } from '@market/platform';
import { MAX_PAGE, isUuid, type NotificationKind, type NotificationRecord, type StreamPosition, type Viewer } from '../domain';
import type { NotificationRepository } from '../repositories/notification-repository';
import { cursorSchema, idSchema, pageSizeSchema } from './validation';

const listSchema = z.object({
  unreadOnly: z.boolean(),
  first: pageSizeSchema('first', MAX_PAGE),
  after: cursorSchema('after').nullable(),
});

/** Newest first; or, `after` a cursor, what came after it, oldest first. */
export interface NotificationPage {
  unreadOnly: boolean;
  first: number;
  after: StreamPosition | null;
}

export interface NewNotification {
  recipientId: string;
  kind: NotificationKind;
  title: string;
  body: string;
  dedupeKey?: string;
}

/** The welcome every new user gets, once (its dedupe key names the user). */
export function welcomeNotification(user: EventPayload<'accounts.user.registered'>): NewNotification {
  return {
    recipientId: user.userId,
    kind: 'WELCOME',
    title: `Welcome, ${user.name}!`.slice(0, 200),
    body: 'Your account is ready. Find a place to buy, rent or stay, and write to sellers and hosts from here.',
    dedupeKey: `welcome:${user.userId}`,
  };
}

/** A notification is private to its recipient: nobody else reads it or marks it, admins included. */
export class NotificationService {
  constructor(private readonly notifications: NotificationRepository) {}

  async visibleByIds(viewer: Viewer | null, ids: readonly string[]): Promise<NotificationRecord[]> {
    if (!viewer) return [];
    return this.notifications.findByIds(ids.filter(isUuid), viewer.userId);
  }

  /** Throws FORBIDDEN unless the caller is the user whose notifications are asked for. */
  assertRecipient(identity: Identity, userId: string): void {
    if (identity.userId.toLowerCase() !== userId.toLowerCase()) {
      throw new ForbiddenError('Notifications are readable by their recipient only.');
    }
  }

  page(args: { unreadOnly?: boolean | null; first?: number | null; after?: string | null }): NotificationPage {
    return parseInput(listSchema, { unreadOnly: args.unreadOnly ?? false, first: args.first ?? 50, after: args.after ?? null });
  }

  /** Whether a live notification is for this subscriber: its recipient only, admins included. */
  isRecipient(identity: Identity | null, notification: NotificationRecord): boolean {
    return identity !== null && notification.recipientId.toLowerCase() === identity.userId.toLowerCase();
  }

  /** Callers have already checked each recipient is the caller. */
  latestFor(recipientIds: readonly string[], page: NotificationPage): Promise<NotificationRecord[]> {
    return this.notifications.latestFor(recipientIds.filter(isUuid), page);
  }

  async markAllRead(identity: Identity): Promise<number> {
    return this.notifications.markAllRead(identity.userId.toLowerCase());
  }

  async unreadCount(identity: Identity): Promise<number> {
    return this.notifications.unreadCount(identity.userId.toLowerCase());
  }

  async markRead(identity: Identity, id: string): Promise<NotificationRecord> {
    const notificationId = parseInput(idSchema('id'), id);
    const found = await this.notifications.findById(notificationId);
    if (!found) throw new NotFoundError('Notification', notificationId);
    if (found.recipientId !== identity.userId.toLowerCase()) {
      throw new ForbiddenError('Only the recipient can mark a notification read.');
    }
    if (found.readAt) return found;
    const updated = await this.notifications.markRead(notificationId);
    if (!updated) throw new NotFoundError('Notification', notificationId);
    return updated;
  }
}
