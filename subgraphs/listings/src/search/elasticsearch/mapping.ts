import type { estypes } from '@elastic/elasticsearch';
import type { ListingDocument } from '../port';
import { fold, placeWords, words, zipKey } from '../text';

/**
 * The listings index. Text uses the `standard` analyzer on purpose: the integ-test build we test
 * against (and any cluster without analysis-common) has no language analyzers, and listings are
 * written in many languages anyway. `dynamic: strict` refuses a document that drifted from here.
 */
export const LISTING_MAPPINGS: estypes.MappingTypeMapping = {
  dynamic: 'strict',
  properties: {
    id: { type: 'keyword' },
    // The words text.ts cut from the listing, space-separated, so the standard analyzer finds the
    // same words PostgreSQL indexes.
    titleWords: { type: 'text', analyzer: 'standard', copy_to: 'fullText' },
    placeWords: { type: 'text', analyzer: 'standard', copy_to: 'fullText' },
    descriptionWords: { type: 'text', analyzer: 'standard', copy_to: 'fullText' },
    // What free text is matched against: every word of a query may come from a different field
    // (as in PostgreSQL's one tsvector per listing).
    fullText: { type: 'text', analyzer: 'standard' },
    // Names as listings spell them (suggestions show them) and folded (filters and suggest compare them).
    title: { type: 'keyword', index: false },
    titleKey: { type: 'keyword' },
    city: { type: 'keyword', index: false },
    cityKey: { type: 'keyword' },
    neighbourhood: { type: 'keyword', index: false },
    neighbourhoodKey: { type: 'keyword' },
    kind: { type: 'keyword' },
    propertyType: { type: 'keyword' },
    status: { type: 'keyword' },
    price: { type: 'double' },
    pricePerNight: { type: 'double' },
    // The sale price of a SALE listing, the nightly price of a RENT one: the price filter, sort and facet.
    amount: { type: 'double' },
    currency: { type: 'keyword' },
    country: { type: 'keyword' },
    zipKey: { type: 'keyword' },
    bedrooms: { type: 'integer' },
    bathrooms: { type: 'integer' },
    areaSqm: { type: 'integer' },
    maxGuests: { type: 'integer' },
    instantBook: { type: 'boolean' },
    amenities: { type: 'keyword' },
    location: { type: 'geo_point' },
    ownerId: { type: 'keyword' },
    createdAt: { type: 'date' },
    updatedAt: { type: 'date' },
  },
};

export const LISTING_SETTINGS: estypes.IndicesIndexSettings = {
  number_of_shards: 1,
  // One replica once a second node exists; a single node stays green.
  auto_expand_replicas: '0-1',
};

/** What is stored for a listing (`fullText` is filled by copy_to). */
export interface ListingSource {
  id: string;
  titleWords: string;
  placeWords: string;
  descriptionWords: string;
  title: string;
  titleKey: string;
  city: string;
  cityKey: string;
  neighbourhood: string | null;
  neighbourhoodKey: string | null;
  kind: string;
  propertyType: string;
  status: string;
  price: number | null;
  pricePerNight: number | null;
  amount: number;
  currency: string;
  country: string;
  zipKey: string | null;
  bedrooms: number;
  bathrooms: number;
  areaSqm: number | null;
  maxGuests: number | null;
  instantBook: boolean;
  amenities: string[];
  location: { lat: number; lon: number };
  ownerId: string;
  createdAt: string;
  updatedAt: string;
}

export function toSource(doc: ListingDocument): ListingSource {
  return {
    id: doc.id,
    titleWords: words(doc.title).join(' '),
    placeWords: placeWords(doc).join(' '),
    descriptionWords: words(doc.description).join(' '),
    title: doc.title,
    titleKey: fold(doc.title),
    city: doc.city,
    cityKey: fold(doc.city),
    neighbourhood: doc.neighbourhood,
    neighbourhoodKey: doc.neighbourhood === null ? null : fold(doc.neighbourhood),
    kind: doc.kind,
    propertyType: doc.propertyType,
    status: doc.status,
    price: doc.price,
    pricePerNight: doc.pricePerNight,
    amount: doc.price ?? doc.pricePerNight ?? 0,
    currency: doc.currency,
    country: doc.country,
    zipKey: doc.zipCode === null ? null : zipKey(doc.zipCode),
    bedrooms: doc.bedrooms,
    bathrooms: doc.bathrooms,
    areaSqm: doc.areaSqm,
    maxGuests: doc.maxGuests,
    instantBook: doc.instantBook,
    amenities: doc.amenities,
    location: doc.location,
    ownerId: doc.ownerId,
    createdAt: doc.createdAt.toISOString(),
    updatedAt: doc.updatedAt.toISOString(),
  };
}

/** External version of a document: its listing's updatedAt, so an older state is refused (409). */
export function versionOf(doc: Pick<ListingDocument, 'updatedAt'>): number {
  return doc.updatedAt.getTime();
}
