import type { Tx } from '../db';

/** Named in the calendar migration: a listing's holds (live stays and host blocks) never overlap. */
export const HOLD_OVERLAP_CONSTRAINT = 'calendar_holds_no_overlap';

/**
 * Serializes the transactions that write one listing's calendar (bookings, blocks). The exclusion
 * constraints decide what fits; this lock only makes the loser of a race see the winner's committed
 * hold and fail at once, instead of both checking each other's uncommitted rows and deadlocking.
 * NO KEY UPDATE does not conflict with the KEY SHARE locks that foreign keys to the row take.
 */
export async function lockListingCalendar(tx: Tx, listingId: string): Promise<void> {
  await tx.$queryRaw`SELECT 1 FROM listing_snapshots WHERE listing_id = ${listingId}::uuid FOR NO KEY UPDATE`;
}
