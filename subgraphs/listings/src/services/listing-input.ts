import { z } from 'zod';
import { BadUserInputError } from '@market/platform';
import {
  AMENITIES,
  CANCELLATION_POLICIES,
  DEFAULT_CANCELLATION_POLICY,
  LISTING_KINDS,
  LISTING_STATUSES,
  PROPERTY_TYPES,
  type ListingData,
  type ListingSearch,
} from '../domain';

/**
 * Refuses NUL characters anywhere in an input: PostgreSQL cannot store them in text, so without
 * this check they would surface as an internal error instead of the caller's mistake.
 */
export function refuseNul(input: unknown, path: string[] = []): void {
  if (typeof input === 'string') {
    if (input.includes('\u0000')) throw badInput([{ path, message: 'must not contain NUL characters' }]);
  } else if (Array.isArray(input)) {
    input.forEach((item, i) => refuseNul(item, [...path, String(i)]));
  } else if (input !== null && typeof input === 'object') {
    for (const [key, value] of Object.entries(input)) refuseNul(value, [...path, key]);
  }
}

/** Turns zod issues into one BAD_USER_INPUT fault naming every field at fault. */
export function badInput(issues: readonly { path: readonly PropertyKey[]; message: string }[]): BadUserInputError {
  const fields: Record<string, string[]> = {};
  for (const issue of issues) {
    const key = issue.path.map(String).join('.') || 'input';
    (fields[key] ??= []).push(issue.message);
  }
  return new BadUserInputError(
    issues.map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message)).join('; '),
    fields,
  );
}

export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw badInput(result.error.issues);
}

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
// Codes CLDR names that are not ISO 3166-1 countries (unions, reserved and unknown regions).
const NOT_COUNTRIES = new Set(['EU', 'EZ', 'UN', 'UK', 'QO', 'ZZ', 'XA', 'XB', 'AC', 'CP', 'DG', 'EA', 'IC', 'TA']);

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

/** A non-negative amount with at most two decimals that fits numeric(12,2), normalized to "350000.00". */
export const decimalAmount = z
  .string()
  .trim()
  .regex(/^\d{1,10}(\.\d{1,2})?$/, 'must be a non-negative amount with at most 2 decimals, e.g. "350000.00"')
  .transform((value) => {
    const [whole = '0', fraction = ''] = value.split('.');
    return `${BigInt(whole).toString()}.${fraction.padEnd(2, '0')}`;
  });

const currency = z
  .string()
  .trim()
  .toUpperCase()
  .refine((code) => /^[A-Z]{3}$/.test(code) && CURRENCIES.has(code), 'must be an ISO 4217 currency code, e.g. USD');

const country = z
  .string()
  .trim()
  .toUpperCase()
  .refine(
    (code) => /^[A-Z]{2}$/.test(code) && !NOT_COUNTRIES.has(code) && regionNames.of(code) !== undefined,
    'must be an ISO 3166-1 alpha-2 country code, e.g. US',
  );

/** An IANA time zone name Intl knows, stored in its canonical spelling ("europe/lisbon" → "Europe/Lisbon"). */
export const timeZone = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .transform((name, ctx) => {
    try {
      return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be an IANA time zone name, e.g. America/New_York' });
      return z.NEVER;
    }
  });

const httpsUrl = z
  .string()
  .trim()
  .max(2048, 'must be at most 2048 characters')
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'https:' && url.hostname.length > 0;
    } catch {
      return false;
    }
  }, 'must be an https URL');

const address = z.object({
  line1: text(200),
  line2: text(200)
    .nullish()
    .transform((v) => v ?? null),
  city: text(120),
  region: text(120)
    .nullish()
    .transform((v) => v ?? null),
  country,
});

const location = z.object({
  latitude: z.number().min(-90, 'must be between -90 and 90').max(90, 'must be between -90 and 90'),
  longitude: z.number().min(-180, 'must be between -180 and 180').max(180, 'must be between -180 and 180'),
});

