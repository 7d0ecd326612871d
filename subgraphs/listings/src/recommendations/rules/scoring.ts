import type { ListingKind, PropertyType } from '../../domain';
import { cooccurrenceSimilarity, type AffinityEntry } from './interactions';

/**
 * How recommendations score candidates: collaborative filtering (people who wanted your listings
 * wanted these), content similarity (type, price band, location, rooms) and popularity in the area,
 * blended. Pure: the service and `npm run recommendations:evaluate` call these same functions.
 */

/** What content similarity and filtering need to know about a listing. */
export interface ListingFeatures {
  id: string;
  ownerId: string;
  kind: ListingKind;
  propertyType: PropertyType;
  /** Sale price (SALE) or nightly price (RENT). */
  amount: number;
  latitude: number;
  longitude: number;
  bedrooms: number;
  /** False for listings nobody but their owner may be shown (not ACTIVE). */
  active: boolean;
}

export interface GeoCentre {
  latitude: number;
  longitude: number;
}

/** How much each signal counts in a blend; `similarListings` and `recommendedListings` use their own. */
export interface BlendWeights {
  cf: number;
  content: number;
  popularity: number;
}

/**
 * The blend of `recommendedListings`, chosen with the evaluation (bench/recommendations/RESULTS.md):
 * content carries most of the weight, because it also ranks listings too new or too quiet to have
 * co-occurrences; CF adds what content cannot see (tastes people share), which pays off as
 * interactions accumulate; popularity orders what neither separates. A CF-heavier blend
 * (0.55/0.35/0.10) did worse than content alone on a sparse log (600 users).
 */
export const USER_BLEND: BlendWeights = { cf: 0.25, content: 0.65, popularity: 0.1 };
/** `similarListings`: what a listing resembles matters more than who else looked at it. */
export const ITEM_BLEND: BlendWeights = { cf: 0.45, content: 0.45, popularity: 0.1 };
export const POPULARITY_ONLY: BlendWeights = { cf: 0, content: 0, popularity: 1 };
export const CONTENT_ONLY: BlendWeights = { cf: 0, content: 1, popularity: 0 };
export const CF_ONLY: BlendWeights = { cf: 1, content: 0, popularity: 0 };

/** Candidate generation, shared by the service's SQL and the evaluation's memory. */
export const CANDIDATES = {
  /** Most recent listings of a user that are scored against. */
  history: 50,
  /** Strongest co-occurring listings fetched per history listing. */
  neighboursPerListing: 40,
  /** Nearest ACTIVE listings of the user's kinds around their area. */
  nearby: 300,
  nearbyRadiusKm: 30,
  /** Most popular ACTIVE listings around the area (everywhere when no area is known). */
  popular: 100,
  popularRadiusKm: 50,
} as const;

/** Distance over which location similarity and area popularity fall to 1/e. */
const LOCATION_SCALE_KM = 8;
const AREA_SCALE_KM = 25;
/** A price twice or half as high falls to about 1/e of the similarity (log scale). */
const PRICE_SCALE = 0.7;
const ROOMS_SCALE = 1.5;

export function distanceKm(a: GeoCentre, b: GeoCentre): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Content similarity of two listings in [0, 1]: nothing across kinds (a sale price and a nightly
 * price do not compare), otherwise location, price band, property type and rooms.
 */
export function contentSimilarity(a: ListingFeatures, b: ListingFeatures): number {
  if (a.kind !== b.kind) return 0;
  const location = Math.exp(-distanceKm(a, b) / LOCATION_SCALE_KM);
  const price = a.amount > 0 && b.amount > 0 ? Math.exp(-Math.abs(Math.log(a.amount / b.amount)) / PRICE_SCALE) : 0;
  const type = a.propertyType === b.propertyType ? 1 : 0.2;
  const rooms = Math.exp(-Math.abs(a.bedrooms - b.bedrooms) / ROOMS_SCALE);
  return 0.35 * location + 0.25 * price + 0.25 * type + 0.15 * rooms;
}

/**
 * Where a user's interest is centred: the location of their listing with the most interest near it
 * (affinity-weighted), so a history spread over two cities lands in one of them, not between.
 */
