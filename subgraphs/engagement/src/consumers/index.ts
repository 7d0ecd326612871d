import { consumeEvents, type Consumer } from '@market/platform';
import type { Db, Tx } from '../db';
import { accountDeletionHandlers } from './account-deletion';
import { listingDeletionHandlers } from './listing-deletion';

/**
 * Engagement consumes the deletions of the entities its rows refer to, since those live in other
 * databases and no foreign key can cascade across them. One group, `engagement.cleanup`, for both.
 */
export const CLEANUP_CONSUMER = 'engagement.cleanup';

export function engagementConsumers(db: Db): Consumer[] {
  return [
    (bus) =>
      consumeEvents<Tx>({
        bus,
        consumer: CLEANUP_CONSUMER,
        transaction: (fn) => db.$transaction(fn),
        handlers: { ...accountDeletionHandlers, ...listingDeletionHandlers },
      }),
  ];
}
