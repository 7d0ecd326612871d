import { z } from 'zod';
import { decodeCursor as decodeOpaqueCursor, encodeCursor as encodeOpaqueCursor } from '@market/platform';
import { Prisma } from '../../generated/prisma/client';
import { AMENITIES, LISTING_KINDS } from '../../domain';
import {
  PRICE_BUCKETS,
  SEARCH_CURSOR_REFUSAL,
  TOTAL_COUNT_CAP,
  type GeoBox,
  type GeoRadius,
  type ListingDocument,
  type SearchFilter,
  type SearchQuery,
  type SearchSort,
} from '../port';
import { allowedEdits, fold, placeWords, words, zipKey } from '../text';

/** Mean earth radius in km, as Elasticsearch's arc distance uses it. */
export const EARTH_RADIUS_KM = 6371.0088;
const KM_PER_DEGREE = (2 * Math.PI * EARTH_RADIUS_KM) / 360;
/**
 * A text search sorted by price, date or distance with at most this many matches sorts them all;
 * one with more walks the sort's index (buildSearchSql). At least TOTAL_COUNT_CAP.
 */
const SORTED_MATCHES = 2000;
/** Elasticsearch's fuzzy query expands a word to at most this many indexed words (max_expansions). */
const MAX_EXPANSIONS = 50;

/** How each sort orders rows: the key columns and their direction, the last always the id. */
type KeyType = 'numeric' | 'timestamptz' | 'uuid';
interface Ordering {
  keys: { sql: Prisma.Sql; type: KeyType }[];
  descending: boolean;
}

const ID = { sql: Prisma.sql`s.listing_id`, type: 'uuid' as const };
const CREATED = { sql: Prisma.sql`s.created_at`, type: 'timestamptz' as const };
/** RELEVANCE's first key: the rank, computed in buildSearchSql with the query's tsquery (this text is never sent). */
const SCORE = Prisma.sql`score`;

/** Great-circle (haversine) distance in km from a point; least() keeps rounding from pushing asin's argument past 1. */
function distanceKm(point: { latitude: number; longitude: number }): Prisma.Sql {
  const { latitude, longitude } = point;
  return Prisma.sql`(2 * ${EARTH_RADIUS_KM}::float8 * asin(least(1, sqrt(
      power(sin(radians(s.latitude - ${latitude}::float8) / 2), 2)
      + cos(radians(${latitude}::float8)) * cos(radians(s.latitude)) * power(sin(radians(s.longitude - ${longitude}::float8) / 2), 2)
    ))))`;
}

function ordering(query: SearchQuery): Ordering {
  switch (effectiveSort(query)) {
    case 'RELEVANCE':
      return { keys: [{ sql: SCORE, type: 'numeric' }, CREATED, ID], descending: true };
    case 'NEWEST':
      return { keys: [CREATED, ID], descending: true };
    case 'PRICE_ASC':
      return { keys: [{ sql: Prisma.sql`s.amount`, type: 'numeric' }, ID], descending: false };
    case 'PRICE_DESC':
      return { keys: [{ sql: Prisma.sql`s.amount`, type: 'numeric' }, ID], descending: true };
    case 'DISTANCE':
      // Rounded to the metre so a cursor names the value exactly.
      return { keys: [{ sql: Prisma.sql`round(${distanceKm(query.from!)}::numeric, 3)`, type: 'numeric' }, ID], descending: false };
  }
}

/** RELEVANCE without text has nothing to rank by: newest first, as on Elasticsearch. */
export function effectiveSort(query: Pick<SearchQuery, 'sort' | 'text'>): SearchSort {
  return query.sort === 'RELEVANCE' && !query.text ? 'NEWEST' : query.sort;
}

const keyValue: Record<KeyType, z.ZodType<string>> = {
  numeric: z.string().regex(/^-?\d{1,20}(\.\d{1,6})?$/),
  timestamptz: z.iso.datetime({ offset: true }),
  uuid: z.uuid(),
};

/** A cursor: the backend, the sort it was handed out for, and the row's key values as text. */
export function encodeCursor(sort: SearchSort, values: readonly string[]): string {
  return encodeOpaqueCursor(['pg', sort, ...values]);
}

