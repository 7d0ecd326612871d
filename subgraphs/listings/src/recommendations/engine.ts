import type { AffinityEntry, InteractionKind } from './rules/interactions';
import {
  CANDIDATES,
  ITEM_BLEND,
  USER_BLEND,
  areaOf,
  rankForUser,
  rankSimilar,
  type BlendWeights,
  type GeoCentre,
  type ListingFeatures,
  type ScoredListing,
} from './rules/scoring';

/**
 * Where the learned state lives: PostgreSQL in the service (repositories/recommendation-repository.ts),
 * memory in the evaluation (bench/recommendations/). Only storage differs; candidate generation and
 * scoring are this file and rules/, for both.
 */
export interface RecommendationStore {
  /** Applies one interaction (rules/interactions.ts interactionDelta); false when it taught nothing. */
  record(userId: string, listingId: string, kind: InteractionKind, at: Date): Promise<boolean>;
  /** The user's most recent listings (newest first) with their affinity. */
  history(userId: string, limit: number): Promise<AffinityEntry[]>;
  /** Features of these listings, whatever their status. */
  features(ids: readonly string[]): Promise<ListingFeatures[]>;
  /** For each listing, its `perListing` strongest co-occurring listings. */
  neighbours(ids: readonly string[], perListing: number): Promise<{ listingId: string; otherId: string; weight: number }[]>;
  /** Popularity weights (Σ affinity) of these listings; absent means none. */
  norms(ids: readonly string[]): Promise<Map<string, number>>;
  /** ACTIVE listings of these kinds nearest to `centre`, within `radiusKm`. */
  nearby(centre: GeoCentre, radiusKm: number, kinds: readonly ListingFeatures['kind'][], limit: number): Promise<ListingFeatures[]>;
  /** The most popular ACTIVE listings within `radiusKm` of `centre`, or anywhere. */
  popular(centre: GeoCentre | null, radiusKm: number, limit: number): Promise<ListingFeatures[]>;
}

export interface RecommendOptions {
  first: number;
  /** Where to look when the user has no history (cold start), e.g. the map they are on. */
  near?: GeoCentre | null;
  weights?: BlendWeights;
}

/** Candidate generation and scoring for both questions: what to show this user, and what resembles this listing. */
export class RecommendationEngine {
  constructor(private readonly store: RecommendationStore) {}

  async recommendFor(userId: string, options: RecommendOptions): Promise<ScoredListing[]> {
    const weights = options.weights ?? USER_BLEND;
    const history = await this.store.history(userId, CANDIDATES.history);
    const historyFeatures = await this.store.features(history.map((h) => h.listingId));
    const features = new Map(historyFeatures.map((f) => [f.id, f]));
    const area = areaOf(history, features) ?? options.near ?? null;
    const kinds = [...new Set(historyFeatures.map((f) => f.kind))];

    const [neighbourRows, nearby, popular] = await Promise.all([
      history.length > 0 && weights.cf > 0
        ? this.store.neighbours(
            history.map((h) => h.listingId),
            CANDIDATES.neighboursPerListing,
          )
        : Promise.resolve([]),
      area && kinds.length > 0 && weights.content > 0
        ? this.store.nearby(area, CANDIDATES.nearbyRadiusKm, kinds, CANDIDATES.nearby)
        : Promise.resolve([]),
      this.store.popular(area, CANDIDATES.popularRadiusKm, CANDIDATES.popular),
    ]);
    const cooccurrence = new Map<string, Map<string, number>>();
    for (const row of neighbourRows) {
      let others = cooccurrence.get(row.listingId);
      if (!others) cooccurrence.set(row.listingId, (others = new Map()));
      others.set(row.otherId, row.weight);
    }
    const seen = new Set(history.map((h) => h.listingId));
    const byId = new Map<string, ListingFeatures>();
    for (const f of [...nearby, ...popular]) byId.set(f.id, f);
    const missing = [...new Set(neighbourRows.map((r) => r.otherId))].filter((id) => !byId.has(id));
    for (const f of await this.store.features(missing)) byId.set(f.id, f);
    // Never the user's own listings, hidden ones, or ones they already showed interest in.
    const candidates = [...byId.values()].filter((f) => f.active && f.ownerId !== userId && !seen.has(f.id));
    const norms = await this.store.norms([...seen, ...candidates.map((c) => c.id)]);
    return rankForUser({ history, features, candidates, cooccurrence, norms, area, weights }).slice(0, options.first);
  }

  /** Listings like `listingId`, for `viewerId` (never their own); empty when the listing is unknown. */
  async similarTo(listingId: string, viewerId: string | null, first: number, weights: BlendWeights = ITEM_BLEND): Promise<ScoredListing[]> {
    const [listing] = await this.store.features([listingId]);
    if (!listing) return [];
    const [neighbourRows, nearby] = await Promise.all([
      this.store.neighbours([listingId], CANDIDATES.neighboursPerListing * 2),
      this.store.nearby(listing, CANDIDATES.nearbyRadiusKm, [listing.kind], CANDIDATES.nearby),
    ]);
    const byId = new Map(nearby.map((f) => [f.id, f]));
    const missing = neighbourRows.map((r) => r.otherId).filter((id) => !byId.has(id));
    for (const f of await this.store.features(missing)) byId.set(f.id, f);
    const candidates = [...byId.values()].filter((f) => f.active && f.id !== listingId && f.ownerId !== viewerId);
    const norms = await this.store.norms([listingId, ...candidates.map((c) => c.id)]);
    const cooccurrence = new Map(neighbourRows.map((r) => [r.otherId, r.weight]));
    return rankSimilar({ listing, candidates, cooccurrence, norms, weights }).slice(0, first);
  }
}
