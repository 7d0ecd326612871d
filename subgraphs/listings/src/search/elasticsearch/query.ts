import type { estypes } from '@elastic/elasticsearch';
import { z } from 'zod';
import { BadUserInputError } from '@market/platform';
import { BROWSABLE_STATUS } from '../../domain';
import type { SearchFilter, SearchHit, SearchQuery } from '../port';

/** Where a hit sits in the (score desc, createdAt desc, id desc) order: Elasticsearch's `sort` values. */
type SortValues = [score: number, createdAtMs: number, id: string];

const cursorPayload = z.tuple([z.literal('es'), z.number(), z.number().int(), z.uuid()]);

export function encodeCursor(sort: SortValues): string {
  return Buffer.from(JSON.stringify(['es', ...sort])).toString('base64url');
}

export function decodeCursor(cursor: string): SortValues {
  try {
    const parsed = cursorPayload.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.success) return [parsed.data[1], parsed.data[2], parsed.data[3]];
  } catch {
    // Not base64url JSON: refused below like any other foreign string.
  }
  throw new BadUserInputError('`after` is not a cursor this search handed out.', { after: ['is not a valid cursor'] });
}

function priceFilter(filter: SearchFilter): estypes.QueryDslQueryContainer | null {
  if (filter.minPrice === undefined && filter.maxPrice === undefined) return null;
  const bounds = {
    ...(filter.minPrice !== undefined ? { gte: Number(filter.minPrice) } : {}),
    ...(filter.maxPrice !== undefined ? { lte: Number(filter.maxPrice) } : {}),
  };
  const sale: estypes.QueryDslQueryContainer = { bool: { filter: [{ term: { kind: 'SALE' } }, { range: { price: bounds } }] } };
  const rent: estypes.QueryDslQueryContainer = { bool: { filter: [{ term: { kind: 'RENT' } }, { range: { pricePerNight: bounds } }] } };
  if (filter.kind === 'SALE') return sale;
  if (filter.kind === 'RENT') return rent;
  return { bool: { should: [sale, rent], minimum_should_match: 1 } };
}

export function buildFilters(filter: SearchFilter): estypes.QueryDslQueryContainer[] {
  const filters: estypes.QueryDslQueryContainer[] = [{ term: { status: BROWSABLE_STATUS } }];
  if (filter.kind) filters.push({ term: { kind: filter.kind } });
  if (filter.propertyType) filters.push({ term: { propertyType: filter.propertyType } });
  if (filter.city) filters.push({ term: { city: filter.city } });
  if (filter.minBedrooms !== undefined) filters.push({ range: { bedrooms: { gte: filter.minBedrooms } } });
  const price = priceFilter(filter);
  if (price) filters.push(price);
  if (filter.near) {
    filters.push({
      geo_distance: { distance: `${filter.near.radiusKm}km`, location: { lat: filter.near.latitude, lon: filter.near.longitude } },
    });
  }
  return filters;
}

/**
 * The search request for one page. Every word must match (in any field, with typos forgiven by
 * fuzziness AUTO: one edit from 3 letters, two from 6); matches in the title rank higher. One more
 * hit than the page is asked for, to tell whether a next page exists.
 */
export function buildSearchRequest(query: SearchQuery, index: string): estypes.SearchRequest {
  const text = query.text;
  return {
    index,
    query: {
      bool: {
        filter: buildFilters(query.filter),
        ...(text
          ? {
              must: [{ match: { fullText: { query: text, operator: 'and', fuzziness: 'AUTO', prefix_length: 1 } } }],
              should: [{ match: { title: { query: text, boost: 2 } } }],
            }
          : {}),
      },
    },
    sort: [{ _score: { order: 'desc' } }, { createdAt: { order: 'desc' } }, { id: { order: 'desc' } }],
    size: query.first + 1,
    ...(query.after ? { search_after: decodeCursor(query.after) } : {}),
    track_total_hits: true,
    _source: false,
  };
}

/** Reads hits back: ids, scores and cursors, in order. */
export function toHits(hits: readonly estypes.SearchHit[]): SearchHit[] {
  return hits.map((hit) => {
    const [score, createdAt, id] = hit.sort as SortValues;
    return { id, score, cursor: encodeCursor([score, createdAt, id]) };
  });
}
