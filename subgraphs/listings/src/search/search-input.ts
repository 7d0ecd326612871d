import { z } from 'zod';
import { parseListingSearch, parseOrThrow } from '../services/listing-input';
import { MAX_PAGE_SIZE } from '../services/listing-service';
import type { SearchQuery } from './port';

const pageSchema = z.object({
  text: z
    .string()
    .trim()
    .max(200, 'must be at most 200 characters')
    .nullish()
    .transform((text) => text || null),
  first: z
    .number()
    .int()
    .min(0, `must be between 0 and ${MAX_PAGE_SIZE}`)
    .max(MAX_PAGE_SIZE, `must be between 0 and ${MAX_PAGE_SIZE}`)
    .nullish()
    .transform((first) => first ?? 20),
  after: z.string().max(500, 'is not a valid cursor').nullish().transform((after) => after || null),
});

const nearSchema = z.object({
  near: z
    .object({
      latitude: z.number().min(-90, 'must be between -90 and 90').max(90, 'must be between -90 and 90'),
      longitude: z.number().min(-180, 'must be between -180 and 180').max(180, 'must be between -180 and 180'),
      radiusKm: z.number().positive('must be more than 0').max(20_000, 'must be at most 20000 (half the earth)'),
    })
    .nullish(),
});

export interface SearchArgs {
  text?: string | null;
  first?: number | null;
  after?: string | null;
  filter?: Record<string, unknown> | null;
}

/** Checks `searchListings` arguments; the listing filters are checked exactly as `listings(filter:)` checks them. */
export function parseSearchArgs(args: SearchArgs): SearchQuery {
  const page = parseOrThrow(pageSchema, { text: args.text, first: args.first, after: args.after });
  const { near: rawNear, ...listingFilter } = args.filter ?? {};
  const filter = parseListingSearch(listingFilter);
  const { near } = parseOrThrow(nearSchema, { near: rawNear });
  return { ...page, filter: { ...filter, ...(near ? { near } : {}) } };
}
