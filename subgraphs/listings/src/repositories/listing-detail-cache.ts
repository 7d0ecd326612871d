import { EntityCache, type Cache } from '@market/platform';
import type { ListingRecord } from '../domain';
import type { ListingRepository } from './listing-repository';

/**
 * How long a cached listing may be served. Every update and delete deletes the entry (right after
 * the commit, and again when its event arrives), so this only bounds staleness when an
 * invalidation is lost, for example while Redis is down.
 */
export const LISTING_DETAIL_TTL_SECONDS = 300;

/** A listing as cached: the record, whatever its status, with its instants as ISO strings. */
type CachedListing = Omit<ListingRecord, 'createdAt' | 'updatedAt'> & { createdAt: string; updatedAt: string };

function toCached(listing: ListingRecord): CachedListing {
  return { ...listing, createdAt: listing.createdAt.toISOString(), updatedAt: listing.updatedAt.toISOString() };
}

function fromCached(cached: CachedListing): ListingRecord {
  return { ...cached, createdAt: new Date(cached.createdAt), updatedAt: new Date(cached.updatedAt) };
}

/**
 * Listings by id, read through the cache (platform EntityCache). Drafts and archived listings are
 * cached like any other: who may see them is decided per request, after the cache
 * (ListingService.visibleTo). The version is in the key, so a deploy that changes CachedListing
 * never reads the old shape.
 */
export class ListingDetailCache extends EntityCache<ListingRecord, CachedListing> {
  constructor(listings: Pick<ListingRepository, 'findByIds'>, cache: Cache, ttlSeconds = LISTING_DETAIL_TTL_SECONDS) {
    super(listings, cache, { key: (listingId) => `listing:v3:${listingId}`, toCached, fromCached }, ttlSeconds);
  }
}
