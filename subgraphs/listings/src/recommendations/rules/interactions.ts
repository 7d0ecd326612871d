/**
 * What an interaction tells recommendations, and how one interaction changes the learned state.
 * Pure: the service applies these deltas to PostgreSQL (repositories/recommendation-repository.ts),
 * `npm run recommendations:evaluate` applies them to memory; both learn exactly the same thing.
 */

/** Interactions a user can have with a listing, weakest signal first. */
export const INTERACTION_KINDS = [
  'VIEW',
  'REACTION',
  'FAVORITE',
  'VIEWING_REQUESTED',
  'STAY_REQUESTED',
  'VIEWING_CONFIRMED',
  'STAY_CONFIRMED',
] as const;
export type InteractionKind = (typeof INTERACTION_KINDS)[number];

/**
 * How much each kind says about interest. A view is cheap and often idle; saving, asking to visit and
 * booking cost the user something, so they weigh more.
 */
export const INTERACTION_WEIGHTS: Record<InteractionKind, number> = {
  VIEW: 1,
  REACTION: 1.5,
  FAVORITE: 3,
  VIEWING_REQUESTED: 4,
  STAY_REQUESTED: 4,
  VIEWING_CONFIRMED: 5,
  STAY_CONFIRMED: 5,
};

/**
 * Co-occurrence is counted against a user's most recent listings only, so one interaction costs a
 * bounded number of row updates however long a user's history grows.
 */
export const PAIR_HISTORY_LIMIT = 200;

/** One listing a user has shown interest in. */
export interface AffinityEntry {
  listingId: string;
  affinity: number;
}

/** What one interaction changes: the user's affinity, the listing's popularity, and its co-occurrences. */
export interface InteractionDelta {
  listingId: string;
  /** The user's affinity for the listing after the interaction. */
  affinity: number;
  /** Added to the listing's popularity weight (Σ affinity over users). */
  popularityDelta: number;
  /** 1 when this is the user's first interaction with the listing. */
  newUsers: 0 | 1;
  /** Added to co(listing, other) and co(other, listing), for each other listing whose pair changed. */
  pairs: { otherId: string; delta: number }[];
}

/**
 * The change one interaction makes, given the user's current affinities (their `PAIR_HISTORY_LIMIT`
 * most recent, which may include this listing). co(i, j) = Σ_u min(a_ui, a_uj): raising a_ui from
 * `old` to `new` adds min(new, a_uj) - min(old, a_uj) to each pair, exactly. Null when the
 * interaction is not stronger than what the user already showed (nothing to learn).
 */
export function interactionDelta(history: readonly AffinityEntry[], listingId: string, kind: InteractionKind): InteractionDelta | null {
  const weight = INTERACTION_WEIGHTS[kind];
  const previous = history.find((h) => h.listingId === listingId)?.affinity ?? 0;
  if (weight <= previous) return null;
  const pairs: InteractionDelta['pairs'] = [];
  for (const other of history) {
    if (other.listingId === listingId) continue;
    const delta = Math.min(weight, other.affinity) - Math.min(previous, other.affinity);
    if (delta > 0) pairs.push({ otherId: other.listingId, delta });
  }
  return { listingId, affinity: weight, popularityDelta: weight - previous, newUsers: previous === 0 ? 1 : 0, pairs };
}

/** Item-item similarity from co-occurrence: a weighted cosine, co(i, j) / sqrt(n_i · n_j). */
export function cooccurrenceSimilarity(co: number, normA: number, normB: number): number {
  return normA > 0 && normB > 0 ? co / Math.sqrt(normA * normB) : 0;
}
