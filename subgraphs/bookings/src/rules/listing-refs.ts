import type { ListingRef } from '../domain';

/**
 * The listing a stay or viewing points at, or null once bookings knows it was deleted: listings would
 * answer nothing for it, and a guest's or buyer's list must not fail because of it. A listing that is
 * only hidden from the caller is listings' decision; the field is nullable for that too.
 */
export function listingRefOf(record: { listingId: string; listingDeleted: boolean }): ListingRef | null {
  return record.listingDeleted ? null : { id: record.listingId };
}
