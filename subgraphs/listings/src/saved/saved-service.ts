import { BadUserInputError, NotFoundError, requireUser, type AuthContext } from '@market/platform';
import { isUuid } from '@market/platform';
import type { ListingRecord } from '../domain';
import { canSee } from '../rules/access';
import type { ListingDetailCache } from '../repositories/listing-detail-cache';
import type { SavedRepository, SavedSearchAlert, SavedSearchRecord } from '../repositories/saved-repository';
import { parseSearchArgs } from '../search/search-input';
import { decodePosition, encodePosition } from '@market/platform';
import { MAX_PAGE_SIZE } from '../services/listing-service';
import { viewerOf } from '../viewer';

/** Saved searches one user may keep: each is matched against every changed listing. */
export const MAX_SAVED_SEARCHES = 50;

export interface SavedListingPage {
  edges: { cursor: string; savedAt: Date; node: ListingRecord }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

export type SaveSearchOutcome =
  ({ __typename: 'SavedSearch' } & SavedSearchRecord) | { __typename: 'SavedSearchLimitReached'; limit: number; message: string };

/** Favorites and saved searches of the signed-in user. */
export class SavedService {
  constructor(
    private readonly saved: SavedRepository,
    private readonly details: ListingDetailCache,
  ) {}

  async saveListing(ctx: AuthContext, listingId: string): Promise<ListingRecord> {
    const user = requireUser(ctx);
    const [listing] = isUuid(listingId) ? await this.details.findByIds([listingId.toLowerCase()]) : [];
    if (!listing || !canSee(viewerOf(ctx), listing)) throw new NotFoundError('Listing', listingId);
    await this.saved.saveListing(user.userId, listing.id, new Date());
    return listing;
  }

  async unsaveListing(ctx: AuthContext, listingId: string): Promise<true> {
    const user = requireUser(ctx);
    await this.saved.unsaveListing(user.userId, listingId.toLowerCase());
    return true;
  }

  /** Newest saved first; a saved listing the caller can no longer see (made a draft, archived) is left out. */
  async savedListings(ctx: AuthContext, args: { first?: number | null; after?: string | null }): Promise<SavedListingPage> {
    const user = requireUser(ctx);
    const first = args.first ?? 20;
    if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
      throw new BadUserInputError(`first must be between 0 and ${MAX_PAGE_SIZE}.`, { first: [`must be between 0 and ${MAX_PAGE_SIZE}`] });
    }
    const after = args.after ? decodePosition(args.after) : null;
    const rows = await this.saved.savedListings(user.userId, after ? { savedAt: after.createdAt, listingId: after.id } : null, first + 1);
    const page = rows.slice(0, first);
    const listings = new Map((await this.details.findByIds(page.map((r) => r.listingId))).map((l) => [l.id, l]));
    const viewer = viewerOf(ctx);
    const edges = page.flatMap((row) => {
      const node = listings.get(row.listingId);
      return node && canSee(viewer, node)
        ? [{ cursor: encodePosition({ createdAt: row.savedAt, id: row.listingId }), savedAt: row.savedAt, node }]
        : [];
    });
    const last = page.at(-1);
    // From the last row read, shown or not, so the next page starts after everything this one covered.
    return {
      edges,
      pageInfo: {
        hasNextPage: rows.length > first,
        hasPreviousPage: after !== null,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: last ? encodePosition({ createdAt: last.savedAt, id: last.listingId }) : null,
      },
    };
  }

  async saveSearch(
    ctx: AuthContext,
    args: { query?: string | null; filter?: Record<string, unknown> | null; alert?: SavedSearchAlert | null; name?: string | null },
  ): Promise<SaveSearchOutcome> {
    const user = requireUser(ctx);
    // Checked exactly as searchListings checks them, so a saved search is always one that runs.
    const parsed = parseSearchArgs({ text: args.query ?? null, filter: args.filter ?? null });
    const name = args.name?.trim() || null;
    if (name && name.length > 120) throw new BadUserInputError('name is too long.', { name: ['must be at most 120 characters'] });
    if (parsed.text && parsed.text.length > 500)
      throw new BadUserInputError('query is too long.', { query: ['must be at most 500 characters'] });
    if (!parsed.text && Object.keys(parsed.filter).length === 0) {
      throw new BadUserInputError('A saved search needs a query or a filter.', { query: ['give a query or a filter'] });
    }
    if ((await this.saved.countSearches(user.userId)) >= MAX_SAVED_SEARCHES) {
      return {
        __typename: 'SavedSearchLimitReached',
        limit: MAX_SAVED_SEARCHES,
        message: `You can keep at most ${MAX_SAVED_SEARCHES} saved searches; delete one first.`,
      };
    }
    const created = await this.saved.createSearch(
      user.userId,
      { name, query: parsed.text, filter: parsed.filter, alert: args.alert ?? 'INSTANT' },
      new Date(),
    );
    return { __typename: 'SavedSearch', ...created };
  }

  async savedSearches(ctx: AuthContext): Promise<SavedSearchRecord[]> {
    return this.saved.searchesOf(requireUser(ctx).userId);
  }

  async deleteSavedSearch(ctx: AuthContext, id: string): Promise<true> {
    const user = requireUser(ctx);
    if (!(await this.saved.deleteSearch(user.userId, id.toLowerCase()))) throw new NotFoundError('SavedSearch', id);
    return true;
  }
}
