import type { Db } from '../../db';
import {
  TOTAL_COUNT_CAP,
  type FacetCount,
  type ListingDocument,
  type ListingSearch,
  type PriceBucketCount,
  type ReindexProgress,
  type ReindexReport,
  type ReindexSource,
  type RemoveOptions,
  type SearchFacets,
  type SearchPage,
  type SearchQuery,
  type Suggestion,
  type WriteOptions,
} from '../port';
import { bucketRange } from '../facets';
import {
  buildFacetsSql,
  buildRemoveSql,
  buildSearchSql,
  buildTsquerySql,
  buildSuggestSql,
  buildTermsSql,
  buildUpsertSql,
  effectiveSort,
  encodeCursor,
  needsTsquery,
  searchText,
  termsOf,
  type FacetRow,
  type SearchRow,
  type SuggestionRow,
} from './query';

/** The newest copy of each listing in a batch: one statement cannot upsert the same row twice. */
function newestPerListing(docs: readonly ListingDocument[]): ListingDocument[] {
  const newest = new Map<string, ListingDocument>();
  for (const doc of docs) {
    const seen = newest.get(doc.id);
    if (!seen || seen.updatedAt <= doc.updatedAt) newest.set(doc.id, doc);
  }
  return [...newest.values()];
}

/**
 * Search without Elasticsearch (embedded mode): the `listing_search` table in the listings
 * database, with a weighted tsvector (GIN) for full text, a vocabulary of indexed words
 * (`listing_search_terms`) that query words are expanded from within their allowed edits, b-tree
 * indexes for filters and sorts. Event handlers write it in their own transaction, so the row and
 * the inbox entry commit together.
 */
export class PostgresListingSearch implements ListingSearch {
  readonly backend = 'postgres' as const;

  constructor(private readonly db: Db) {}

  async index(docs: readonly ListingDocument[], options: WriteOptions = {}): Promise<void> {
    if (docs.length === 0) return;
    const db = options.tx ?? this.db;
    const newest = newestPerListing(docs);
    await db.$executeRaw(buildTermsSql(termsOf(newest)));
    await db.$executeRaw(buildUpsertSql(newest));
  }

  async remove(ids: readonly string[], options: RemoveOptions = {}): Promise<void> {
    if (ids.length === 0) return;
    await (options.tx ?? this.db).$executeRaw(buildRemoveSql(ids, options.asOf ?? new Date()));
  }

  async search(query: SearchQuery): Promise<SearchPage> {
    const text = searchText(query);
    const tsquery = text && needsTsquery(query) ? (await this.db.$queryRaw<{ tsq: string }[]>(buildTsquerySql(text)))[0]!.tsq : null;
    const rows = await this.db.$queryRaw<SearchRow[]>(buildSearchSql(query, tsquery));
    const sort = effectiveSort(query);
    const hits = rows.flatMap((row) =>
      row.id && row.score !== null && row.keys ? [{ id: row.id, score: Number(row.score), cursor: encodeCursor(sort, row.keys) }] : [],
    );
    const total = rows[0]?.total ?? 0;
    return {
      hits: hits.slice(0, query.first),
      total: Math.min(total, TOTAL_COUNT_CAP),
      totalIsExact: total <= TOTAL_COUNT_CAP,
      hasNextPage: hits.length > query.first,
    };
  }

  async facets(query: SearchQuery): Promise<SearchFacets> {
    const rows = await this.db.$queryRaw<FacetRow[]>(buildFacetsSql(query));
    const of = (facet: FacetRow['facet']): FacetCount[] =>
      rows.filter((r) => r.facet === facet).map((r) => ({ value: r.value, count: r.count }));
    const prices: PriceBucketCount[] = of('price').map(({ value, count }) => {
      const [kind, min] = value.split(':') as [PriceBucketCount['kind'], string];
      return { ...bucketRange(kind, Number(min)), count };
    });
    return { propertyTypes: of('propertyType'), kinds: of('kind'), bedrooms: of('bedrooms'), amenities: of('amenities'), prices };
  }

  async suggest(prefix: string, perKind: number): Promise<Suggestion[]> {
    const rows = await this.db.$queryRaw<SuggestionRow[]>(buildSuggestSql(prefix, perKind));
    return rows.map((row) => ({ kind: row.kind, text: row.text, listingCount: row.count }));
  }

  /**
   * Rewrites every row from the source in batches, then drops rows whose listing is no longer
   * searchable. The table is never emptied, so searches keep answering from it throughout.
   */
  async reindex(
    source: ReindexSource,
    options: { batchSize?: number; onProgress?: (progress: ReindexProgress) => void } = {},
  ): Promise<ReindexReport> {
    const started = Date.now();
    const batchSize = options.batchSize ?? 500;
    const total = await source.count();
    let indexed = 0;
    options.onProgress?.({ done: 0, total });
    // The next batch is read while this one is written.
    const batches = source.documents(batchSize)[Symbol.asyncIterator]();
    let next = batches.next();
    for (let current = await next; !current.done; current = await next) {
      next = batches.next();
      await this.index(current.value);
      indexed += current.value.length;
      options.onProgress?.({ done: indexed, total: Math.max(total, indexed) });
    }
    // Listings may have left or joined while loading: the count was only an estimate.
    options.onProgress?.({ done: indexed, total: indexed });
    let removed = 0;
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows = await this.db.$queryRaw<{ id: string }[]>`
        SELECT listing_id AS id FROM listing_search WHERE listing_id > ${after}::uuid ORDER BY listing_id LIMIT 1000`;
      if (rows.length === 0) break;
      const stale = await source.unsearchable(rows.map((r) => r.id));
      for (const { id, asOf } of stale) await this.remove([id], { asOf });
      removed += stale.length;
      after = rows[rows.length - 1]!.id;
    }
    return { indexed, removed, target: 'listing_search', ms: Date.now() - started };
  }

  async close(): Promise<void> {
    // The Prisma client belongs to the subgraph, which disconnects it.
  }
}