const count = z.number().int().min(0, 'must not be negative').max(1000, 'must be at most 1000');
const nights = z.number().int().min(1, 'must be at least 1').max(3650, 'must be at most 3650');
const percent = z.number().int().min(0, 'must be between 0 and 100').max(100, 'must be between 0 and 100');
const optional = <S extends z.ZodType>(schema: S) => schema.nullish().transform((v) => v ?? null);

/** Every field a listing's owner writes, one schema each; create and update compose them differently. */
const fields = {
  title: z.string().trim().min(3, 'must be at least 3 characters').max(160, 'must be at most 160 characters'),
  description: z.string().trim().max(10_000, 'must be at most 10000 characters'),
  kind: z.enum(LISTING_KINDS),
  propertyType: z.enum(PROPERTY_TYPES),
  price: optional(decimalAmount),
  currency,
  address,
  zipCode: optional(z.string().trim().min(1, 'must not be empty').max(20, 'must be at most 20 characters')),
  bedrooms: count,
  bathrooms: count,
  toilets: count,
  areaSqm: optional(z.number().int().min(1, 'must be at least 1').max(1_000_000, 'must be at most 1000000')),
  amenities: z
    .array(z.enum(AMENITIES))
    .max(AMENITIES.length)
    .transform((list) => [...new Set(list)]),
  neighbourhood: optional(text(120)),
  location,
  images: z.array(httpsUrl).max(30, 'at most 30 images'),
  // DELETED is in the GraphQL enum (the last live event of a deleted listing) but is no status one sets.
  status: z.enum(LISTING_STATUSES, { error: `must be one of ${LISTING_STATUSES.join(', ')} (deleteListing deletes)` }),
  pricePerNight: optional(decimalAmount),
  maxGuests: optional(z.number().int().min(1, 'must be at least 1').max(1000, 'must be at most 1000')),
  timeZone,
  cleaningFee: optional(decimalAmount),
  minNights: optional(nights),
  maxNights: optional(nights),
  instantBook: z.boolean(),
  weeklyDiscountPercent: optional(percent),
  monthlyDiscountPercent: optional(percent),
  cancellationPolicy: optional(z.enum(CANCELLATION_POLICIES)),
};

const RENTAL_ONLY = [
  'pricePerNight',
  'maxGuests',
  'cleaningFee',
  'minNights',
  'maxNights',
  'weeklyDiscountPercent',
  'monthlyDiscountPercent',
  'cancellationPolicy',
] as const;

/** Rules across fields: what each kind needs and refuses. The database checks the same. */
export function listingRuleViolations(data: ListingData): { path: string[]; message: string }[] {
  const issues: { path: string[]; message: string }[] = [];
  if (data.kind === 'SALE') {
    if (data.price === null) issues.push({ path: ['price'], message: 'a SALE listing needs a price' });
    for (const field of RENTAL_ONLY) {
      if (data[field] !== null) issues.push({ path: [field], message: 'applies to RENT listings only' });
    }
    if (data.instantBook) issues.push({ path: ['instantBook'], message: 'applies to RENT listings only' });
    if (data.status === 'RENTED') issues.push({ path: ['status'], message: 'RENTED applies to RENT listings only' });
  } else {
    if (data.price !== null) issues.push({ path: ['price'], message: 'a RENT listing has no sale price: set pricePerNight' });
    if (data.pricePerNight === null) issues.push({ path: ['pricePerNight'], message: 'a RENT listing needs pricePerNight' });
    if (data.maxGuests === null) issues.push({ path: ['maxGuests'], message: 'a RENT listing needs maxGuests' });
    if (data.status === 'SOLD') issues.push({ path: ['status'], message: 'SOLD applies to SALE listings only' });
  }
  if (data.minNights !== null && data.maxNights !== null && data.minNights > data.maxNights) {
    issues.push({ path: ['maxNights'], message: 'must not be less than minNights' });
  }
  // A stay of 28 nights also qualifies for the weekly discount, so a smaller monthly one would never apply.
  if (
    data.weeklyDiscountPercent !== null &&
    data.monthlyDiscountPercent !== null &&
    data.monthlyDiscountPercent < data.weeklyDiscountPercent
  ) {
    issues.push({ path: ['monthlyDiscountPercent'], message: 'must not be less than weeklyDiscountPercent' });
  }
  return issues;
}