export function decodeCursor(cursor: string, query: SearchQuery): string[] {
  const sort = effectiveSort(query);
  const types = ordering(query).keys.map((key) => keyValue[key.type]);
  const shape = z.tuple([z.literal('pg'), z.literal(sort)]).rest(z.string());
  return decodeOpaqueCursor(
    cursor,
    (content) => {
      const parsed = shape.safeParse(content);
      const values = parsed.success ? parsed.data.slice(2) : [];
      return parsed.success && values.length === types.length && values.every((value, i) => types[i]!.safeParse(value).success)
        ? (values as string[])
        : undefined;
    },
    SEARCH_CURSOR_REFUSAL,
  );
}

/** Within the rectangle; `west > east` spans the 180th meridian. Uses the (latitude, longitude) b-tree. */
export function boxCondition(box: GeoBox): Prisma.Sql {
  const longitude =
    box.west <= box.east
      ? Prisma.sql`s.longitude BETWEEN ${box.west}::float8 AND ${box.east}::float8`
      : Prisma.sql`(s.longitude >= ${box.west}::float8 OR s.longitude <= ${box.east}::float8)`;
  return Prisma.sql`s.latitude BETWEEN ${box.south}::float8 AND ${box.north}::float8 AND ${longitude}`;
}

/**
 * Within `near` by great-circle distance. A bounding box on (latitude, longitude) comes first so
 * the b-tree index narrows the rows; it is left out where it would wrap around a pole or the 180th
 * meridian (rare, and the distance test alone is still right).
 */
export function nearCondition(near: GeoRadius): Prisma.Sql {
  const { latitude, longitude, radiusKm } = near;
  const dLat = radiusKm / KM_PER_DEGREE;
  const conditions: Prisma.Sql[] = [];
  if (Math.abs(latitude) + dLat < 90) {
    conditions.push(Prisma.sql`s.latitude BETWEEN ${latitude - dLat}::float8 AND ${latitude + dLat}::float8`);
    const dLon = dLat / Math.cos((latitude * Math.PI) / 180);
    if (longitude - dLon > -180 && longitude + dLon < 180) {
      conditions.push(Prisma.sql`s.longitude BETWEEN ${longitude - dLon}::float8 AND ${longitude + dLon}::float8`);
    }
  }
  conditions.push(Prisma.sql`${distanceKm(near)} <= ${radiusKm}::float8`);
  return Prisma.join(conditions, ' AND ');
}

function priceCondition(filter: SearchFilter): Prisma.Sql | null {
  if (filter.minPrice === undefined && filter.maxPrice === undefined) return null;
  // `amount` is the sale price of a SALE listing and the nightly price of a RENT one.
  return Prisma.join(
    [
      ...(filter.minPrice !== undefined ? [Prisma.sql`s.amount >= ${filter.minPrice}::numeric`] : []),
      ...(filter.maxPrice !== undefined ? [Prisma.sql`s.amount <= ${filter.maxPrice}::numeric`] : []),
    ],
    ' AND ',
  );
}

/** The filters that have a facet of their own: that facet is counted without them. */
export type FacetName = 'kind' | 'propertyType' | 'bedrooms' | 'price' | 'amenities';

export interface Condition {
  sql: Prisma.Sql;
  facet?: FacetName;
}

/** The bits of these amenities in listing_search.amenity_bits (bit i: AMENITIES[i]). */
export function amenityBits(amenities: readonly string[]): number {
  return amenities.reduce((bits, amenity) => {
    const i = (AMENITIES as readonly string[]).indexOf(amenity);
    return i < 0 ? bits : bits | (1 << i);
  }, 0);
}

/**
 * The conditions of a filter. The table holds ACTIVE listings only (the indexer removes a listing
 * that stops being ACTIVE), so status is not tested again: that keeps counts index-only where an
 * index covers the filters.
 */
