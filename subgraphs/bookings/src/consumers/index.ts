import { consumeEvents, type Consumer } from '@market/platform';
import { TX_OPTIONS, type Db, type Tx } from '../db';
import type { CleanupService } from '../services/cleanup-service';
import { ACCOUNT_CLEANUP_CONSUMER, accountCleanupHandlers } from './account-deletion';
import { LISTING_SNAPSHOTS_CONSUMER, listingSnapshotHandlers } from './listing-snapshots';

/** Bookings' consumer groups; each event is applied once (inbox row in the same transaction as its effect). */
export function bookingsConsumers(db: Db, cleanup: CleanupService): Consumer[] {
  const transaction = <R>(fn: (tx: Tx) => Promise<R>) => db.$transaction(fn, TX_OPTIONS);
  return [
    (bus) => consumeEvents<Tx>({ bus, consumer: LISTING_SNAPSHOTS_CONSUMER, transaction, handlers: listingSnapshotHandlers(cleanup) }),
    (bus) => consumeEvents<Tx>({ bus, consumer: ACCOUNT_CLEANUP_CONSUMER, transaction, handlers: accountCleanupHandlers(cleanup) }),
  ];
}