export function areaOf(history: readonly AffinityEntry[], features: ReadonlyMap<string, ListingFeatures>): GeoCentre | null {
  const located = history.flatMap((h) => {
    const f = features.get(h.listingId);
    return f ? [{ f, a: h.affinity }] : [];
  });
  let best: GeoCentre | null = null;
  let bestMass = -1;
  for (const { f } of located) {
    const mass = located.reduce((sum, o) => sum + o.a * Math.exp(-distanceKm(f, o.f) / AREA_SCALE_KM), 0);
    if (mass > bestMass) {
      bestMass = mass;
      best = { latitude: f.latitude, longitude: f.longitude };
    }
  }
  return best;
}

/** Popularity in the area: log of the listing's popularity, fading with distance from the area. */
export function areaPopularity(norm: number, listing: GeoCentre, area: GeoCentre | null): number {
  const base = Math.log1p(Math.max(0, norm));
  return area ? base * Math.exp(-distanceKm(area, listing) / AREA_SCALE_KM) : base;
}

export interface ScoredListing {
  id: string;
  score: number;
}

/** What scoring a user's candidates needs, all already fetched. */
export interface UserRankInput {
  /** The user's most recent listings and their affinity. */
  history: readonly AffinityEntry[];
  /** Features of the history listings (candidates carry their own). */
  features: ReadonlyMap<string, ListingFeatures>;
  candidates: readonly ListingFeatures[];
  /** co(history listing, candidate). */
  cooccurrence: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** Popularity weight (Σ affinity) of history listings and candidates. */
  norms: ReadonlyMap<string, number>;
  area: GeoCentre | null;
  weights: BlendWeights;
}

/** Each signal scaled to [0, 1] over the candidates, so the weights mean what they say. */
function blend(ids: readonly string[], signals: { weight: number; values: number[] }[]): ScoredListing[] {
  const scaled = signals
    .filter((s) => s.weight > 0)
    .map((s) => {
      const max = Math.max(0, ...s.values);
      return { weight: s.weight, values: s.values.map((v) => (max > 0 ? v / max : 0)) };
    });
  return ids
    .map((id, i) => ({ id, score: scaled.reduce((sum, s) => sum + s.weight * (s.values[i] ?? 0), 0) }))
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Candidates of a user, best first (candidates are assumed already filtered: visible, not theirs, not seen). */
export function rankForUser(input: UserRankInput): ScoredListing[] {
  const { history, features, candidates, cooccurrence, norms, area, weights } = input;
  const total = history.reduce((sum, h) => sum + h.affinity, 0) || 1;
  const cf: number[] = [];
  const content: number[] = [];
  const popularity: number[] = [];
  for (const c of candidates) {
    const nc = norms.get(c.id) ?? 0;
    let cfScore = 0;
    let contentScore = 0;
    for (const h of history) {
      const co = cooccurrence.get(h.listingId)?.get(c.id) ?? 0;
      if (co > 0) cfScore += h.affinity * cooccurrenceSimilarity(co, norms.get(h.listingId) ?? 0, nc);
      const f = features.get(h.listingId);
      if (f && weights.content > 0) contentScore += h.affinity * contentSimilarity(f, c);
    }
    cf.push(cfScore / total);
    content.push(contentScore / total);
    popularity.push(areaPopularity(nc, c, area));
  }
  return blend(
    candidates.map((c) => c.id),
    [
      { weight: weights.cf, values: cf },
      { weight: weights.content, values: content },
      { weight: weights.popularity, values: popularity },
    ],
  );
}

/** Listings like `listing`, best first (candidates already filtered). */
export function rankSimilar(input: {
  listing: ListingFeatures;
  candidates: readonly ListingFeatures[];
  /** co(listing, candidate). */
  cooccurrence: ReadonlyMap<string, number>;
  norms: ReadonlyMap<string, number>;
  weights: BlendWeights;
}): ScoredListing[] {
  const { listing, candidates, cooccurrence, norms, weights } = input;
  const own = norms.get(listing.id) ?? 0;
  return blend(
    candidates.map((c) => c.id),
    [
      { weight: weights.cf, values: candidates.map((c) => cooccurrenceSimilarity(cooccurrence.get(c.id) ?? 0, own, norms.get(c.id) ?? 0)) },
      { weight: weights.content, values: candidates.map((c) => contentSimilarity(listing, c)) },
      { weight: weights.popularity, values: candidates.map((c) => areaPopularity(norms.get(c.id) ?? 0, c, listing)) },
    ],
  );
}
