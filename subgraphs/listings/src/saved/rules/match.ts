import type { ListingRecord } from '../../domain';
import type { SearchFilter } from '../../search/port';
import { allowedEdits, fold, placeWords, words, zipKey } from '../../search/text';
import { distanceKm } from '../../recommendations/rules/scoring';

/**
 * Whether one listing matches a saved search, decided for one listing at a time when it changes
 * (the search index answers the other question, which listings match a search). The same rules as
 * `searchListings`: every query word matches a word of the title, description or place, with the
 * typos search forgives (search/text.ts: one edit from 3 letters, two from 6, first letter as typed),
 * and every filter given holds.
 */
export function matchesSavedSearch(listing: ListingRecord, query: { text: string | null; filter: SearchFilter }): boolean {
  return listing.status === 'ACTIVE' && matchesFilter(listing, query.filter) && matchesText(listing, query.text);
}

/** Levenshtein distance of at most `max`, else max + 1 (no transpositions, as Elasticsearch with transpositions off). */
function editsWithin(a: string[], b: string[], max: number): boolean {
  if (Math.abs(a.length - b.length) > max) return false;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > max) return false;
    previous = current;
  }
  return (previous[b.length] ?? Infinity) <= max;
}

export function wordMatches(queryWord: string, word: string): boolean {
  if (queryWord === word) return true;
  const q = [...queryWord];
  const w = [...word];
  if (q[0] !== w[0]) return false;
  const max = allowedEdits(queryWord);
  return max > 0 && editsWithin(q, w, max);
}

function matchesText(listing: ListingRecord, text: string | null): boolean {
  const wanted = text ? words(text) : [];
  if (wanted.length === 0) return true;
  const address = [listing.address.line1, listing.address.line2 ?? ''].join(' ');
  const have = new Set([
    ...words(listing.title),
    ...words(listing.description),
    ...placeWords({ city: listing.address.city, neighbourhood: listing.neighbourhood, address, zipCode: listing.zipCode }),
  ]);
  return wanted.every((q) => have.has(q) || [...have].some((w) => wordMatches(q, w)));
}

function inBox(point: { latitude: number; longitude: number }, box: NonNullable<SearchFilter['within']>): boolean {
  if (point.latitude < box.south || point.latitude > box.north) return false;
  // west > east: the box spans the 180th meridian.
  return box.west <= box.east
    ? point.longitude >= box.west && point.longitude <= box.east
    : point.longitude >= box.west || point.longitude <= box.east;
}

function matchesFilter(l: ListingRecord, f: SearchFilter): boolean {
  const amount = Number(l.kind === 'SALE' ? l.price : l.pricePerNight);
  if (f.kind && l.kind !== f.kind) return false;
  if (f.propertyType && l.propertyType !== f.propertyType) return false;
  if (f.city && fold(l.address.city) !== fold(f.city)) return false;
  if (f.zipCode && (!l.zipCode || zipKey(l.zipCode) !== zipKey(f.zipCode))) return false;
  if (f.minPrice !== undefined && !(amount >= Number(f.minPrice))) return false;
  if (f.maxPrice !== undefined && !(amount <= Number(f.maxPrice))) return false;
  if (f.minBedrooms !== undefined && l.bedrooms < f.minBedrooms) return false;
  if (f.minBathrooms !== undefined && l.bathrooms < f.minBathrooms) return false;
  if (f.minAreaSqm !== undefined && (l.areaSqm === null || l.areaSqm < f.minAreaSqm)) return false;
  if (f.maxAreaSqm !== undefined && (l.areaSqm === null || l.areaSqm > f.maxAreaSqm)) return false;
  if (f.amenities && !f.amenities.every((a) => (l.amenities as string[]).includes(a))) return false;
  if (f.guests !== undefined && (l.maxGuests === null || l.maxGuests < f.guests)) return false;
  if (f.instantBook !== undefined && l.instantBook !== f.instantBook) return false;
  if (f.near && distanceKm(f.near, l.location) > f.near.radiusKm) return false;
  if (f.within && !inBox(l.location, f.within)) return false;
  return true;
}
