import { setTimeout as delay } from 'node:timers/promises';
import { Client, errors, type estypes } from '@elastic/elasticsearch';
import type { Logger } from '@market/platform';
import {
  TOTAL_COUNT_CAP,
  type ListingDocument,
  type ListingSearch,
  type ReindexProgress,
  type ReindexReport,
  type ReindexSource,
  type RemoveOptions,
  type SearchFacets,
  type SearchPage,
  type SearchQuery,
  type Suggestion,
} from '../port';
import { LISTING_MAPPINGS, LISTING_SETTINGS, toSource, versionOf } from './mapping';
import { buildFacetsRequest, buildSearchRequest, buildSuggestRequest, toFacets, toHits, toSuggestions } from './query';

export interface ElasticsearchSearchOptions {
  /** Prepended to every index and alias name (several environments or test runs on one cluster). */
  prefix: string;
  logger: Logger;
  /** Refresh after each write so it is searchable at once (tests); production relies on the 1 s refresh. */
  refreshOnWrite?: boolean;
  /** How long a replaced index lives after the alias switch, for searches already running on it. */
  dropDelayMs?: number;
}

/** The client major must match the server's (it sends compatible-with=8); `ping`/`info` need GET /, which the integ-test build lacks. */
export function createElasticsearchClient(url: string): Client {
  return new Client({ node: url, requestTimeout: 30_000, maxRetries: 3 });
}

function isVersionConflict(status: number | undefined): boolean {
  return status === 409;
}

/**
 * Listings in Elasticsearch. Searches go through the alias `<prefix>listings`; documents live in
 * `<prefix>listings_v<timestamp>` indices. A rebuild fills a new index (marked with the alias
 * `<prefix>listings_next`, which writes also go to meanwhile), then moves the alias atomically
 * and drops the old index. Writes carry the listing's updatedAt as an external version, and
 * removals leave versioned tombstones, so a rebuild's older copy of a listing cannot overwrite or
 * bring back what an event wrote meanwhile.
 */
export class ElasticsearchListingSearch implements ListingSearch {
  readonly backend = 'elasticsearch' as const;
  readonly alias: string;
  private readonly building: string;
  private readonly pattern: string;
  private ready: Promise<void> | null = null;

  constructor(
    private readonly client: Client,
    private readonly options: ElasticsearchSearchOptions,
  ) {
    this.alias = `${options.prefix}listings`;
    this.building = `${options.prefix}listings_next`;
    this.pattern = `${options.prefix}listings_v*`;
  }

  async index(docs: readonly ListingDocument[]): Promise<void> {
    if (docs.length === 0) return;
    const targets = await this.writeTargets();
    const operations = targets.flatMap((index) =>
      docs.flatMap((doc) => [
        { index: { _index: index, _id: doc.id, version: versionOf(doc), version_type: 'external_gte' as const } },
        toSource(doc),
      ]),
    );
    await this.bulk(operations);
  }

  async remove(ids: readonly string[], options: RemoveOptions = {}): Promise<void> {
    if (ids.length === 0) return;
    const version = (options.asOf ?? new Date()).getTime();
    const targets = await this.writeTargets();
    // A versioned delete leaves a tombstone, so a rebuild's older copy cannot bring the listing back.
    const operations = targets.flatMap((index) =>
      ids.map((id) => ({ delete: { _index: index, _id: id, version, version_type: 'external_gte' as const } })),
    );
    await this.bulk(operations);
  }

  async search(query: SearchQuery): Promise<SearchPage> {
    const response = await this.query(buildSearchRequest(query, this.alias));
    const hits = toHits(response.hits.hits, query);
    const total = response.hits.total;
    const counted = typeof total === 'number' ? total : (total?.value ?? 0);
    return {
      hits: hits.slice(0, query.first),
      total: Math.min(counted, TOTAL_COUNT_CAP),
      totalIsExact: counted <= TOTAL_COUNT_CAP,
      hasNextPage: hits.length > query.first,
    };
  }

  async facets(query: SearchQuery): Promise<SearchFacets> {
    const response = await this.query(buildFacetsRequest(query, this.alias));
    return toFacets((response.aggregations ?? {}) as Record<string, unknown>);
  }

