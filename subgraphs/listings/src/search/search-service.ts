import { BROWSABLE_STATUS, type ListingRecord } from '../domain';
import type { ListingRepository } from '../repositories/listing-repository';
import { orderFacets } from './facets';
import type { ListingSearch, SearchFacets, SearchQuery, Suggestion } from './port';
import { parseSearchArgs, parseSuggestArgs, type SearchArgs } from './search-input';

export interface SearchResultPage {
  edges: { cursor: string; score: number; node: ListingRecord }[];
  totalCount: number;
  totalCountExact: boolean;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  /** The checked query, for `facets`, which is only computed when asked for. */
  query: SearchQuery;
}

/** Money in facets as the API shows amounts: exact decimal strings. */
export interface ShownFacets extends Omit<SearchFacets, 'prices'> {
  prices: { kind: SearchFacets['prices'][number]['kind']; min: string; max: string | null; count: number }[];
}

/** Searching listings: the index finds and orders ids, the listings database says what they are. */
export class ListingSearchService {
  constructor(
    private readonly index: ListingSearch,
    private readonly listings: ListingRepository,
  ) {}

  async search(args: SearchArgs): Promise<SearchResultPage> {
    const query = parseSearchArgs(args);
    const page = await this.index.search(query);
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
      totalCountExact: page.totalIsExact,
      // From the last hit, shown or not, so the next page starts after everything this one covered.
      pageInfo: {
        hasNextPage: page.hasNextPage,
        hasPreviousPage: Boolean(query.after),
        startCursor: edges[0]?.cursor ?? null,
        endCursor: page.hits.at(-1)?.cursor ?? null,
      },
      query,
    };
  }

  async facets(query: SearchQuery): Promise<ShownFacets> {
    const facets = orderFacets(await this.index.facets(query));
    return {
      ...facets,
      prices: facets.prices.map((p) => ({ ...p, min: p.min.toFixed(2), max: p.max === null ? null : p.max.toFixed(2) })),
    };
  }

  async suggest(args: { prefix: string; first?: number | null }): Promise<Suggestion[]> {
    const { prefix, first } = parseSuggestArgs(args);
    return this.index.suggest(prefix, first);
  }
}
