import type { Cache } from '@market/platform';
import { isUuid, type ListingRecord } from '../domain';
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

/** The version is in the key, so a deploy that changes CachedListing never reads the old shape. */
const keyOf = (listingId: string) => `listing:v3:${listingId}`;

/**
 * Listings by id, read through the cache (Redis, shared by every replica; in-process without it):
 * one multi-get, then one query for the ids that missed. Drafts and archived listings are cached
 * like any other: who may see them is decided per request, after the cache (ListingService.visibleTo).
 * Listings that do not exist are not cached.
 */
export class ListingDetailCache {
  constructor(
    private readonly listings: Pick<ListingRepository, 'findByIds'>,
    private readonly cache: Cache,
    private readonly ttlSeconds = LISTING_DETAIL_TTL_SECONDS,
  ) {}

  async findByIds(ids: readonly string[]): Promise<ListingRecord[]> {
    const wanted = [...new Set(ids.filter(isUuid))];
    if (wanted.length === 0) return [];
    const idOfKey = new Map(wanted.map((id) => [keyOf(id), id]));
    const cached = await this.cache.getOrLoadMany<CachedListing>([...idOfKey.keys()], this.ttlSeconds, async (missing) => {
      const rows = await this.listings.findByIds(missing.map((key) => idOfKey.get(key) as string));
      return new Map(rows.map((listing) => [keyOf(listing.id), toCached(listing)]));
    });
    return cached.filter((listing): listing is CachedListing => listing !== undefined).map(fromCached);
  }

  /** After a change committed: the next read of these listings goes to the database. */
  async invalidate(...listingIds: string[]): Promise<void> {
    await this.cache.delete(...listingIds.map(keyOf));
  }
}
