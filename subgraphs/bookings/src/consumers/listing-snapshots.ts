import { ListingSnapshotRepository } from '../repositories/listing-snapshot-repository';
import type { CleanupService } from '../services/cleanup-service';
import { requireUuids, type Handler } from './event-ids';

/**
 * Listings' events keep `listing_snapshots`, bookings' own copy of the listing facts that stays and
 * viewings need; a deletion cancels what was ahead there. One group, so a listing's upserts and its
 * deletion are applied in the order they happened.
 */
export const LISTING_SNAPSHOTS_CONSUMER = 'bookings.listing-snapshots';

/**
 * The snapshot; a deletion also cancels what was ahead at the listing (in the
 * same transaction, so the snapshot and the cancellations commit together with the inbox row).
 */
export function listingSnapshotHandlers(cleanup: CleanupService): {
  'listings.listing.upserted': Handler<'listings.listing.upserted'>;
  'listings.listing.deleted': Handler<'listings.listing.deleted'>;
} {
  return {
    'listings.listing.upserted': async (event, tx) => {
      requireUuids(event, event.payload.listingId, event.payload.ownerId);
      await new ListingSnapshotRepository(tx).applyUpserted(event);
    },
    'listings.listing.deleted': async (event, tx) => {
      requireUuids(event, event.payload.listingId, event.payload.ownerId);
      await new ListingSnapshotRepository(tx).applyDeleted(event);
      await cleanup.listingDeleted(tx, event.payload.listingId, event.payload.ownerId, new Date(event.occurredAt));
    },
  };
}