/** A RENT listing always has a cancellation policy: MODERATE unless its owner chose (or after null). */
function withDefaults(data: ListingData): ListingData {
  return data.kind === 'RENT' && data.cancellationPolicy === null ? { ...data, cancellationPolicy: DEFAULT_CANCELLATION_POLICY } : data;
}

function checkRules(data: ListingData): ListingData {
  const complete = withDefaults(data);
  const issues = listingRuleViolations(complete);
  if (issues.length > 0) throw badInput(issues);
  return complete;
}

const createSchema = z.object({
  ...fields,
  currency: currency.default('USD'),
  bedrooms: count.default(0),
  bathrooms: count.default(0),
  toilets: count.default(0),
  images: fields.images.nullish().transform((v) => v ?? []),
  amenities: fields.amenities.nullish().transform((v) => v ?? []),
  status: z.enum(['DRAFT', 'ACTIVE'], { error: 'a new listing is DRAFT or ACTIVE' }).default('DRAFT'),
  timeZone: timeZone.default('UTC'),
  instantBook: z.boolean().default(false),
});

/** Validates a new listing: each field, then the rules across fields. */
export function parseNewListing(input: unknown): ListingData {
  refuseNul(input);
  return checkRules(parseOrThrow(createSchema, input));
}

/**
 * Applies changes to a listing: a field left out (undefined) stays, null clears an optional field
 * (and is refused for a required one); the result must pass the same rules as a new listing.
 */
export function applyListingChanges(current: ListingData, changes: Record<string, unknown>): ListingData {
  refuseNul(changes);
  const next: Record<string, unknown> = { ...current };
  const issues: { path: PropertyKey[]; message: string }[] = [];
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    const schema = (fields as Record<string, z.ZodType>)[name];
    if (!schema) {
      issues.push({ path: [name], message: 'is not a listing field' });
      continue;
    }
    const result = schema.safeParse(value);
    if (result.success) next[name] = result.data;
    else issues.push(...result.error.issues.map((issue) => ({ path: [name, ...issue.path], message: issue.message })));
  }
  if (issues.length > 0) throw badInput(issues);
  // The policy follows the kind unless this change sets it: none on a listing switched to SALE (and
  // MODERATE, from checkRules, on one switched to RENT).
  if (next['kind'] === 'SALE' && changes['cancellationPolicy'] === undefined) next['cancellationPolicy'] = null;
  return checkRules(next as unknown as ListingData);
}

const searchSchema = z
  .object({
    kind: z.enum(LISTING_KINDS).nullish(),
    propertyType: z.enum(PROPERTY_TYPES).nullish(),
    city: z.string().trim().min(1, 'must not be empty').max(120, 'must be at most 120 characters').nullish(),
    minPrice: decimalAmount.nullish(),
    maxPrice: decimalAmount.nullish(),
    minBedrooms: count.nullish(),
  })
  .nullish()
  .transform((filter): ListingSearch => {
    const search: ListingSearch = {};
    for (const [key, value] of Object.entries(filter ?? {})) {
      if (value !== null && value !== undefined) (search as Record<string, unknown>)[key] = value;
    }
    return search;
  })
  .superRefine((search, ctx) => {
    if (search.minPrice !== undefined && search.maxPrice !== undefined && Number(search.minPrice) > Number(search.maxPrice)) {
      ctx.addIssue({ code: 'custom', path: ['maxPrice'], message: 'must not be less than minPrice' });
    }
  });

export function parseListingSearch(filter: unknown): ListingSearch {
  return parseOrThrow(searchSchema, filter);
}