export function filterConditions(filter: SearchFilter): Condition[] {
  const conditions: Condition[] = [];
  const add = (sql: Prisma.Sql, facet?: FacetName) => conditions.push(facet ? { sql, facet } : { sql });
  if (filter.kind) add(Prisma.sql`s.kind = ${filter.kind}::"ListingKind"`, 'kind');
  if (filter.propertyType) add(Prisma.sql`s.property_type = ${filter.propertyType}::"PropertyType"`, 'propertyType');
  if (filter.city) add(Prisma.sql`s.city_key = ${fold(filter.city)}`);
  if (filter.zipCode) add(Prisma.sql`s.zip_key = ${zipKey(filter.zipCode)}`);
  if (filter.minBedrooms !== undefined) add(Prisma.sql`s.bedrooms >= ${filter.minBedrooms}::int`, 'bedrooms');
  if (filter.minBathrooms !== undefined) add(Prisma.sql`s.bathrooms >= ${filter.minBathrooms}::int`);
  if (filter.minAreaSqm !== undefined) add(Prisma.sql`s.area_sqm >= ${filter.minAreaSqm}::int`);
  if (filter.maxAreaSqm !== undefined) add(Prisma.sql`s.area_sqm <= ${filter.maxAreaSqm}::int`);
  if (filter.guests !== undefined) add(Prisma.sql`s.max_guests >= ${filter.guests}::int`);
  if (filter.instantBook !== undefined) add(Prisma.sql`s.instant_book = ${filter.instantBook}::boolean`);
  if (filter.amenities && filter.amenities.length > 0) add(Prisma.sql`s.amenities @> ${filter.amenities}::text[]`, 'amenities');
  const price = priceCondition(filter);
  if (price) add(price, 'price');
  if (filter.near) add(nearCondition(filter.near));
  if (filter.within) add(boxCondition(filter.within));
  return conditions;
}

/**
 * The text query as a tsquery: every word must match (&), each as itself or any indexed word within
 * its allowed edits (|), found in listing_search_terms by first character and length and checked
 * with levenshtein, as Elasticsearch's `fuzziness: AUTO, prefix_length: 1, transpositions: false`.
 * A word with no such neighbour stays as itself (and matches nothing).
 */
export function tsqueryOf(text: string): Prisma.Sql {
  const alternatives = words(text).map((word) => {
    const edits = allowedEdits(word);
    const length = [...word].length;
    const first = [...word][0]!;
    return Prisma.sql`(SELECT '(' || coalesce(string_agg(quote_literal(e.term), ' | '), quote_literal(${word}::text)) || ')'
      FROM (SELECT t.term FROM listing_search_terms t
            WHERE t.first_char = ${first} AND t.length BETWEEN ${length - edits}::int AND ${length + edits}::int
              AND levenshtein_less_equal(t.term, ${word}::text, ${edits}::int) <= ${edits}::int
            ORDER BY levenshtein_less_equal(t.term, ${word}::text, ${edits}::int), t.term
            LIMIT ${MAX_EXPANSIONS}::int) e)`;
  });
  return Prisma.sql`(${Prisma.join(alternatives, ` || ' & ' || `)})::tsquery`;
}

function where(conditions: readonly Condition[]): Prisma.Sql {
  return conditions.length > 0
    ? Prisma.join(
        conditions.map((c) => c.sql),
        ' AND ',
      )
    : Prisma.sql`true`;
}

export interface SearchRow {
  total: number;
  id: string | null;
  score: string | null;
  keys: string[] | null;
}

/** The query's text when it has words to search for, else null. */
export function searchText(query: Pick<SearchQuery, 'text'>): string | null {
  return query.text && words(query.text).length > 0 ? query.text : null;
}

/**
 * Whether buildSearchSql needs the tsquery beforehand (buildTsquerySql): for text sorted by price,
 * date or distance. By relevance it is expanded inside the search statement (one round trip).
 */
export function needsTsquery(query: SearchQuery): boolean {
  const text = searchText(query);
  return text !== null && effectiveSort({ ...query, text }) !== 'RELEVANCE';
}

/**
 * The text query's tsquery as text (see tsqueryOf), asked for before the search itself so that the
 * search statement carries it as a value: the planner then estimates from the words' statistics how
 * many rows match (a word in a quarter of the listings or in a few dozen) and picks the plan for
 * that, where a tsquery computed inside the statement is an unknown it guesses at.
 */
