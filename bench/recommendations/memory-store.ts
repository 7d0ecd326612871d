import {
  interactionDelta,
  PAIR_HISTORY_LIMIT,
  type AffinityEntry,
  type InteractionKind,
} from '../../subgraphs/listings/src/recommendations/rules/interactions';
import { distanceKm, type GeoCentre, type ListingFeatures } from '../../subgraphs/listings/src/recommendations/rules/scoring';
import type { RecommendationStore } from '../../subgraphs/listings/src/recommendations/engine';

/**
 * The recommendation store in memory, for the evaluation: the same `interactionDelta` the service
 * applies in PostgreSQL, applied to maps. Only storage lives here; no ranking.
 */
export class MemoryRecommendationStore implements RecommendationStore {
  private readonly affinities = new Map<string, Map<string, { affinity: number; lastAt: number }>>();
  private readonly co = new Map<string, Map<string, number>>();
  private readonly popularity = new Map<string, number>();
  private readonly listings: Map<string, ListingFeatures>;

  constructor(listings: readonly ListingFeatures[]) {
    this.listings = new Map(listings.map((l) => [l.id, l]));
  }

  async record(userId: string, listingId: string, kind: InteractionKind, at: Date): Promise<boolean> {
    const listing = this.listings.get(listingId);
    if (!listing || listing.ownerId === userId) return false;
    const mine = this.affinities.get(userId) ?? new Map<string, { affinity: number; lastAt: number }>();
    this.affinities.set(userId, mine);
    const history = await this.history(userId, PAIR_HISTORY_LIMIT);
    const delta = interactionDelta(history, listingId, kind);
    const current = mine.get(listingId);
    if (!delta) {
      if (current) current.lastAt = Math.max(current.lastAt, at.getTime());
      return false;
    }
    mine.set(listingId, { affinity: delta.affinity, lastAt: Math.max(current?.lastAt ?? 0, at.getTime()) });
    this.popularity.set(listingId, (this.popularity.get(listingId) ?? 0) + delta.popularityDelta);
    for (const pair of delta.pairs) {
      this.addCo(listingId, pair.otherId, pair.delta);
      this.addCo(pair.otherId, listingId, pair.delta);
    }
    return true;
  }

  private addCo(a: string, b: string, delta: number): void {
    let row = this.co.get(a);
    if (!row) this.co.set(a, (row = new Map()));
    row.set(b, (row.get(b) ?? 0) + delta);
  }

  async history(userId: string, limit: number): Promise<AffinityEntry[]> {
    const mine = this.affinities.get(userId);
    if (!mine) return [];
    return [...mine.entries()]
      .sort((a, b) => b[1].lastAt - a[1].lastAt)
      .slice(0, limit)
      .map(([listingId, { affinity }]) => ({ listingId, affinity }));
  }

  async features(ids: readonly string[]): Promise<ListingFeatures[]> {
    return ids.flatMap((id) => {
      const f = this.listings.get(id);
      return f ? [f] : [];
    });
  }

  async neighbours(ids: readonly string[], perListing: number): Promise<{ listingId: string; otherId: string; weight: number }[]> {
    return ids.flatMap((listingId) =>
      [...(this.co.get(listingId)?.entries() ?? [])]
        .sort((a, b) => b[1] - a[1])
        .slice(0, perListing)
        .map(([otherId, weight]) => ({ listingId, otherId, weight })),
    );
  }

  async norms(ids: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const id of ids) {
      const n = this.popularity.get(id);
      if (n !== undefined) out.set(id, n);
    }
    return out;
  }

  async nearby(centre: GeoCentre, radiusKm: number, kinds: readonly ListingFeatures['kind'][], limit: number): Promise<ListingFeatures[]> {
    return [...this.listings.values()]
      .filter((l) => l.active && kinds.includes(l.kind))
      .map((l) => ({ l, d: distanceKm(centre, l) }))
      .filter((x) => x.d <= radiusKm)
      .sort((a, b) => a.d - b.d)
      .slice(0, limit)
      .map((x) => x.l);
  }

  async popular(centre: GeoCentre | null, radiusKm: number, limit: number): Promise<ListingFeatures[]> {
    return [...this.popularity.entries()]
      .flatMap(([id, weight]) => {
        const l = this.listings.get(id);
        return l && l.active && (!centre || distanceKm(centre, l) <= radiusKm) ? [{ l, weight }] : [];
      })
      .sort((a, b) => b.weight - a.weight || (a.l.id < b.l.id ? -1 : 1))
      .slice(0, limit)
      .map((x) => x.l);
  }
}
