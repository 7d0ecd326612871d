import { PRIVATE_STATUSES, type ListingRecord } from '../domain';
import type { Viewer } from '../viewer';

export function canManage(viewer: Viewer, listing: Pick<ListingRecord, 'ownerId'>): boolean {
  return viewer.isAdmin || (viewer.userId !== null && viewer.userId === listing.ownerId);
}

export function canSee(viewer: Viewer, listing: Pick<ListingRecord, 'ownerId' | 'status'>): boolean {
  return !PRIVATE_STATUSES.includes(listing.status) || canManage(viewer, listing);
}
