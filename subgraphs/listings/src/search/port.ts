import type { CursorRefusal } from '@market/platform';
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
  /** Street lines, searched as text. */
  address: string;
  city: string;
  neighbourhood: string | null;
  country: string;
  zipCode: string | null;
  bedrooms: number;
  bathrooms: number;
  areaSqm: number | null;
  maxGuests: number | null;
  instantBook: boolean;
  amenities: string[];
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

/** The map's visible rectangle. `west > east` spans the 180th meridian. */
export interface GeoBox {
  north: number;
  south: number;
  east: number;
  west: number;
}

/** Every filter given must match. Prices are exact decimal strings, compared like `listings(filter:)`. */
export interface SearchFilter {
  kind?: ListingKind;
  propertyType?: PropertyType;
  /** City, compared folded (case and accents ignored). */
  city?: string;
  /** Postal code, compared without case, spaces or dashes. */
  zipCode?: string;
  /** Compared with `price` on SALE listings and `pricePerNight` on RENT listings. */
  minPrice?: string;
  maxPrice?: string;
  minBedrooms?: number;
  minBathrooms?: number;
  minAreaSqm?: number;
  maxAreaSqm?: number;
  /** Every one of these amenities. */
  amenities?: string[];
  /** Room for at least this many guests (RENT listings' maxGuests). */
  guests?: number;
  instantBook?: boolean;
  near?: GeoRadius;
  within?: GeoBox;
}

export const SEARCH_SORTS = ['RELEVANCE', 'NEWEST', 'PRICE_ASC', 'PRICE_DESC', 'DISTANCE'] as const;
export type SearchSort = (typeof SEARCH_SORTS)[number];

export interface SearchQuery {
  /** Free text; null browses the filtered listings (RELEVANCE is then NEWEST). */
  text: string | null;
  filter: SearchFilter;
  sort: SearchSort;
  /** Where DISTANCE measures from. */
  from?: { latitude: number; longitude: number };
  /** Page size, 0 to 100. */
  first: number;
  /** A hit's `cursor` from the previous page of the same backend and sort. */
  after: string | null;
}

export interface SearchHit {
  id: string;
  /** Relevance; higher is better. Scales differ between backends. */
  score: number;
  /** Opaque: pass as `after` to continue after this hit. */
  cursor: string;
}

/**
 * Matches are counted up to this many; past it `total` is this number and `totalIsExact` false.
 * Counting every match of a broad search costs more than finding its first page (at 100,000
 * listings, most of the time of a search), and nobody pages that far.
 */
export const TOTAL_COUNT_CAP = 1000;

/** Both adapters refuse a cursor from the other backend, or from another sort, in these words. */
export const SEARCH_CURSOR_REFUSAL: CursorRefusal = {
  message: '`after` is not a cursor this search handed out for this sort.',
  problem: 'is not a valid cursor',
};

export interface SearchPage {
  hits: SearchHit[];
  /** How many documents match, counted up to TOTAL_COUNT_CAP. */
  total: number;
  totalIsExact: boolean;
  hasNextPage: boolean;
}

export interface FacetCount {
  value: string;
  count: number;
}

/** Price buckets per kind: [min, max) in the listing's currency units; max null is open-ended. */
export interface PriceBucketCount {
  kind: ListingKind;
  min: number;
  max: number | null;
  count: number;
}

/** Counts over the filtered listings; each facet ignores its own filter (kind, propertyType, minBedrooms, price, amenities). */
export interface SearchFacets {
  propertyTypes: FacetCount[];
  kinds: FacetCount[];
  /** By exact bedroom count. */
  bedrooms: FacetCount[];
  amenities: FacetCount[];
  prices: PriceBucketCount[];
}

/** Boundaries of the price facet's buckets. Sale prices and nightly prices live on different scales. */
export const PRICE_BUCKETS: Record<ListingKind, readonly number[]> = {
  SALE: [0, 100_000, 200_000, 300_000, 500_000, 750_000, 1_000_000, 2_000_000],
  RENT: [0, 50, 100, 150, 200, 300, 500],
};

export const SUGGESTION_KINDS = ['CITY', 'NEIGHBOURHOOD', 'TITLE'] as const;
export type SuggestionKind = (typeof SUGGESTION_KINDS)[number];

export interface Suggestion {
  kind: SuggestionKind;
  text: string;
  /** ACTIVE listings carrying it. */
  listingCount: number;
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
  /** Counts for the filtered listings of `query` (its text, filters; not its sort or page). */
  facets(query: SearchQuery): Promise<SearchFacets>;
  /**
   * Cities and neighbourhoods whose folded name starts with the folded `prefix` (most listings
   * first, then by name), then listing titles likewise (by name): at most `perKind` of each.
   */
  suggest(prefix: string, perKind: number): Promise<Suggestion[]>;
  /**
   * Rebuilds the index from the source of truth while searches keep answering from the current one,
   * and writes made meanwhile are kept.
   */
  reindex(
    source: ReindexSource,
    options?: { batchSize?: number; onProgress?: (progress: ReindexProgress) => void },
  ): Promise<ReindexReport>;
  close(): Promise<void>;
}