export function buildTsquerySql(text: string): Prisma.Sql {
  return Prisma.sql`SELECT (${tsqueryOf(text)})::text AS tsq`;
}

/**
 * One page of matches and their count, in one statement; the first row always carries the count
 * (its other columns are null when the page is empty). `tsquery` is buildTsquerySql's answer, needed
 * when the query has text. Three plans, by what the page needs:
 * - without text, the sorts follow b-tree indexes (created_at, amount), so the page reads only about
 *   `first` rows, and the count stops one past TOTAL_COUNT_CAP (index-only where an index covers
 *   the filters) instead of counting a broad search to the end;
 * - with text sorted by price, date or distance, the count also stops one past the cap, the page
 *   comes from those matches or from the sort's index (below), and only the page is ranked;
 * - by relevance, every match must be ranked, so the matches' scores and sort keys are gathered once
 *   (MATERIALIZED) and both the count and the page come from that set.
 */
export function buildSearchSql(query: SearchQuery, tsquery?: string | null): Prisma.Sql {
  const conditions = filterConditions(query.filter);
  const text = searchText(query);
  const known = tsquery !== undefined && tsquery !== null;
  if (text && !known && effectiveSort({ ...query, text }) !== 'RELEVANCE') {
    throw new Error('a search with text sorted by price, date or distance needs its tsquery (needsTsquery, buildTsquerySql)');
  }
  const tsq = Prisma.sql`${tsquery ?? ''}::tsquery`;
  const score = Prisma.sql`round(ts_rank(s.document, ${tsq})::numeric, 6)`;
  const order = ordering({ ...query, text });
  const direction = Prisma.raw(order.descending ? 'DESC' : 'ASC');
  const values = query.after ? decodeCursor(query.after, { ...query, text }) : null;
  const positionOf = (keys: Prisma.Sql[]) =>
    values
      ? [
          {
            sql: Prisma.sql`(${Prisma.join(keys)}) ${Prisma.raw(order.descending ? '<' : '>')} (${Prisma.join(
              order.keys.map((key, i) => Prisma.sql`${values[i]}::${Prisma.raw(key.type)}`),
            )})`,
          },
        ]
      : [];
  const asText = (sql: Prisma.Sql, type: KeyType) =>
    type === 'timestamptz' ? Prisma.sql`to_json(${sql}) #>> '{}'` : Prisma.sql`(${sql})::text`;
  const orderBy = (keys: Prisma.Sql[]) =>
    Prisma.join(
      keys.map((sql) => Prisma.sql`${sql} ${direction}`),
      ', ',
    );
  if (order.keys[0]!.sql !== SCORE && !text) {
    const keySql = order.keys.map((key) => key.sql);
    return Prisma.sql`
      SELECT t.total, p.id, '0' AS score, p.keys
      FROM (SELECT count(*)::int AS total FROM (SELECT 1 FROM listing_search s WHERE ${where(conditions)} LIMIT ${TOTAL_COUNT_CAP + 1}::int) c) t
      LEFT JOIN LATERAL (
        SELECT s.listing_id AS id, ARRAY[${Prisma.join(order.keys.map((key) => asText(key.sql, key.type)))}] AS keys
        FROM listing_search s
        WHERE ${where([...conditions, ...positionOf(keySql)])}
        ORDER BY ${orderBy(keySql)}
        LIMIT ${query.first + 1}::int
      ) p ON true`;
  }

  if (order.keys[0]!.sql !== SCORE) {
    // Text, sorted by price, date or distance. Up to SORTED_MATCHES + 1 matches are gathered with
    // their sort keys (c), which also gives the count. When that is all of them, the page is sorted
    // from c; when there are more, matches are common enough that walking the sort's index finds a
    // page after a few rows. (Gathering more than the count needs keeps searches with a couple of
    // thousand matches off the index walk, which can read many rows when the filters correlate
    // with the sort: the cheapest rentals are small, so `bedrooms >= 2` skips most of the first.)
    // Only the page's rows are ranked (their score is shown, not sorted by).
    conditions.push({ sql: Prisma.sql`s.document @@ ${tsq}` });
    const keyColumns = order.keys.map((key, i) => Prisma.sql`${key.sql} AS ${Prisma.raw(`k${i}`)}`);
    const aliases = (table: string) => order.keys.map((_, i) => Prisma.raw(`${table}.k${i}`));
    return Prisma.sql`
      WITH c AS MATERIALIZED (
        SELECT s.listing_id AS id, ${Prisma.join(keyColumns)} FROM listing_search s WHERE ${where(conditions)} LIMIT ${SORTED_MATCHES + 1}::int
      )
      SELECT t.total, p.id, p.score::text AS score, p.keys
      FROM (SELECT count(*)::int AS total FROM c) t
      LEFT JOIN LATERAL (
        SELECT u.id, ARRAY[${Prisma.join(order.keys.map((key, i) => asText(aliases('u')[i]!, key.type)))}] AS keys,
          (SELECT ${score} FROM listing_search s WHERE s.listing_id = u.id) AS score
        FROM (
          (SELECT c.id, ${Prisma.join(aliases('c'))} FROM c
            WHERE t.total <= ${SORTED_MATCHES}::int AND ${where(positionOf(aliases('c')))}
            ORDER BY ${orderBy(aliases('c'))} LIMIT ${query.first + 1}::int)
          UNION ALL
          (SELECT s.listing_id, ${Prisma.join(keyColumns)} FROM listing_search s
            WHERE t.total > ${SORTED_MATCHES}::int AND ${where([...conditions, ...positionOf(order.keys.map((key) => key.sql))])}
            ORDER BY ${orderBy(order.keys.map((key) => key.sql))} LIMIT ${query.first + 1}::int)
        ) u
        ORDER BY ${orderBy(aliases('u'))}
        LIMIT ${query.first + 1}::int
      ) p ON true`;
  }

  // By relevance the tsquery goes through a MATERIALIZED CTE, which hides it from the planner: every
  // match is read and ranked anyway, and with its words' real frequencies the planner would rather
  // filter a common word's 40,000 matches row by row than AND its bitmap with the filters' b-tree
  // first (measured slower at the same load; the b-tree bitmap keeps the heap reads to the matches
  // that pass the filters).
  // The score is ranked once: RELEVANCE's first key is the score column itself.
  conditions.push({ sql: Prisma.sql`s.document @@ q.tsq` });
  const aliases = order.keys.map((key, i) => Prisma.raw(key.sql === SCORE ? 'm.score' : `m.k${i}`));
  const keyColumns = order.keys.flatMap((key, i) => (key.sql === SCORE ? [] : [Prisma.sql`${key.sql} AS ${Prisma.raw(`k${i}`)}`]));
  return Prisma.sql`
    WITH q AS MATERIALIZED (SELECT ${known ? tsq : tsqueryOf(text!)} AS tsq),
    m AS MATERIALIZED (
      SELECT s.listing_id AS id, round(ts_rank(s.document, q.tsq)::numeric, 6) AS score, ${Prisma.join(keyColumns)}
      FROM listing_search s, q
      WHERE ${where(conditions)}
    )
    SELECT t.total, p.id, p.score::text AS score, p.keys
    FROM (SELECT count(*)::int AS total FROM m) t
    LEFT JOIN LATERAL (
      SELECT m.id, m.score, ARRAY[${Prisma.join(order.keys.map((key, i) => asText(aliases[i]!, key.type)))}] AS keys
      FROM m
      WHERE ${where(positionOf(aliases))}
      ORDER BY ${orderBy(aliases)}
      LIMIT ${query.first + 1}::int
    ) p ON true`;
}

