import type { Db, Tx } from '../db';
import { isUuid } from '@market/platform';
import { BROWSABLE_STATUS, type ListingKind, type PropertyType } from '../domain';
import type { RecommendationStore } from '../recommendations/engine';
import { interactionDelta, PAIR_HISTORY_LIMIT, type AffinityEntry, type InteractionKind } from '../recommendations/rules/interactions';
import type { GeoCentre, ListingFeatures } from '../recommendations/rules/scoring';

interface FeatureRow {
  id: string;
  owner_id: string;
  kind: ListingKind;
  property_type: PropertyType;
  amount: string | null;
  latitude: number;
  longitude: number;
  bedrooms: number;
  status: string;
}

const FEATURES = `l.id::text AS id, l.owner_id::text AS owner_id, l.kind::text AS kind, l.property_type::text AS property_type,
  COALESCE(l.price, l.price_per_night)::text AS amount, l.latitude, l.longitude, l.bedrooms, l.status::text AS status`;

function toFeatures(row: FeatureRow): ListingFeatures {
  return {
    id: row.id,
    ownerId: row.owner_id,
    kind: row.kind,
    propertyType: row.property_type,
    amount: Number(row.amount ?? 0),
    latitude: row.latitude,
    longitude: row.longitude,
    bedrooms: row.bedrooms,
    active: row.status === BROWSABLE_STATUS,
  };
}

/** Degrees of latitude and longitude spanning `km` around a point (a box the distance then refines). */
function box(centre: GeoCentre, km: number) {
  const dLat = km / 111.2;
  const dLon = km / (111.2 * Math.max(0.01, Math.cos((centre.latitude * Math.PI) / 180)));
  return { south: centre.latitude - dLat, north: centre.latitude + dLat, west: centre.longitude - dLon, east: centre.longitude + dLon };
}

/** Great-circle distance in km between the listing `l` and a point given as two parameters. */
const DISTANCE_SQL = (lat: string, lon: string) =>
  `(2 * 6371 * asin(least(1, sqrt(power(sin(radians(l.latitude - ${lat}) / 2), 2) + cos(radians(${lat})) * cos(radians(l.latitude)) * power(sin(radians(l.longitude - ${lon}) / 2), 2)))))`;

/**
 * The learned state of recommendations in PostgreSQL. `record` applies rules/interactions.ts's
 * delta in one transaction, serialized per user by an advisory lock, so two interactions of one user
 * never both read the history the other is changing; rows of different users add up commutatively.
 */
export class RecommendationRepository implements RecommendationStore {
  constructor(private readonly db: Db) {}

  async record(userId: string, listingId: string, kind: InteractionKind, at: Date): Promise<boolean> {
    if (!isUuid(userId) || !isUuid(listingId)) return false;
    return this.db.$transaction((tx) => RecommendationRepository.recordIn(tx, userId.toLowerCase(), listingId.toLowerCase(), kind, at));
  }

