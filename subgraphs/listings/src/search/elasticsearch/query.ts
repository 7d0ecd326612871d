import type { estypes } from '@elastic/elasticsearch';
import { z } from 'zod';
import { decodeCursor as decodeOpaqueCursor, encodeCursor as encodeOpaqueCursor } from '@market/platform';
import { BROWSABLE_STATUS, LISTING_KINDS } from '../../domain';
import {
  PRICE_BUCKETS,
  SEARCH_CURSOR_REFUSAL,
  TOTAL_COUNT_CAP,
  type FacetCount,
  type PriceBucketCount,
  type SearchFacets,
  type SearchFilter,
  type SearchHit,
  type SearchQuery,
  type SearchSort,
  type Suggestion,
  type SuggestionKind,
} from '../port';
import { fold, words, zipKey } from '../text';

type Query = estypes.QueryDslQueryContainer;
type SortValue = number | string;

/** RELEVANCE without text has nothing to rank by: newest first, as on PostgreSQL. */
export function effectiveSort(query: Pick<SearchQuery, 'sort' | 'text'>): SearchSort {
  return query.sort === 'RELEVANCE' && !query.text ? 'NEWEST' : query.sort;
}

const id = z.uuid();
const number = z.number();
const millis = z.number().int();
/** What each sort's `sort` values are, in order (the id last, so the order is total). */
const sortValueTypes: Record<SearchSort, z.ZodType[]> = {
  RELEVANCE: [number, millis, id],
  NEWEST: [millis, id],
  PRICE_ASC: [number, id],
  PRICE_DESC: [number, id],
  DISTANCE: [number, id],
};

export function encodeCursor(sort: SearchSort, values: readonly SortValue[]): string {
  return encodeOpaqueCursor(['es', sort, ...values]);
}

export function decodeCursor(cursor: string, query: SearchQuery): SortValue[] {
  const sort = effectiveSort(query);
  const types = sortValueTypes[sort];
  return decodeOpaqueCursor(
    cursor,
    (content) => {
      if (!Array.isArray(content) || content[0] !== 'es' || content[1] !== sort) return undefined;
      const values = content.slice(2);
      return values.length === types.length && values.every((value, i) => types[i]!.safeParse(value).success)
        ? (values as SortValue[])
        : undefined;
    },
    SEARCH_CURSOR_REFUSAL,
  );
}

/** The filters that have a facet of their own: that facet is counted without them. */
export type FacetName = 'kind' | 'propertyType' | 'bedrooms' | 'price' | 'amenities';

export interface Clause {
  query: Query;
  facet?: FacetName;
}

function range(min: number | undefined, max: number | undefined): { gte?: number; lte?: number } {
  return { ...(min !== undefined ? { gte: min } : {}), ...(max !== undefined ? { lte: max } : {}) };
}

export function filterClauses(filter: SearchFilter): Clause[] {
  const clauses: Clause[] = [{ query: { term: { status: BROWSABLE_STATUS } } }];
  const add = (query: Query, facet?: FacetName) => clauses.push(facet ? { query, facet } : { query });
  if (filter.kind) add({ term: { kind: filter.kind } }, 'kind');
  if (filter.propertyType) add({ term: { propertyType: filter.propertyType } }, 'propertyType');
  if (filter.city) add({ term: { cityKey: fold(filter.city) } });
  if (filter.zipCode) add({ term: { zipKey: zipKey(filter.zipCode) } });
  if (filter.minBedrooms !== undefined) add({ range: { bedrooms: { gte: filter.minBedrooms } } }, 'bedrooms');
  if (filter.minBathrooms !== undefined) add({ range: { bathrooms: { gte: filter.minBathrooms } } });
  if (filter.minAreaSqm !== undefined || filter.maxAreaSqm !== undefined)
    add({ range: { areaSqm: range(filter.minAreaSqm, filter.maxAreaSqm) } });
  if (filter.guests !== undefined) add({ range: { maxGuests: { gte: filter.guests } } });
  if (filter.instantBook !== undefined) add({ term: { instantBook: filter.instantBook } });
  if (filter.amenities && filter.amenities.length > 0) {
    add({ bool: { filter: filter.amenities.map((amenity) => ({ term: { amenities: amenity } })) } }, 'amenities');
  }
  if (filter.minPrice !== undefined || filter.maxPrice !== undefined) {
    // `amount` is the sale price of a SALE listing and the nightly price of a RENT one.
    const bounds = range(
      filter.minPrice === undefined ? undefined : Number(filter.minPrice),
      filter.maxPrice === undefined ? undefined : Number(filter.maxPrice),
    );
    add({ range: { amount: bounds } }, 'price');
  }
  if (filter.near) {
    add({
      geo_distance: {
        distance: `${filter.near.radiusKm}km`,
        distance_type: 'arc',
        location: { lat: filter.near.latitude, lon: filter.near.longitude },
      },
    });
  }
  if (filter.within) {
    // west > east spans the 180th meridian, which geo_bounding_box understands as such.
    const { north, south, east, west } = filter.within;
    add({ geo_bounding_box: { location: { top_left: { lat: north, lon: west }, bottom_right: { lat: south, lon: east } } } });
  }
  return clauses;
}

