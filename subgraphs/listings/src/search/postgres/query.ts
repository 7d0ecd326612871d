import { z } from 'zod';
import { BadUserInputError } from '@market/platform';
import { Prisma } from '../../generated/prisma/client';
import { BROWSABLE_STATUS } from '../../domain';
import type { GeoRadius, ListingDocument, SearchFilter, SearchQuery } from '../port';

/** Mean earth radius in km, as Elasticsearch's arc distance uses it. */
export const EARTH_RADIUS_KM = 6371.0088;
const KM_PER_DEGREE = (2 * Math.PI * EARTH_RADIUS_KM) / 360;

/** Where a hit sits in the (score desc, createdAt desc, id desc) order. The score is an exact numeric. */
export interface PgPosition {
  score: string;
  createdAt: Date;
  id: string;
}

const cursorPayload = z.tuple([z.literal('pg'), z.string().regex(/^\d+(\.\d+)?$/), z.iso.datetime(), z.uuid()]);

export function encodeCursor(position: PgPosition): string {
  return Buffer.from(JSON.stringify(['pg', position.score, position.createdAt.toISOString(), position.id])).toString('base64url');
}

export function decodeCursor(cursor: string): PgPosition {
  try {
    const parsed = cursorPayload.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.success) return { score: parsed.data[1], createdAt: new Date(parsed.data[2]), id: parsed.data[3] };
  } catch {
    // Not base64url JSON: refused below like any other foreign string.
  }
  throw new BadUserInputError('`after` is not a cursor this search handed out.', { after: ['is not a valid cursor'] });
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
  // Haversine; least() keeps rounding from pushing asin's argument past 1.
  conditions.push(Prisma.sql`2 * ${EARTH_RADIUS_KM}::float8 * asin(least(1, sqrt(
      power(sin(radians(s.latitude - ${latitude}::float8) / 2), 2)
      + cos(radians(${latitude}::float8)) * cos(radians(s.latitude)) * power(sin(radians(s.longitude - ${longitude}::float8) / 2), 2)
    ))) <= ${radiusKm}::float8`);
  return Prisma.join(conditions, ' AND ');
}

function priceCondition(filter: SearchFilter): Prisma.Sql | null {
  if (filter.minPrice === undefined && filter.maxPrice === undefined) return null;
  const within = (column: Prisma.Sql) =>
    Prisma.join(
      [
        ...(filter.minPrice !== undefined ? [Prisma.sql`${column} >= ${filter.minPrice}::numeric`] : []),
        ...(filter.maxPrice !== undefined ? [Prisma.sql`${column} <= ${filter.maxPrice}::numeric`] : []),
      ],
      ' AND ',
    );
  const sale = Prisma.sql`(s.kind = 'SALE' AND ${within(Prisma.sql`s.price`)})`;
  const rent = Prisma.sql`(s.kind = 'RENT' AND ${within(Prisma.sql`s.price_per_night`)})`;
  if (filter.kind === 'SALE') return sale;
  if (filter.kind === 'RENT') return rent;
  return Prisma.sql`(${sale} OR ${rent})`;
}

export function filterConditions(filter: SearchFilter): Prisma.Sql[] {
  const conditions = [Prisma.sql`s.status = ${BROWSABLE_STATUS}::"ListingStatus"`];
  if (filter.kind) conditions.push(Prisma.sql`s.kind = ${filter.kind}::"ListingKind"`);
  if (filter.propertyType) conditions.push(Prisma.sql`s.property_type = ${filter.propertyType}::"PropertyType"`);
  if (filter.city) conditions.push(Prisma.sql`lower(s.city) = lower(${filter.city})`);
  if (filter.minBedrooms !== undefined) conditions.push(Prisma.sql`s.bedrooms >= ${filter.minBedrooms}::int`);
  const price = priceCondition(filter);
  if (price) conditions.push(price);
  if (filter.near) conditions.push(nearCondition(filter.near));
  return conditions;
}

export interface SearchRow {
  total: number;
  id: string | null;
  score: string | null;
  created_at: Date | null;
}

/**
 * One page of matches and their total, in one statement. Free text matches the weighted tsvector
 * (every word, `websearch_to_tsquery` syntax: "quoted phrases", or, -not) or, for typos, is
 * word-similar to the title and city (pg_trgm `<%`, threshold pg_trgm.word_similarity_threshold,
 * 0.6 by default). The score adds both; it is rounded to an exact numeric so a cursor can name it.
 * The first row always carries the total; its other columns are null when the page is empty.
 */
