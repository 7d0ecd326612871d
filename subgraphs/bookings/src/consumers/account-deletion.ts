import type { CleanupService } from '../services/cleanup-service';
import { requireUuids, type Handler } from './event-ids';

/**
 * accounts.user.deleted cancels the user's stays and viewings ahead and strips what they wrote from
 * the records kept (CleanupService).
 */
export const ACCOUNT_CLEANUP_CONSUMER = 'bookings.account-cleanup';

export function accountCleanupHandlers(cleanup: CleanupService): {
  'accounts.user.deleted': Handler<'accounts.user.deleted'>;
} {
  return {
    'accounts.user.deleted': async (event, tx) => {
      requireUuids(event, event.payload.userId);
      await cleanup.userDeleted(tx, event.payload.userId, new Date(event.occurredAt));
    },
  };
}