  /** `record` inside the caller's transaction (event consumers: the effect commits with the inbox row). */
  static async recordIn(tx: Tx, userId: string, listingId: string, kind: InteractionKind, at: Date): Promise<boolean> {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`recs:${userId}`}, 0))`;
    const [listing] = await tx.$queryRaw<
      { owner_id: string }[]
    >`SELECT owner_id::text AS owner_id FROM listings WHERE id = ${listingId}::uuid`;
    // A listing deleted meanwhile, or the user's own: nothing to learn.
    if (!listing || listing.owner_id === userId) return false;
    const history = await RecommendationRepository.historyIn(tx, userId, PAIR_HISTORY_LIMIT);
    const delta = interactionDelta(history, listingId, kind);
    if (!delta) {
      await tx.$executeRaw`UPDATE recommendation_affinities SET last_at = GREATEST(last_at, ${at}::timestamptz)
        WHERE user_id = ${userId}::uuid AND listing_id = ${listingId}::uuid`;
      return false;
    }
    await tx.$executeRaw`INSERT INTO recommendation_affinities (user_id, listing_id, affinity, first_at, last_at)
      VALUES (${userId}::uuid, ${listingId}::uuid, ${delta.affinity}, ${at}::timestamptz, ${at}::timestamptz)
      ON CONFLICT (user_id, listing_id) DO UPDATE SET affinity = EXCLUDED.affinity, last_at = GREATEST(recommendation_affinities.last_at, EXCLUDED.last_at)`;
    await tx.$executeRaw`INSERT INTO recommendation_popularity (listing_id, weight, users, updated_at)
      VALUES (${listingId}::uuid, ${delta.popularityDelta}, ${delta.newUsers || 1}, now())
      ON CONFLICT (listing_id) DO UPDATE SET weight = recommendation_popularity.weight + EXCLUDED.weight,
        users = recommendation_popularity.users + ${delta.newUsers}, updated_at = now()`;
    if (delta.pairs.length > 0) {
      const a: string[] = [];
      const b: string[] = [];
      const w: number[] = [];
      for (const pair of delta.pairs) {
        a.push(listingId, pair.otherId);
        b.push(pair.otherId, listingId);
        w.push(pair.delta, pair.delta);
      }
      // In key order, so two transactions touching the same pairs lock them in the same order.
      await tx.$executeRaw`INSERT INTO recommendation_cooccurrence (listing_id, other_id, weight)
        SELECT p.a, p.b, p.w FROM unnest(${a}::uuid[], ${b}::uuid[], ${w}::float8[]) AS p(a, b, w)
        WHERE EXISTS (SELECT 1 FROM listings WHERE id = p.b) AND EXISTS (SELECT 1 FROM listings WHERE id = p.a)
        ORDER BY p.a, p.b
        ON CONFLICT (listing_id, other_id) DO UPDATE SET weight = recommendation_cooccurrence.weight + EXCLUDED.weight`;
    }
    return true;
  }

  private static async historyIn(tx: Tx | Db, userId: string, limit: number): Promise<AffinityEntry[]> {
    const rows = await tx.$queryRaw<{ listing_id: string; affinity: number }[]>`
      SELECT listing_id::text AS listing_id, affinity FROM recommendation_affinities
      WHERE user_id = ${userId}::uuid ORDER BY last_at DESC, listing_id LIMIT ${limit}`;
    return rows.map((r) => ({ listingId: r.listing_id, affinity: r.affinity }));
  }

  async history(userId: string, limit: number): Promise<AffinityEntry[]> {
    if (!isUuid(userId)) return [];
    return RecommendationRepository.historyIn(this.db, userId.toLowerCase(), limit);
  }

  async features(ids: readonly string[]): Promise<ListingFeatures[]> {
    const wanted = [...new Set(ids.filter(isUuid))];
    if (wanted.length === 0) return [];
    const rows = await this.db.$queryRawUnsafe<FeatureRow[]>(`SELECT ${FEATURES} FROM listings l WHERE l.id = ANY($1::uuid[])`, wanted);
    return rows.map(toFeatures);
  }

  async neighbours(ids: readonly string[], perListing: number): Promise<{ listingId: string; otherId: string; weight: number }[]> {
    const wanted = [...new Set(ids.filter(isUuid))];
    if (wanted.length === 0) return [];
    // One index range per listing (listing_id, weight DESC).
    const rows = await this.db.$queryRaw<{ listing_id: string; other_id: string; weight: number }[]>`
      SELECT s.id::text AS listing_id, c.other_id::text AS other_id, c.weight
      FROM unnest(${wanted}::uuid[]) AS s(id)
      CROSS JOIN LATERAL (SELECT other_id, weight FROM recommendation_cooccurrence WHERE listing_id = s.id ORDER BY weight DESC LIMIT ${perListing}) c`;
    return rows.map((r) => ({ listingId: r.listing_id, otherId: r.other_id, weight: r.weight }));
  }

  async norms(ids: readonly string[]): Promise<Map<string, number>> {
    const wanted = [...new Set(ids.filter(isUuid))];
    if (wanted.length === 0) return new Map();
    const rows = await this.db.$queryRaw<{ listing_id: string; weight: number }[]>`
      SELECT listing_id::text AS listing_id, weight FROM recommendation_popularity WHERE listing_id = ANY(${wanted}::uuid[])`;
    return new Map(rows.map((r) => [r.listing_id, r.weight]));
  }

  async nearby(centre: GeoCentre, radiusKm: number, kinds: readonly ListingKind[], limit: number): Promise<ListingFeatures[]> {
    const b = box(centre, radiusKm);
    const rows = await this.db.$queryRawUnsafe<FeatureRow[]>(
      `SELECT ${FEATURES} FROM listings l
       WHERE l.status = 'ACTIVE' AND l.kind::text = ANY($1::text[])
         AND l.latitude BETWEEN $2 AND $3 AND l.longitude BETWEEN $4 AND $5
         AND ${DISTANCE_SQL('$6', '$7')} <= $8
       ORDER BY ${DISTANCE_SQL('$6', '$7')}, l.id LIMIT $9`,
      [...kinds],
      b.south,
      b.north,
      b.west,
      b.east,
      centre.latitude,
      centre.longitude,
      radiusKm,
      limit,
    );
    return rows.map(toFeatures);
  }

  async popular(centre: GeoCentre | null, radiusKm: number, limit: number): Promise<ListingFeatures[]> {
    if (!centre) {
      const rows = await this.db.$queryRawUnsafe<FeatureRow[]>(
        `SELECT ${FEATURES} FROM recommendation_popularity p JOIN listings l ON l.id = p.listing_id
         WHERE l.status = 'ACTIVE' ORDER BY p.weight DESC, l.id LIMIT $1`,
        limit,
      );
      return rows.map(toFeatures);
    }
    const b = box(centre, radiusKm);
    const rows = await this.db.$queryRawUnsafe<FeatureRow[]>(
      `SELECT ${FEATURES} FROM recommendation_popularity p JOIN listings l ON l.id = p.listing_id
       WHERE l.status = 'ACTIVE' AND l.latitude BETWEEN $1 AND $2 AND l.longitude BETWEEN $3 AND $4
         AND ${DISTANCE_SQL('$5', '$6')} <= $7
       ORDER BY p.weight DESC, l.id LIMIT $8`,
      b.south,
      b.north,
      b.west,
      b.east,
      centre.latitude,
      centre.longitude,
      radiusKm,
      limit,
    );
    return rows.map(toFeatures);
  }

  /** Forgets a deleted user's interests (their share of co-occurrence and popularity is anonymous and stays). */
  static async forgetUser(tx: Tx, userId: string): Promise<void> {
    if (!isUuid(userId)) return;
    await tx.$executeRaw`DELETE FROM recommendation_affinities WHERE user_id = ${userId}::uuid`;
  }
}
