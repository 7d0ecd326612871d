import { BROWSABLE_STATUS, type ListingRecord } from '../domain';
import type { ListingRepository } from '../repositories/listing-repository';
import type { ListingSearch } from './port';
import { parseSearchArgs, type SearchArgs } from './search-input';

export interface ListingSearchResult {
  edges: { cursor: string; score: number; node: ListingRecord }[];
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Searching listings: the index finds and orders ids, the listings database says what they are. */
export class ListingSearchService {
  constructor(
    private readonly index: ListingSearch,
    private readonly listings: ListingRepository,
  ) {}

  async search(args: SearchArgs): Promise<ListingSearchResult> {
    const page = await this.index.search(parseSearchArgs(args));
    // One query for the page. A hit whose listing changed since it was indexed (no longer ACTIVE,
    // or gone) is left out until the index catches up.
    const listings = page.hits.length > 0 ? await this.listings.findByIds(page.hits.map((hit) => hit.id)) : [];
    const byId = new Map(listings.map((listing) => [listing.id, listing]));
    const edges = page.hits.flatMap((hit) => {
      const node = byId.get(hit.id);
      return node && node.status === BROWSABLE_STATUS ? [{ cursor: hit.cursor, score: hit.score, node }] : [];
    });
    return {
      edges,
      totalCount: page.total,
      // From the last hit, shown or not, so the next page starts after everything this one covered.
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.hits.at(-1)?.cursor ?? null },
    };
  }
}
