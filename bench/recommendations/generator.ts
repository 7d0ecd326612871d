import type { InteractionKind } from '../../subgraphs/listings/src/recommendations/rules/interactions';
import type { ListingFeatures } from '../../subgraphs/listings/src/recommendations/rules/scoring';
import type { PropertyType } from '../../subgraphs/listings/src/domain';

/**
 * A seeded interaction log with a known model of what users want, so recommendations can be scored
 * against it. The model (also in bench/recommendations/RESULTS.md):
 *
 * - Six cities with their own price level. Listings sit around a city centre (σ ≈ 6 km), are SALE
 *   (45%) or RENT (55%), have a property type, 0–5 bedrooms and a price that grows with the city's
 *   level and the bedrooms. 20% of listings appear during the period (no history when they arrive).
 * - Each listing has a hidden *style* (one of 8) that no listing field shows, and a *quality*
 *   (log-normal) that makes some listings broadly popular.
 * - Each user has a home city (15% also a second one, visited 25% of the time), one kind, one or
 *   two preferred property types, a budget relative to the city's prices, a preferred number of
 *   bedrooms and a favourite style (70% of users care about it strongly).
 * - A user's interaction at time t picks, among 150 listings of the chosen city that exist at t,
 *   one with probability ∝ exp(utility): +1.5 for a preferred type, −|log(price/budget)|/0.4,
 *   −0.5 per bedroom away from the preference, +2.2 for the favourite style (if they care),
 *   +0.7·log(quality); the other kind only 5% of the time. The interaction is a VIEW (60%), a
 *   FAVORITE (20%), a request (viewing for SALE, stay for RENT, 12%) or a confirmation (8%).
 *
 * Content features see city, kind, type, price and rooms but not style; co-occurrence sees style
 * through the people who share it; popularity sees quality. A good blend needs all three.
 */

export interface Interaction {
  userId: string;
  listingId: string;
  kind: InteractionKind;
  at: Date;
}

export interface GeneratedLog {
  listings: (ListingFeatures & { createdAt: Date })[];
  interactions: Interaction[];
  users: number;
  start: Date;
  end: Date;
}