export function buildSearchSql(query: SearchQuery): Prisma.Sql {
  const conditions = filterConditions(query.filter);
  let source = Prisma.sql`listing_search s`;
  let score = Prisma.sql`0::numeric`;
  if (query.text) {
    source = Prisma.sql`listing_search s CROSS JOIN (SELECT websearch_to_tsquery('simple', ${query.text}) AS tsq, ${query.text}::text AS words) q`;
    score = Prisma.sql`round((ts_rank(s.document, q.tsq) + word_similarity(q.words, s.trigram_text))::numeric, 6)`;
    conditions.push(Prisma.sql`(s.document @@ q.tsq OR q.words <% s.trigram_text)`);
  }
  const after = query.after ? decodeCursor(query.after) : null;
  const position = after
    ? Prisma.sql`WHERE (m.score, m.created_at, m.id) < (${after.score}::numeric, ${after.createdAt}::timestamptz, ${after.id}::uuid)`
    : Prisma.empty;
  return Prisma.sql`
    WITH matches AS (
      SELECT s.listing_id AS id, s.created_at, ${score} AS score
      FROM ${source}
      WHERE ${Prisma.join(conditions, ' AND ')}
    )
    SELECT t.total, p.id, p.score::text AS score, p.created_at
    FROM (SELECT count(*)::int AS total FROM matches) t
    LEFT JOIN LATERAL (
      SELECT m.id, m.score, m.created_at FROM matches m ${position}
      ORDER BY m.score DESC, m.created_at DESC, m.id DESC
      LIMIT ${query.first + 1}::int
    ) p ON true`;
}

const COLUMNS = Prisma.raw(
  'listing_id, title, description, kind, property_type, status, price, price_per_night, currency, city, country, zip_code, bedrooms, bathrooms, latitude, longitude, owner_id, created_at, updated_at',
);

/** A document as the row `jsonb_to_recordset` reads back (snake_case, flat location). */
function toRow(doc: ListingDocument) {
  return {
    listing_id: doc.id,
    title: doc.title,
    description: doc.description,
    kind: doc.kind,
    property_type: doc.propertyType,
    status: doc.status,
    price: doc.price,
    price_per_night: doc.pricePerNight,
    currency: doc.currency,
    city: doc.city,
    country: doc.country,
    zip_code: doc.zipCode,
    bedrooms: doc.bedrooms,
    bathrooms: doc.bathrooms,
    latitude: doc.location.lat,
    longitude: doc.location.lon,
    owner_id: doc.ownerId,
    created_at: doc.createdAt.toISOString(),
    updated_at: doc.updatedAt.toISOString(),
  };
}

/**
 * Upserts documents in one statement (the batch travels as one jsonb parameter). The tsvector
 * weighs the title (A) over the city (B) over the description (C), with the `simple` configuration:
 * no stemming or stop words, which suits listings written in any language. A row is only replaced
 * by a version at least as new (updated_at), so a late, older copy changes nothing.
 */
export function buildUpsertSql(docs: readonly ListingDocument[]): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO listing_search (${COLUMNS}, document, trigram_text)
    SELECT ${COLUMNS},
      setweight(to_tsvector('simple', d.title), 'A') || setweight(to_tsvector('simple', d.city), 'B')
        || setweight(to_tsvector('simple', d.description), 'C'),
      d.title || ' ' || d.city
    FROM jsonb_to_recordset(${JSON.stringify(docs.map(toRow))}::jsonb) AS d(
      listing_id uuid, title text, description text, kind "ListingKind", property_type "PropertyType",
      status "ListingStatus", price numeric, price_per_night numeric, currency text, city text, country text,
      zip_code text, bedrooms int, bathrooms int, latitude float8, longitude float8, owner_id uuid,
      created_at timestamptz, updated_at timestamptz)
    ON CONFLICT (listing_id) DO UPDATE SET
      title = EXCLUDED.title, description = EXCLUDED.description, kind = EXCLUDED.kind,
      property_type = EXCLUDED.property_type, status = EXCLUDED.status, price = EXCLUDED.price,
      price_per_night = EXCLUDED.price_per_night, currency = EXCLUDED.currency, city = EXCLUDED.city,
      country = EXCLUDED.country, zip_code = EXCLUDED.zip_code, bedrooms = EXCLUDED.bedrooms,
      bathrooms = EXCLUDED.bathrooms, latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude,
      owner_id = EXCLUDED.owner_id, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at,
      document = EXCLUDED.document, trigram_text = EXCLUDED.trigram_text
    WHERE listing_search.updated_at <= EXCLUDED.updated_at`;
}

/** Removes rows unless a newer version (updated_at after `asOf`) was written meanwhile. */
export function buildRemoveSql(ids: readonly string[], asOf: Date): Prisma.Sql {
  return Prisma.sql`DELETE FROM listing_search WHERE listing_id = ANY(${[...ids]}::uuid[]) AND updated_at <= ${asOf}::timestamptz`;
}