export interface FacetRow {
  facet: 'propertyType' | 'kind' | 'bedrooms' | 'amenities' | 'price';
  value: string;
  count: number;
}

/** The price bucket of a row: the lower boundary it falls into, by kind. */
function bucketOf(): Prisma.Sql {
  const cases = LISTING_KINDS.map(
    (kind) =>
      Prisma.sql`WHEN s.kind = ${kind}::"ListingKind" THEN (${PRICE_BUCKETS[kind].map(String)}::numeric[])[width_bucket(s.amount, ${PRICE_BUCKETS[kind].map(String)}::numeric[])]`,
  );
  return Prisma.sql`(CASE ${Prisma.join(cases, ' ')} END)`;
}

/**
 * Facet counts; each facet counts the rows that pass every filter except its own (kind, property
 * type, bedrooms, price, amenities). With text or a filter without a facet, the matches are read
 * once: the rows that pass every filter but at most one of those with a facet, each flagged with
 * which ones it passes.
 */
export function buildFacetsSql(query: SearchQuery): Prisma.Sql {
  const conditions = filterConditions(query.filter);
  const text = query.text && words(query.text).length > 0 ? query.text : null;
  const common = conditions.filter((c) => !c.facet);
  const faceted = conditions.filter((c): c is Required<Condition> => c.facet !== undefined);
  const flags = faceted.map((c) => Prisma.sql`(${c.sql}) AS ${Prisma.raw(`f_${c.facet}`)}`);
  const failures = faceted.map((c) => Prisma.sql`(NOT (${c.sql}))::int`);
  const passesAllBut = (facet: FacetName) => {
    const others = faceted.filter((c) => c.facet !== facet).map((c) => Prisma.raw(`b.f_${c.facet}`));
    return others.length > 0 ? Prisma.join(others, ' AND ') : Prisma.sql`true`;
  };
  if (!text && common.length === 0) {
    // Only faceted filters (or none): each facet is its own aggregate over listing_search_facets_idx
    // alone (an index-only scan; amenities as bits): far cheaper than reading every row of a broad
    // search. With text or another filter the matches are few enough that reading them once
    // (below) wins.
    const indexed = faceted.map((c) =>
      c.facet === 'amenities'
        ? {
            ...c,
            sql: Prisma.sql`(s.amenity_bits & ${amenityBits(query.filter.amenities ?? [])}::int) = ${amenityBits(query.filter.amenities ?? [])}::int`,
          }
        : c,
    );
    const whereAllBut = (facet: FacetName) => where(indexed.filter((c) => c.facet !== facet));
    const bitCounts = AMENITIES.map((_, i) => Prisma.sql`sum((s.amenity_bits >> ${i}::int) & 1)::int`);
    return Prisma.sql`
      SELECT 'propertyType' AS facet, s.property_type::text AS value, count(*)::int AS count FROM listing_search s WHERE ${whereAllBut('propertyType')} GROUP BY 2
      UNION ALL SELECT 'kind', s.kind::text, count(*)::int FROM listing_search s WHERE ${whereAllBut('kind')} GROUP BY 2
      UNION ALL SELECT 'bedrooms', s.bedrooms::text, count(*)::int FROM listing_search s WHERE ${whereAllBut('bedrooms')} GROUP BY 2
      UNION ALL SELECT 'price', s.kind::text || ':' || ${bucketOf()}::text, count(*)::int FROM listing_search s WHERE ${whereAllBut('price')} GROUP BY 2
      UNION ALL SELECT 'amenities', a.amenity, a.count FROM (SELECT ARRAY[${Prisma.join(bitCounts)}] AS counts FROM listing_search s WHERE ${whereAllBut('amenities')}) c
        CROSS JOIN LATERAL unnest(${[...AMENITIES]}::text[], c.counts) AS a(amenity, count) WHERE a.count > 0`;
  }
  if (text) common.push({ sql: Prisma.sql`s.document @@ q.tsq` });
  return Prisma.sql`
    WITH ${text ? Prisma.sql`q AS MATERIALIZED (SELECT ${tsqueryOf(text)} AS tsq),` : Prisma.empty} b AS MATERIALIZED (
      SELECT s.property_type, s.kind, s.bedrooms, s.amenities, ${bucketOf()} AS bucket
        ${flags.length > 0 ? Prisma.sql`, ${Prisma.join(flags)}` : Prisma.empty}
      FROM ${text ? Prisma.sql`listing_search s, q` : Prisma.sql`listing_search s`}
      WHERE ${where(common)} ${failures.length > 1 ? Prisma.sql`AND ${Prisma.join(failures, ' + ')} <= 1` : Prisma.empty}
    )
    SELECT 'propertyType' AS facet, b.property_type::text AS value, count(*)::int AS count FROM b WHERE ${passesAllBut('propertyType')} GROUP BY 2
    UNION ALL SELECT 'kind', b.kind::text, count(*)::int FROM b WHERE ${passesAllBut('kind')} GROUP BY 2
    UNION ALL SELECT 'bedrooms', b.bedrooms::text, count(*)::int FROM b WHERE ${passesAllBut('bedrooms')} GROUP BY 2
    UNION ALL SELECT 'price', b.kind::text || ':' || b.bucket::text, count(*)::int FROM b WHERE ${passesAllBut('price')} GROUP BY 2
    UNION ALL SELECT 'amenities', a.amenity, count(*)::int FROM b CROSS JOIN LATERAL unnest(b.amenities) AS a(amenity)
      WHERE ${passesAllBut('amenities')} GROUP BY 2`;
}

