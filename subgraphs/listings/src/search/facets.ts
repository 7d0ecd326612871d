import type { ListingKind } from '../domain';
import { PRICE_BUCKETS, type FacetCount, type PriceBucketCount, type SearchFacets } from './port';

/** The bucket whose lower boundary is `min`: up to the next boundary, open-ended after the last. */
export function bucketRange(kind: ListingKind, min: number): { kind: ListingKind; min: number; max: number | null } {
  const bounds = PRICE_BUCKETS[kind];
  const next = bounds[bounds.indexOf(min) + 1];
  return { kind, min, max: next ?? null };
}

const byCount = (a: FacetCount, b: FacetCount) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0);

/**
 * One order whatever the backend: values by count (most first) then name; bedrooms and prices in
 * their natural order. Empty buckets are left out on both.
 */
export function orderFacets(facets: SearchFacets): SearchFacets {
  const nonEmpty = (counts: FacetCount[]) => counts.filter((c) => c.count > 0);
  return {
    propertyTypes: nonEmpty(facets.propertyTypes).sort(byCount),
    kinds: nonEmpty(facets.kinds).sort(byCount),
    bedrooms: nonEmpty(facets.bedrooms).sort((a, b) => Number(a.value) - Number(b.value)),
    amenities: nonEmpty(facets.amenities).sort(byCount),
    prices: facets.prices
      .filter((p: PriceBucketCount) => p.count > 0)
      .sort((a, b) => (a.kind === b.kind ? a.min - b.min : a.kind < b.kind ? -1 : 1)),
  };
}
