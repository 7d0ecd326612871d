import type { Db, Tx } from '../db';
import type { NotificationRecord } from '../domain';
import { planDeliveries } from '../repositories/delivery-repository';
import { NotificationRepository } from '../repositories/notification-repository';
import type { LiveUpdates } from '../services/live-updates';
import type { NewNotification } from '../services/notification-service';

/** The notifications each running handler transaction stored, to announce once it has committed. */
export const storedIn = new WeakMap<Tx, NotificationRecord[]>();

/** Stores notifications in a handler's transaction; those really stored (not duplicates) are announced after the commit. */
export async function storeNotifications(tx: Tx, notifications: readonly NewNotification[]): Promise<void> {
  const stored = await new NotificationRepository(tx).createAll(notifications);
  storedIn.get(tx)?.push(...stored);
}

/**
 * A handler transaction that plans the deliveries of the notifications it stored and announces them
 * once committed (the catch-up query then sees them).
 */
export function announcingTransaction(db: Db, live: LiveUpdates, options: { timeoutMs?: number } = {}) {
  return async <R>(fn: (tx: Tx) => Promise<R>): Promise<R> => {
    const stored: NotificationRecord[] = [];
    const result = await db.$transaction(
      async (tx) => {
        storedIn.set(tx, stored);
        const out = await fn(tx);
        // E-mail, SMS and push for what was stored, planned in the same transaction (one per channel).
        await planDeliveries(tx, stored);
        return out;
      },
      options.timeoutMs ? { timeout: options.timeoutMs } : undefined,
    );
    for (const notification of stored) await live.notificationAdded(notification);
    return result;
  };
}
