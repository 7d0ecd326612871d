import { DELETED_STATUS, type ListingRecord, type ListingView } from '../domain';

/** The last state of a deleted listing, as its final live event shows it. */
export function deletedView(last: ListingRecord, deletedAt: Date): ListingView {
  return { ...last, status: DELETED_STATUS, version: last.version + 1, updatedAt: deletedAt };
}
