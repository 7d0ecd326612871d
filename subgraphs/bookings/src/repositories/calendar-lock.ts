import type { Tx } from '../db';

/** Named in the calendar migration: a listing's holds (live stays and host blocks) never overlap. */
export const HOLD_OVERLAP_CONSTRAINT = 'calendar_holds_no_overlap';

/**
 * Serializes the transactions that write one listing's calendar (bookings, blocks). The exclusion
 * constraints decide what fits; this lock only makes the loser of a race see the winner's committed
 * hold and fail at once, instead of both checking each other's uncommitted rows and deadlocking.
 * NO KEY UPDATE does not conflict with the KEY SHARE locks that foreign keys to the row take.
 * Says whether the listing has been deleted (or its owner's account) by the time the lock is held:
 * a deletion marks the row first, so a booking that waited on it learns of it here. Also gives the
 * listing's title as it stands while the lock is held (a booking keeps it).
 */
export async function lockListingCalendar(tx: Tx, listingId: string): Promise<{ deleted: boolean; title: string }> {
  const [row] = await tx.$queryRaw<{ deleted: boolean; title: string }[]>`
    SELECT deleted_at IS NOT NULL AS deleted, title FROM listing_snapshots WHERE listing_id = ${listingId}::uuid FOR NO KEY UPDATE`;
  return { deleted: row?.deleted ?? true, title: row?.title ?? '' };
}