/** mulberry32: a small, fast, seedable PRNG (repeatable runs). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CITIES = [
  { name: 'Lisbon', latitude: 38.72, longitude: -9.14, level: 1.0 },
  { name: 'Porto', latitude: 41.15, longitude: -8.61, level: 0.8 },
  { name: 'Madrid', latitude: 40.42, longitude: -3.7, level: 1.2 },
  { name: 'Barcelona', latitude: 41.39, longitude: 2.17, level: 1.4 },
  { name: 'Paris', latitude: 48.86, longitude: 2.35, level: 2.0 },
  { name: 'Berlin', latitude: 52.52, longitude: 13.4, level: 1.3 },
];
const TYPES: PropertyType[] = ['APARTMENT', 'APARTMENT', 'APARTMENT', 'HOUSE', 'HOUSE', 'CONDO', 'TOWNHOUSE', 'ROOM'];
const STYLES = 8;
const DAY = 86_400_000;

export function generateLog(options: { seed: number; listings: number; users: number; days: number }): GeneratedLog {
  const random = prng(options.seed);
  const normal = () => Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const start = new Date(Date.UTC(2026, 0, 1));
  const end = new Date(start.getTime() + options.days * DAY);
  const hex = (n: number, prefix: string) => `${prefix}${n.toString(16).padStart(11, '0')}`;
  const uuid = (n: number, kind: 'a' | 'b' | 'c') => `00000000-0000-4000-${kind}000-${hex(n, '0')}`;

  const listings = Array.from({ length: options.listings }, (_, i) => {
    const cityIndex = Math.floor(random() * CITIES.length);
    const city = CITIES[cityIndex]!;
    const kind = random() < 0.45 ? 'SALE' : 'RENT';
    const propertyType = pick(TYPES);
    const bedrooms = propertyType === 'ROOM' ? 1 : Math.min(5, Math.max(0, Math.round(2 + normal() * 1.2)));
    const base = kind === 'SALE' ? 250_000 : 60;
    const amount = Math.round(base * city.level * (1 + 0.35 * bedrooms) * Math.exp(normal() * 0.3));
    const createdAt = random() < 0.2 ? new Date(start.getTime() + random() * options.days * DAY) : start;
    return {
      id: uuid(i, 'a'),
      ownerId: uuid(i, 'c'),
      kind,
      propertyType,
      amount,
      latitude: city.latitude + (normal() * 6) / 111,
      longitude: city.longitude + (normal() * 6) / (111 * Math.cos((city.latitude * Math.PI) / 180)),
      bedrooms,
      active: true,
      createdAt,
      cityIndex,
      style: Math.floor(random() * STYLES),
      quality: Math.exp(normal() * 0.8),
    } as const;
  });
  const byCity = CITIES.map((_, c) => listings.filter((l) => l.cityIndex === c));

  const interactions: Interaction[] = [];
  for (let u = 0; u < options.users; u++) {
    const userId = uuid(u, 'b');
    const home = Math.floor(random() * CITIES.length);
    const second = random() < 0.15 ? Math.floor(random() * CITIES.length) : home;
    const kind = random() < 0.45 ? 'SALE' : 'RENT';
    const types = new Set([pick(TYPES), ...(random() < 0.5 ? [pick(TYPES)] : [])]);
    const budgetFactor = Math.exp(normal() * 0.3);
    const beds = Math.min(5, Math.max(0, Math.round(2 + normal())));
    const style = Math.floor(random() * STYLES);
    const caresAboutStyle = random() < 0.7;
    const count = 3 + Math.floor(-Math.log(random() || 1e-12) * 12);
    for (let k = 0; k < count; k++) {
      const at = new Date(start.getTime() + random() * options.days * DAY);
      const cityIndex = random() < 0.25 ? second : home;
      const city = CITIES[cityIndex]!;
      const wantedKind = random() < 0.95 ? kind : kind === 'SALE' ? 'RENT' : 'SALE';
      const budget = (wantedKind === 'SALE' ? 250_000 : 60) * city.level * (1 + 0.35 * beds) * budgetFactor;
      const pool = byCity[cityIndex]!.filter((l) => l.createdAt <= at && l.kind === wantedKind);
      if (pool.length === 0) continue;
      const sample = Array.from({ length: Math.min(150, pool.length) }, () => pick(pool));
      const utilities = sample.map(
        (l) =>
          (types.has(l.propertyType) ? 1.5 : 0) -
          Math.abs(Math.log(l.amount / budget)) / 0.4 -
          0.5 * Math.abs(l.bedrooms - beds) +
          (caresAboutStyle && l.style === style ? 2.2 : 0) +
          0.7 * Math.log(l.quality),
      );
      const max = Math.max(...utilities);
      const weights = utilities.map((x) => Math.exp(x - max));
      let r = random() * weights.reduce((a, b) => a + b, 0);
      let chosen = sample[0]!;
      for (let i = 0; i < sample.length; i++) {
        r -= weights[i]!;
        if (r <= 0) {
          chosen = sample[i]!;
          break;
        }
      }
      const roll = random();
      const strong: InteractionKind =
        roll < 0.6
          ? 'VIEW'
          : roll < 0.8
            ? 'FAVORITE'
            : roll < 0.92
              ? chosen.kind === 'SALE'
                ? 'VIEWING_REQUESTED'
                : 'STAY_REQUESTED'
              : chosen.kind === 'SALE'
                ? 'VIEWING_CONFIRMED'
                : 'STAY_CONFIRMED';
      interactions.push({ userId, listingId: chosen.id, kind: strong, at });
    }
  }
  interactions.sort((a, b) => a.at.getTime() - b.at.getTime());
  return {
    listings: listings.map(({ cityIndex: _c, style: _s, quality: _q, ...features }) => features),
    interactions,
    users: options.users,
    start,
    end,
  };
}