export interface SuggestionRow {
  kind: 'CITY' | 'NEIGHBOURHOOD' | 'TITLE';
  text: string;
  count: number;
}

/**
 * Autocomplete from the folded name columns. Their b-tree indexes use the C collation (see the
 * migration), so `LIKE 'prefix%'` is an index range scan: cities and neighbourhoods read only the
 * rows of names that start so, titles stop after `perKind` names.
 */
export function buildSuggestSql(prefix: string, perKind: number): Prisma.Sql {
  const pattern = `${fold(prefix).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return Prisma.sql`
    (SELECT 'CITY' AS kind, min(s.city COLLATE "C") AS text, count(*)::int AS count FROM listing_search s
      WHERE s.city_key LIKE ${pattern} GROUP BY s.city_key ORDER BY count(*) DESC, s.city_key LIMIT ${perKind}::int)
    UNION ALL
    (SELECT 'NEIGHBOURHOOD', min(s.neighbourhood COLLATE "C"), count(*)::int FROM listing_search s
      WHERE s.neighbourhood_key LIKE ${pattern} GROUP BY s.neighbourhood_key ORDER BY count(*) DESC, s.neighbourhood_key LIMIT ${perKind}::int)
    UNION ALL
    (SELECT 'TITLE', min(s.title COLLATE "C"), count(*)::int FROM listing_search s
      WHERE s.title_key LIKE ${pattern} GROUP BY s.title_key ORDER BY s.title_key LIMIT ${perKind}::int)`;
}

const COLUMNS = Prisma.raw(
  'listing_id, title, kind, property_type, status, price, price_per_night, amount, currency, city, city_key, ' +
    'neighbourhood, neighbourhood_key, title_key, country, zip_code, zip_key, bedrooms, bathrooms, area_sqm, max_guests, ' +
    'instant_book, amenities, amenity_bits, latitude, longitude, owner_id, created_at, updated_at',
);

/** A document as the row `jsonb_to_recordset` reads back (snake_case, flat location, the words cut in text.ts). */
function toRow(doc: ListingDocument) {
  return {
    listing_id: doc.id,
    title: doc.title,
    kind: doc.kind,
    property_type: doc.propertyType,
    status: doc.status,
    price: doc.price,
    price_per_night: doc.pricePerNight,
    amount: doc.price ?? doc.pricePerNight ?? 0,
    currency: doc.currency,
    city: doc.city,
    city_key: fold(doc.city),
    neighbourhood: doc.neighbourhood,
    neighbourhood_key: doc.neighbourhood === null ? null : fold(doc.neighbourhood),
    title_key: fold(doc.title),
    country: doc.country,
    zip_code: doc.zipCode,
    zip_key: doc.zipCode === null ? null : zipKey(doc.zipCode),
    bedrooms: doc.bedrooms,
    bathrooms: doc.bathrooms,
    area_sqm: doc.areaSqm,
    max_guests: doc.maxGuests,
    instant_book: doc.instantBook,
    amenities: doc.amenities,
    amenity_bits: amenityBits(doc.amenities),
    latitude: doc.location.lat,
    longitude: doc.location.lon,
    owner_id: doc.ownerId,
    created_at: doc.createdAt.toISOString(),
    updated_at: doc.updatedAt.toISOString(),
    title_words: words(doc.title).join(' '),
    place_words: placeWords(doc).join(' '),
    description_words: words(doc.description).join(' '),
  };
}

/** Every distinct word of the documents, sorted so concurrent writers take row locks in one order. */
export function termsOf(docs: readonly ListingDocument[]): string[] {
  const terms = new Set<string>();
  for (const doc of docs) {
    for (const word of [...words(doc.title), ...placeWords(doc), ...words(doc.description)]) terms.add(word);
  }
  return [...terms].sort();
}

/** Adds words to the vocabulary that typo-tolerant search expands query words into. */
export function buildTermsSql(terms: readonly string[]): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO listing_search_terms (term, first_char, length)
    SELECT t.term, left(t.term, 1), char_length(t.term) FROM unnest(${[...terms]}::text[]) AS t(term)
    ON CONFLICT (term) DO NOTHING`;
}

