import { z } from 'zod';
import { BadUserInputError, NotFoundError, parseInput, type Identity } from '@market/platform';
import { MAX_WATCHED_LISTINGS, canSeeListing, isUuid, type ListingRef, type Viewer, type WatchRecord } from '../domain';
import type { ListingWatchRepository } from '../repositories/listing-watch-repository';
import type { WriteLimits } from './rate-limits';
import { idSchema, pageSizeSchema } from './validation';
import { viewerOf } from './viewer';

const listingIdSchema = idSchema('listingId');
const firstSchema = pageSizeSchema('first', MAX_WATCHED_LISTINGS);

export type WatchListingOutcome = { kind: 'watching'; watch: WatchRecord } | { kind: 'limitReached'; limit: number };

/**
 * The rules of watching listings. Messaging cannot read listings' database: what it knows of a
 * listing (that it exists, its owner and status) comes from listings' events, so a listing it has
 * not heard of is not watchable (NOT_FOUND), like one deleted or hidden from the caller.
 */
export class WatchService {
  constructor(
    private readonly watches: ListingWatchRepository,
    private readonly limits: WriteLimits,
    private readonly limit: number = MAX_WATCHED_LISTINGS,
  ) {}

  async watch(identity: Identity, listingId: string): Promise<WatchListingOutcome> {
    const id = parseInput(listingIdSchema, listingId);
    const viewer = viewerOf(identity);
    await this.limits.count('watchListing', viewer.userId);
    const listing = await this.watches.findKnown(id);
    // Hidden listings answer like missing ones, so their existence does not leak (as in listings).
    if (!listing || !canSeeListing(viewer, listing)) throw new NotFoundError('Listing', id);
    if (listing.ownerId === viewer.userId) {
      const problem = 'you cannot watch your own listing';
      throw new BadUserInputError(problem, { listingId: [problem] });
    }
    const outcome = await this.watches.watch(viewer.userId, id, this.limit);
    if (outcome.kind === 'notFound') throw new NotFoundError('Listing', id);
    return outcome;
  }

  /** Idempotent: true once the caller does not watch the listing. */
  async unwatch(identity: Identity, listingId: string): Promise<boolean> {
    const id = parseInput(listingIdSchema, listingId);
    await this.watches.unwatch(identity.userId.toLowerCase(), id);
    return true;
  }

  async watchedListings(identity: Identity, first: number | null | undefined): Promise<ListingRef[]> {
    const size = parseInput(z.object({ first: firstSchema }), { first: first ?? 100 }).first;
    const watches = await this.watches.watchedBy(viewerOf(identity), size);
    return watches.map((w) => ({ id: w.listingId }));
  }

  /** Which of these listings the viewer watches (none for a signed-out caller). */
  async watchedAmong(viewer: Viewer | null, listingIds: readonly string[]): Promise<string[]> {
    if (!viewer) return [];
    return this.watches.watchedAmong(viewer.userId, listingIds.filter(isUuid));
  }

  watcherCounts(listingIds: readonly string[]): Promise<{ listingId: string; count: number }[]> {
    return this.watches.watcherCounts(listingIds.filter(isUuid));
  }
}