/**
 * Every word must match a word of the listing (title, place or description words), with typos
 * forgiven as PostgreSQL forgives them: `fuzziness: AUTO` (one edit from 3 letters, two from 6),
 * the first letter exact, no transpositions (levenshtein counts a swap as two edits). The text is
 * cut into words in text.ts, as the indexed text was.
 */
export function textQuery(text: string): Query {
  return {
    match: {
      fullText: {
        query: words(text).join(' '),
        operator: 'and',
        fuzziness: 'AUTO',
        prefix_length: 1,
        fuzzy_transpositions: false,
        max_expansions: 50,
      },
    },
  };
}

function sortOf(query: SearchQuery): estypes.SortCombinations[] {
  switch (effectiveSort(query)) {
    case 'RELEVANCE':
      return [{ _score: { order: 'desc' } }, { createdAt: { order: 'desc' } }, { id: { order: 'desc' } }];
    case 'NEWEST':
      return [{ createdAt: { order: 'desc' } }, { id: { order: 'desc' } }];
    case 'PRICE_ASC':
      return [{ amount: { order: 'asc' } }, { id: { order: 'asc' } }];
    case 'PRICE_DESC':
      return [{ amount: { order: 'desc' } }, { id: { order: 'desc' } }];
    case 'DISTANCE':
      return [
        {
          _geo_distance: {
            location: { lat: query.from!.latitude, lon: query.from!.longitude },
            order: 'asc',
            unit: 'km',
            distance_type: 'arc',
          },
        },
        { id: { order: 'asc' } },
      ];
  }
}

function matching(query: SearchQuery, clauses: Clause[]): Query {
  const text = query.text && words(query.text).length > 0 ? query.text : null;
  return {
    bool: {
      filter: clauses.map((c) => c.query),
      ...(text ? { must: [textQuery(text)], should: [{ match: { titleWords: { query: words(text).join(' '), boost: 2 } } }] } : {}),
    },
  };
}

/**
 * The search request for one page. One more hit than the page is asked for, to tell whether a next
 * page exists; matches are counted up to one past TOTAL_COUNT_CAP, as on PostgreSQL.
 */
export function buildSearchRequest(query: SearchQuery, index: string): estypes.SearchRequest {
  return {
    index,
    query: matching(query, filterClauses(query.filter)),
    sort: sortOf(query),
    size: query.first + 1,
    ...(query.after ? { search_after: decodeCursor(query.after, query) } : {}),
    track_total_hits: TOTAL_COUNT_CAP + 1,
    // Scores are computed whatever the sort, so hits carry them.
    track_scores: true,
    _source: false,
  };
}

/** Reads hits back: ids, scores and cursors, in order. */
export function toHits(hits: readonly estypes.SearchHit[], query: SearchQuery): SearchHit[] {
  const sort = effectiveSort(query);
  return hits.map((hit) => {
    const values = hit.sort as SortValue[];
    return { id: hit._id as string, score: hit._score ?? 0, cursor: encodeCursor(sort, values) };
  });
}

/**
 * Facets as filter aggregations: the query keeps the filters without a facet (and the text); each
 * facet's aggregation applies the faceted filters except its own.
 */
