import type { Db, Tx } from '../db';
import { BROWSABLE_STATUS } from '../domain';
import { ListingDocumentRepository } from '../repositories/listing-document-repository';
import type { ListingSearch, ReindexProgress, ReindexReport, ReindexSource } from './port';

/**
 * Brings the index in line with the listings database for some listings: ACTIVE ones are indexed
 * as they are now, every other one (another status, or deleted) is removed. Events only say which
 * listing changed; the database says what it is now, so a late or repeated event does no harm.
 */
export async function syncListings(search: ListingSearch, ids: readonly string[], tx: Tx): Promise<void> {
  const states = await new ListingDocumentRepository(tx).byIds(ids);
  const found = new Map(states.map((s) => [s.id, s]));
  const searchable = states.filter((s) => s.status === BROWSABLE_STATUS).map((s) => s.document);
  if (searchable.length > 0) await search.index(searchable, { tx });
  for (const state of states) {
    // As of the state that made it unsearchable: a newer ACTIVE version indexed meanwhile stays.
    if (state.status !== BROWSABLE_STATUS) await search.remove([state.id], { asOf: state.updatedAt, tx });
  }
  const gone = ids.filter((id) => !found.has(id));
  // A deleted listing never comes back (ids are not reused), so "now" is as good as any version.
  if (gone.length > 0) await search.remove(gone, { tx });
}

/** The listings database as a source for rebuilding the index. */
export function listingsSource(db: Db): ReindexSource {
  const documents = new ListingDocumentRepository(db);
  return {
    count: () => documents.countSearchable(),
    documents: (batchSize) => documents.searchable(batchSize),
    async unsearchable(ids) {
      const states = new Map((await documents.byIds(ids)).map((s) => [s.id, s]));
      const now = new Date();
      return ids.flatMap((id) => {
        const state = states.get(id);
        if (!state) return [{ id, asOf: now }];
        return state.status === BROWSABLE_STATUS ? [] : [{ id, asOf: state.updatedAt }];
      });
    },
  };
}

/** Rebuilds the search index from the listings database. */
export function reindexListings(
  search: ListingSearch,
  db: Db,
  options: { batchSize?: number; onProgress?: (progress: ReindexProgress) => void } = {},
): Promise<ReindexReport> {
  return search.reindex(listingsSource(db), options);
}