/**
 * Upserts documents in one statement (the batch travels as one jsonb parameter). The tsvector
 * weighs title words (A) over place words (B) over description words (C); the words are cut in
 * text.ts and only split again on spaces here ('simple' configuration: no stemming or stop words,
 * which suits listings written in any language). A row is only replaced by a version at least as
 * new (updated_at), so a late, older copy changes nothing.
 */
export function buildUpsertSql(docs: readonly ListingDocument[]): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO listing_search (${COLUMNS}, document)
    SELECT ${COLUMNS},
      setweight(to_tsvector('simple', d.title_words), 'A') || setweight(to_tsvector('simple', d.place_words), 'B')
        || setweight(to_tsvector('simple', d.description_words), 'C')
    FROM jsonb_to_recordset(${JSON.stringify(docs.map(toRow))}::jsonb) AS d(
      listing_id uuid, title text, kind "ListingKind", property_type "PropertyType",
      status "ListingStatus", price numeric, price_per_night numeric, amount numeric, currency text, city text,
      city_key text, neighbourhood text, neighbourhood_key text, title_key text, country text, zip_code text,
      zip_key text, bedrooms int, bathrooms int, area_sqm int, max_guests int, instant_book boolean, amenities text[], amenity_bits int,
      latitude float8, longitude float8, owner_id uuid, created_at timestamptz, updated_at timestamptz,
      title_words text, place_words text, description_words text)
    ON CONFLICT (listing_id) DO UPDATE SET
      title = EXCLUDED.title, kind = EXCLUDED.kind,
      property_type = EXCLUDED.property_type, status = EXCLUDED.status, price = EXCLUDED.price,
      price_per_night = EXCLUDED.price_per_night, amount = EXCLUDED.amount, currency = EXCLUDED.currency,
      city = EXCLUDED.city, city_key = EXCLUDED.city_key, neighbourhood = EXCLUDED.neighbourhood,
      neighbourhood_key = EXCLUDED.neighbourhood_key, title_key = EXCLUDED.title_key, country = EXCLUDED.country,
      zip_code = EXCLUDED.zip_code, zip_key = EXCLUDED.zip_key, bedrooms = EXCLUDED.bedrooms,
      bathrooms = EXCLUDED.bathrooms, area_sqm = EXCLUDED.area_sqm, max_guests = EXCLUDED.max_guests,
      instant_book = EXCLUDED.instant_book, amenities = EXCLUDED.amenities, amenity_bits = EXCLUDED.amenity_bits, latitude = EXCLUDED.latitude,
      longitude = EXCLUDED.longitude, owner_id = EXCLUDED.owner_id, created_at = EXCLUDED.created_at,
      updated_at = EXCLUDED.updated_at, document = EXCLUDED.document
    WHERE listing_search.updated_at <= EXCLUDED.updated_at`;
}

/** Removes rows unless a newer version (updated_at after `asOf`) was written meanwhile. */
export function buildRemoveSql(ids: readonly string[], asOf: Date): Prisma.Sql {
  return Prisma.sql`DELETE FROM listing_search WHERE listing_id = ANY(${[...ids]}::uuid[]) AND updated_at <= ${asOf}::timestamptz`;
}
