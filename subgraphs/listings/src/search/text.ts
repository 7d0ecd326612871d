/**
 * How search cuts text into words, for both adapters. Both index the words cut here (PostgreSQL in
 * its tsvector, Elasticsearch in text fields whose standard analyzer only splits them again on the
 * spaces between them) and both cut query text here, so a word means the same thing on either side.
 */

/** Longer "words" (hashes, URLs glued together) are not worth matching and only bloat the index. */
const MAX_WORD_LENGTH = 40;

/** Lower case, accents dropped, whitespace runs made single: "  São  Paulo " → "sao paulo". */
export function fold(value: string): string {
  return value.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/gu, ' ').trim();
}

/** The words of a text: runs of letters and digits, folded. */
export function words(value: string): string[] {
  return (fold(value).match(/[\p{L}\p{N}]+/gu) ?? []).filter((word) => [...word].length <= MAX_WORD_LENGTH);
}

/**
 * How many edits a query word forgives, as Elasticsearch's `fuzziness: AUTO`: none up to 2
 * characters, one from 3, two from 6. The first character must match exactly (prefix_length 1).
 */
export function allowedEdits(word: string): number {
  const length = [...word].length;
  if (length < 3) return 0;
  return length < 6 ? 1 : 2;
}

/** City, neighbourhood, street lines and postal code: where a listing is, as words. */
export function placeWords(place: { city: string; neighbourhood: string | null; address: string; zipCode: string | null }): string[] {
  return words([place.city, place.neighbourhood ?? '', place.address, place.zipCode ?? ''].join(' '));
}

/** A postal code as the zip filter compares it: upper case, no spaces or dashes. */
export function zipKey(zip: string): string {
  return zip.toUpperCase().replace(/[\s-]+/g, '');
}