export function buildFacetsRequest(query: SearchQuery, index: string): estypes.SearchRequest {
  const clauses = filterClauses(query.filter);
  const common = clauses.filter((c) => !c.facet);
  const faceted = clauses.filter((c) => c.facet);
  const allBut = (facet: FacetName): Query => ({ bool: { filter: faceted.filter((c) => c.facet !== facet).map((c) => c.query) } });
  const terms = (facet: FacetName, field: string, size: number): estypes.AggregationsAggregationContainer => ({
    filter: allBut(facet),
    aggs: { values: { terms: { field, size } } },
  });
  const priceRanges = (kind: (typeof LISTING_KINDS)[number]) =>
    PRICE_BUCKETS[kind].map((from, i, bounds) => ({ key: String(from), from, ...(i + 1 < bounds.length ? { to: bounds[i + 1] } : {}) }));
  return {
    index,
    size: 0,
    track_total_hits: false,
    query: matching(query, common),
    aggs: {
      propertyTypes: terms('propertyType', 'propertyType', 50),
      kinds: terms('kind', 'kind', 10),
      bedrooms: terms('bedrooms', 'bedrooms', 1000),
      amenities: terms('amenities', 'amenities', 100),
      prices: {
        filter: allBut('price'),
        aggs: Object.fromEntries(
          LISTING_KINDS.map((kind) => [
            kind,
            { filter: { term: { kind } }, aggs: { buckets: { range: { field: 'amount', keyed: false, ranges: priceRanges(kind) } } } },
          ]),
        ),
      },
    },
  };
}

interface TermsBucket {
  key: string | number;
  doc_count: number;
}

export function toFacets(aggregations: Record<string, unknown>): SearchFacets {
  const termsOf = (name: string): FacetCount[] =>
    ((aggregations[name] as { values: { buckets: TermsBucket[] } }).values.buckets ?? []).map((b) => ({
      value: String(b.key),
      count: b.doc_count,
    }));
  const prices = aggregations['prices'] as Record<string, { buckets?: { buckets: { from: number; to?: number; doc_count: number }[] } }>;
  const priceCounts: PriceBucketCount[] = LISTING_KINDS.flatMap((kind) =>
    (prices[kind]?.buckets?.buckets ?? []).map((b) => ({ kind, min: b.from, max: b.to ?? null, count: b.doc_count })),
  );
  return {
    propertyTypes: termsOf('propertyTypes'),
    kinds: termsOf('kinds'),
    bedrooms: termsOf('bedrooms'),
    amenities: termsOf('amenities'),
    prices: priceCounts,
  };
}

/** A Lucene regular expression matching what starts with `prefix` (every non-alphanumeric character escaped). */
export function prefixRegex(prefix: string): string {
  return `${[...fold(prefix)].map((c) => (/[\p{L}\p{N}]/u.test(c) ? c : `\\${c}`)).join('')}.*`;
}

const SUGGEST_FIELDS: Record<SuggestionKind, { key: string; display: string; byCount: boolean }> = {
  CITY: { key: 'cityKey', display: 'city', byCount: true },
  NEIGHBOURHOOD: { key: 'neighbourhoodKey', display: 'neighbourhood', byCount: true },
  TITLE: { key: 'titleKey', display: 'title', byCount: false },
};

/**
 * Autocomplete as terms aggregations over the folded name fields, filtered by a prefix regex;
 * each name is shown as the first (in byte order) spelling listings use, as PostgreSQL's
 * min(... COLLATE "C") shows it.
 */
export function buildSuggestRequest(prefix: string, perKind: number, index: string): estypes.SearchRequest {
  const include = prefixRegex(prefix);
  return {
    index,
    size: 0,
    track_total_hits: false,
    query: { term: { status: BROWSABLE_STATUS } },
    aggs: Object.fromEntries(
      Object.entries(SUGGEST_FIELDS).map(([kind, { key, display, byCount }]) => [
        kind,
        {
          terms: {
            field: key,
            include,
            size: perKind,
            order: byCount ? [{ _count: 'desc' as const }, { _key: 'asc' as const }] : [{ _key: 'asc' as const }],
          },
          aggs: { shown: { terms: { field: display, size: 1, order: { _key: 'asc' as const } } } },
        },
      ]),
    ),
  };
}

export function toSuggestions(aggregations: Record<string, unknown>): Suggestion[] {
  return (Object.keys(SUGGEST_FIELDS) as SuggestionKind[]).flatMap((kind) =>
    ((aggregations[kind] as { buckets: (TermsBucket & { shown: { buckets: TermsBucket[] } })[] }).buckets ?? []).map((b) => ({
      kind,
      text: String(b.shown.buckets[0]?.key ?? b.key),
      listingCount: b.doc_count,
    })),
  );
}
