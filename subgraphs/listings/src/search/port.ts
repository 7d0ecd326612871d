import type { ListingKind, ListingStatus, PropertyType } from '../domain';
import type { Tx } from '../db';

/**
 * What search knows about a listing: a flat copy of the fields it matches, filters and sorts on.
 * The listings database stays the source of truth; results are hydrated from it.
 */
export interface ListingDocument {
  id: string;
  title: string;
  description: string;
  kind: ListingKind;
  propertyType: PropertyType;
  status: ListingStatus;
  /** Sale price; null for a rental. A number is exact enough to filter on (numeric(12,2) fits a double). */
  price: number | null;
  /** Nightly price; null for a sale. */
  pricePerNight: number | null;
  currency: string;
  city: string;
  country: string;
  zipCode: string | null;
  bedrooms: number;
  bathrooms: number;
  location: { lat: number; lon: number };
  ownerId: string;
  createdAt: Date;
  /** The listing's updatedAt: the version of this document. An older version never replaces a newer one. */
  updatedAt: Date;
}

/** A circle on the map. */
export interface GeoRadius {
  latitude: number;
  longitude: number;
  radiusKm: number;
}

/** Every filter given must match. Prices are exact decimal strings, compared like `listings(filter:)`. */
export interface SearchFilter {
  kind?: ListingKind;
  propertyType?: PropertyType;
  /** Exact city, case ignored. */
  city?: string;
  /** Compared with `price` on SALE listings and `pricePerNight` on RENT listings. */
  minPrice?: string;
  maxPrice?: string;
  minBedrooms?: number;
  near?: GeoRadius;
}

export interface SearchQuery {
  /** Free text; null browses the filtered listings newest first. */
  text: string | null;
  filter: SearchFilter;
  /** Page size, 0 to 100. */
  first: number;
  /** A hit's `cursor` from the previous page of the same backend. */
  after: string | null;
}

export interface SearchHit {
  id: string;
  /** Relevance; higher is better. Scales differ between backends. */
  score: number;
  /** Opaque: pass as `after` to continue after this hit. */
  cursor: string;
}

export interface SearchPage {
  /** Best match first, then newest first. */
  hits: SearchHit[];
  /** How many documents match in all. */
  total: number;
  hasNextPage: boolean;
}

export interface WriteOptions {
  /**
   * The caller's transaction on the listings database (an event's inbox transaction). A backend
   * that keeps its index in that database writes in it, so the index and the inbox row commit
   * together; others ignore it.
   */
  tx?: Tx;
}

export interface RemoveOptions extends WriteOptions {
  /**
   * When the listings stopped being searchable (the state's updatedAt, or the deletion time). A
   * document newer than this stays. Defaults to now.
   */
  asOf?: Date;
}

/** Where a rebuild reads from: the listings database. */
export interface ReindexSource {
  /** How many documents `documents` will yield, for progress. */
  count(): Promise<number>;
  /** Every searchable (ACTIVE) listing, in batches. */
  documents(batchSize: number): AsyncIterable<ListingDocument[]>;
  /**
   * Of these indexed ids, the ones that must not be searchable any more, each with the time it
   * stopped being so: the check that catches what changed while the rebuild was loading.
   */
  unsearchable(ids: readonly string[]): Promise<{ id: string; asOf: Date }[]>;
}

export interface ReindexProgress {
  done: number;
  total: number;
}

export interface ReindexReport {
  /** Documents loaded into the new index. */
  indexed: number;
  /** Documents dropped afterwards because their listing changed or went away during the load. */
  removed: number;
  /** Where the documents live now (index name or table). */
  target: string;
  ms: number;
}

/**
 * The search port. Two adapters: Elasticsearch (ELASTICSEARCH_URL set) and a PostgreSQL table in
 * the listings database (embedded mode). Both are fed identically by the `listings.search-index`
 * consumer and rebuilt from the listings database by `reindex`.
 */
export interface ListingSearch {
  readonly backend: 'elasticsearch' | 'postgres';
  /** Adds or replaces documents (a document older than the indexed one is ignored). */
  index(docs: readonly ListingDocument[], options?: WriteOptions): Promise<void>;
  /** Makes listings unsearchable. */
  remove(ids: readonly string[], options?: RemoveOptions): Promise<void>;
  search(query: SearchQuery): Promise<SearchPage>;
  /**
   * Rebuilds the index from the source of truth while searches keep answering from the current one,
   * and writes made meanwhile are kept.
   */
  reindex(source: ReindexSource, options?: { batchSize?: number; onProgress?: (progress: ReindexProgress) => void }): Promise<ReindexReport>;
  close(): Promise<void>;
}