  async suggest(prefix: string, perKind: number): Promise<Suggestion[]> {
    const response = await this.query(buildSuggestRequest(prefix, perKind, this.alias));
    return toSuggestions((response.aggregations ?? {}) as Record<string, unknown>);
  }

  private async query(request: estypes.SearchRequest): Promise<estypes.SearchResponse> {
    await this.ensureIndex();
    const response = await this.client.search(request);
    if (response._shards.failed > 0) throw new Error(`elasticsearch: ${response._shards.failed} shard(s) failed to search ${this.alias}`);
    return response;
  }

  async reindex(
    source: ReindexSource,
    options: { batchSize?: number; onProgress?: (progress: ReindexProgress) => void } = {},
  ): Promise<ReindexReport> {
    const started = Date.now();
    await this.ensureIndex();
    const target = `${this.options.prefix}listings_v${started}`;
    await this.client.indices.create({
      index: target,
      // No refresh while loading: one refresh at the end is much cheaper.
      settings: { ...LISTING_SETTINGS, refresh_interval: '-1' },
      mappings: LISTING_MAPPINGS,
      aliases: { [this.building]: {} },
    });
    let switched = false;
    try {
      const total = await source.count();
      const indexed = await this.load(target, source, total, options);
      await this.client.indices.putSettings({ index: target, settings: { refresh_interval: '1s' } });
      await this.client.indices.refresh({ index: target });

      const previous = await this.indicesWithAlias(this.alias);
      await this.client.indices.updateAliases({
        actions: [
          ...previous.map((index) => ({ remove: { index, alias: this.alias } })),
          { add: { index: target, alias: this.alias } },
          { remove: { index: target, alias: this.building } },
        ],
      });
      switched = true;
      this.options.logger.info({ target, previous, indexed }, 'search alias switched');

      const removed = await this.dropUnsearchable(target, source);
      await delay(this.options.dropDelayMs ?? 2_000);
      // The replaced index, and any left behind by an interrupted rebuild (one rebuild at a time).
      const leftovers = (await this.allIndices()).filter((index) => index !== target);
      if (leftovers.length > 0) await this.client.indices.delete({ index: leftovers, ignore_unavailable: true });
      return { indexed, removed, target, ms: Date.now() - started };
    } catch (err) {
      if (!switched) await this.client.indices.delete({ index: target, ignore_unavailable: true }).catch(() => undefined);
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** Streams the source into `target` through the bulk helper (several requests in flight, 429s retried). */
  private async load(
    target: string,
    source: ReindexSource,
    total: number,
    options: { batchSize?: number; onProgress?: (progress: ReindexProgress) => void },
  ): Promise<number> {
    let done = 0;
    const failures: string[] = [];
    options.onProgress?.({ done, total });
    const progress = () => options.onProgress?.({ done: ++done, total: Math.max(total, done) });
    async function* documents() {
      for await (const batch of source.documents(options.batchSize ?? 500)) yield* batch;
    }
    const stats = await this.client.helpers.bulk<ListingDocument>({
      datasource: documents(),
      // Strictly newer only: a document already in the new index came from an event, which read the
      // listing no earlier than this rebuild did, so on a tie the event's copy stays.
      onDocument: (doc) => [{ index: { _index: target, _id: doc.id, version: versionOf(doc), version_type: 'external' } }, toSource(doc)],
      flushBytes: 1_000_000,
      concurrency: 3,
      onSuccess: progress,
      onDrop: (dropped) => {
        progress();
        // 409: an event already wrote this listing (or its removal) into the new index.
        if (!isVersionConflict(dropped.status)) failures.push(`${dropped.document.id}: ${dropped.error?.reason ?? dropped.status}`);
      },
    });
    if (failures.length > 0)
      throw new Error(`elasticsearch: ${failures.length} document(s) failed to index into ${target}: ${failures.slice(0, 3).join('; ')}`);
    // Listings may have left or joined while loading: the count was only an estimate.
    options.onProgress?.({ done, total: done });
    return stats.successful;
  }

  /** Removes what stopped being searchable while the rebuild was loading (and an event may have missed). */
  private async dropUnsearchable(index: string, source: ReindexSource): Promise<number> {
    let removed = 0;
    let after: estypes.SortResults | undefined;
    for (;;) {
      const page = await this.client.search({
        index,
        size: 1_000,
        sort: [{ id: { order: 'asc' } }],
        _source: false,
        ...(after ? { search_after: after } : {}),
      });
      const hits = page.hits.hits;
      if (hits.length === 0) return removed;
      const stale = await source.unsearchable(hits.map((hit) => hit._id as string));
      for (const { id, asOf } of stale) await this.remove([id], { asOf });
      removed += stale.length;
      after = hits[hits.length - 1]!.sort;
    }
  }

  private async bulk(operations: estypes.BulkRequest['operations']): Promise<void> {
    if (!operations || operations.length === 0) return;
    const response = await this.client.bulk({ operations, refresh: this.options.refreshOnWrite ?? false });
    if (!response.errors) return;
    const failed = response.items
      .map((item) => Object.values(item)[0])
      .filter((result) => result?.error && !isVersionConflict(result.status));
    if (failed.length > 0) {
      const first = failed[0]!;
      throw new Error(
        `elasticsearch: ${failed.length} bulk operation(s) failed, e.g. ${first._index}/${first._id}: ${first.error?.type}: ${first.error?.reason}`,
      );
    }
  }

  /** Where writes go: the index behind the alias and, during a rebuild, the index being built. */
  private async writeTargets(): Promise<string[]> {
    for (let attempt = 1; ; attempt++) {
      await this.ensureIndex();
      const indices = await this.client.indices.getAlias({ index: this.pattern });
      const targets = Object.entries(indices)
        .filter(([, { aliases }]) => aliases && (this.alias in aliases || this.building in aliases))
        .map(([index]) => index);
      if (targets.length > 0) return targets;
      if (attempt > 1) throw new Error(`elasticsearch: no index behind the alias ${this.alias}`);
      // The alias went away since it was checked (indices deleted by hand): set it up again.
      this.ready = null;
    }
  }

  private async indicesWithAlias(alias: string): Promise<string[]> {
    const indices = await this.client.indices.getAlias({ index: this.pattern });
    return Object.entries(indices)
      .filter(([, { aliases }]) => aliases && alias in aliases)
      .map(([index]) => index);
  }

  private async allIndices(): Promise<string[]> {
    return Object.keys(await this.client.indices.getAlias({ index: this.pattern }));
  }

  /**
   * An index made before a field was added to the mapping refuses documents that carry it (strict
   * mapping) and cannot filter on it: say so loudly, since only `npm run reindex` (a new index with
   * the current mapping) cures it.
   */
  private async warnIfOutdated(): Promise<void> {
    const mappings = await this.client.indices.getMapping({ index: this.alias });
    for (const [index, { mappings: current }] of Object.entries(mappings)) {
      const missing = Object.keys(LISTING_MAPPINGS.properties ?? {}).filter((field) => !(field in (current.properties ?? {})));
      if (missing.length > 0) {
        this.options.logger.error(
          { index, alias: this.alias, missing },
          'the search index predates the current mapping; run `npm run reindex`',
        );
      }
    }
  }

  /** The first use on an empty cluster creates an empty `<prefix>listings_v0` behind the alias (`npm run reindex` fills it). */
  private ensureIndex(): Promise<void> {
    this.ready ??= (async () => {
      if (await this.client.indices.existsAlias({ name: this.alias })) {
        await this.warnIfOutdated();
        return;
      }
      const index = `${this.options.prefix}listings_v0`;
      try {
        await this.client.indices.create({ index, settings: LISTING_SETTINGS, mappings: LISTING_MAPPINGS, aliases: { [this.alias]: {} } });
        this.options.logger.warn(
          { index, alias: this.alias },
          'created an empty search index; run `npm run reindex` to fill it from the database',
        );
      } catch (err) {
        // Another replica created it first.
        const raced = err instanceof errors.ResponseError && err.body?.error?.type === 'resource_already_exists_exception';
        if (!raced) throw err;
      }
    })().catch((err: unknown) => {
      this.ready = null;
      throw err;
    });
    return this.ready;
  }
}
