import type { Db } from '../../db';
import type {
  ListingDocument,
  ListingSearch,
  ReindexProgress,
  ReindexReport,
  ReindexSource,
  RemoveOptions,
  SearchPage,
  SearchQuery,
  WriteOptions,
} from '../port';
import { buildRemoveSql, buildSearchSql, buildUpsertSql, encodeCursor, type SearchRow } from './query';

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
 * database, with a weighted tsvector (GIN) for full text and a trigram index (pg_trgm) on title and
 * city for typos. Event handlers write it in their own transaction, so the row and the inbox entry
 * commit together.
 */
export class PostgresListingSearch implements ListingSearch {
  readonly backend = 'postgres' as const;

  constructor(private readonly db: Db) {}

  async index(docs: readonly ListingDocument[], options: WriteOptions = {}): Promise<void> {
    if (docs.length === 0) return;
    await (options.tx ?? this.db).$executeRaw(buildUpsertSql(newestPerListing(docs)));
  }

  async remove(ids: readonly string[], options: RemoveOptions = {}): Promise<void> {
    if (ids.length === 0) return;
    await (options.tx ?? this.db).$executeRaw(buildRemoveSql(ids, options.asOf ?? new Date()));
  }

  async search(query: SearchQuery): Promise<SearchPage> {
    const rows = await this.db.$queryRaw<SearchRow[]>(buildSearchSql(query));
    const hits = rows.flatMap((row) =>
      row.id && row.score !== null && row.created_at
        ? [{ id: row.id, score: Number(row.score), cursor: encodeCursor({ score: row.score, createdAt: row.created_at, id: row.id }) }]
        : [],
    );
    return { hits: hits.slice(0, query.first), total: rows[0]?.total ?? 0, hasNextPage: hits.length > query.first };
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
