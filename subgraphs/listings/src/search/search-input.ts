import { z } from 'zod';
import { AMENITIES } from '../domain';
import { badInput, parseListingSearch, parseOrThrow, refuseNul } from '../services/listing-input';
import { MAX_PAGE_SIZE } from '../services/listing-service';
import { SEARCH_SORTS, type SearchFilter, type SearchQuery } from './port';
import { fold, words } from './text';

/** A radius search wider than this is not a map search any more; browse by city or box instead. */
export const MAX_RADIUS_KM = 500;
export const MIN_SUGGEST_PREFIX = 2;
export const MAX_SUGGESTIONS_PER_KIND = 10;

const latitude = z.number().min(-90, 'must be between -90 and 90').max(90, 'must be between -90 and 90');
const longitude = z.number().min(-180, 'must be between -180 and 180').max(180, 'must be between -180 and 180');
const point = z.object({ latitude, longitude });
const count = z.number().int().min(0, 'must not be negative').max(1000, 'must be at most 1000');
const area = z.number().int().min(0, 'must not be negative').max(1_000_000, 'must be at most 1000000');

const pageSchema = z.object({
  text: z
    .string()
    .trim()
    .max(200, 'must be at most 200 characters')
    .nullish()
    // Text without a single word (punctuation only) searches for nothing: the same as no text.
    .transform((text) => (text && words(text).length > 0 ? text : null)),
  sort: z
    .enum(SEARCH_SORTS)
    .nullish()
    .transform((sort) => sort ?? 'RELEVANCE'),
  sortFrom: point.nullish(),
  first: z
    .number()
    .int()
    .min(0, `must be between 0 and ${MAX_PAGE_SIZE}`)
    .max(MAX_PAGE_SIZE, `must be between 0 and ${MAX_PAGE_SIZE}`)
    .nullish()
    .transform((first) => first ?? 20),
  after: z
    .string()
    .max(500, 'is not a valid cursor')
    .nullish()
    .transform((after) => after || null),
});

const searchOnlySchema = z
  .object({
    zipCode: z.string().trim().min(1, 'must not be empty').max(20, 'must be at most 20 characters').nullish(),
    minBathrooms: count.nullish(),
    minAreaSqm: area.nullish(),
    maxAreaSqm: area.nullish(),
    amenities: z
      .array(z.enum(AMENITIES))
      .max(AMENITIES.length)
      .nullish()
      .transform((list) => (list ? [...new Set(list)] : list)),
    guests: z.number().int().min(1, 'must be at least 1').max(1000, 'must be at most 1000').nullish(),
    instantBook: z.boolean().nullish(),
    near: z
      .object({
        latitude,
        longitude,
        radiusKm: z.number().positive('must be more than 0').max(MAX_RADIUS_KM, `must be at most ${MAX_RADIUS_KM}`),
      })
      .nullish(),
    within: z
      .object({ north: latitude, south: latitude, east: longitude, west: longitude })
      .superRefine((box, ctx) => {
        // A rectangle whose southern edge is not below its northern one crosses itself. East and west
        // may come in either order: west > east is a map view across the 180th meridian.
        if (box.south >= box.north)
          ctx.addIssue({ code: 'custom', path: ['south'], message: 'must be below north (the box crosses itself)' });
        if (box.east === box.west)
          ctx.addIssue({ code: 'custom', path: ['east'], message: 'must differ from west (the box has no width)' });
      })
      .nullish(),
  })
  .superRefine((filter, ctx) => {
    if (typeof filter.minAreaSqm === 'number' && typeof filter.maxAreaSqm === 'number' && filter.minAreaSqm > filter.maxAreaSqm) {
      ctx.addIssue({ code: 'custom', path: ['maxAreaSqm'], message: 'must not be less than minAreaSqm' });
    }
  });

export interface SearchArgs {
  text?: string | null;
  sort?: string | null;
  sortFrom?: { latitude: number; longitude: number } | null;
  first?: number | null;
  after?: string | null;
  filter?: Record<string, unknown> | null;
}

function withoutNulls<T extends Record<string, unknown>>(value: T): Partial<{ [K in keyof T]: NonNullable<T[K]> }> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined)) as Partial<{
    [K in keyof T]: NonNullable<T[K]>;
  }>;
}

/** Checks `searchListings` arguments; the listing filters shared with `listings(filter:)` are checked as it checks them. */
export function parseSearchArgs(args: SearchArgs): SearchQuery {
  refuseNul(args);
  const page = parseOrThrow(pageSchema, {
    text: args.text,
    sort: args.sort,
    sortFrom: args.sortFrom,
    first: args.first,
    after: args.after,
  });
  const { zipCode, minBathrooms, minAreaSqm, maxAreaSqm, amenities, guests, instantBook, near, within, ...listingFilter } =
    args.filter ?? {};
  const shared = parseListingSearch(listingFilter);
  const own = withoutNulls(
    parseOrThrow(searchOnlySchema, { zipCode, minBathrooms, minAreaSqm, maxAreaSqm, amenities, guests, instantBook, near, within }),
  );
  const filter: SearchFilter = { ...shared, ...own };
  if (filter.amenities?.length === 0) delete filter.amenities;
  const from = page.sortFrom ?? (filter.near ? { latitude: filter.near.latitude, longitude: filter.near.longitude } : undefined);
  if (page.sort === 'DISTANCE' && !from) {
    throw badInput([{ path: ['sortFrom'], message: 'is required to sort by DISTANCE (or give filter.near)' }]);
  }
  return { text: page.text, filter, sort: page.sort, first: page.first, after: page.after, ...(from ? { from } : {}) };
}

const suggestSchema = z.object({
  prefix: z
    .string()
    .max(100, 'must be at most 100 characters')
    .refine((prefix) => [...fold(prefix)].length >= MIN_SUGGEST_PREFIX, `must have at least ${MIN_SUGGEST_PREFIX} characters`),
  first: z
    .number()
    .int()
    .min(1, `must be between 1 and ${MAX_SUGGESTIONS_PER_KIND}`)
    .max(MAX_SUGGESTIONS_PER_KIND, `must be between 1 and ${MAX_SUGGESTIONS_PER_KIND}`)
    .nullish()
    .transform((first) => first ?? 5),
});

/** Checks `suggest` arguments: a prefix of at least 2 characters once folded, 1 to 10 per kind. */
export function parseSuggestArgs(args: { prefix: string; first?: number | null }): { prefix: string; first: number } {
  refuseNul(args);
  return parseOrThrow(suggestSchema, args);
}
