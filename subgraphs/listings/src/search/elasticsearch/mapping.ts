import type { estypes } from '@elastic/elasticsearch';
import type { ListingDocument } from '../port';

/**
 * The listings index. Text uses the `standard` analyzer on purpose: the integ-test build we test
 * against (and any cluster without analysis-common) has no language analyzers, and listings are
 * written in many languages anyway. `dynamic: strict` refuses a document that drifted from here.
 */
export const LISTING_MAPPINGS: estypes.MappingTypeMapping = {
  dynamic: 'strict',
  properties: {
    id: { type: 'keyword' },
    title: { type: 'text', analyzer: 'standard', copy_to: 'fullText' },
    description: { type: 'text', analyzer: 'standard', copy_to: 'fullText' },
    // What free text is matched against: title, description and city together, so every word of
    // a query may come from a different field (as in PostgreSQL's one tsvector per listing).
    fullText: { type: 'text', analyzer: 'standard' },
    kind: { type: 'keyword' },
    propertyType: { type: 'keyword' },
    status: { type: 'keyword' },
    price: { type: 'double' },
    pricePerNight: { type: 'double' },
    currency: { type: 'keyword' },
    // `lowercase` is a built-in normalizer: the city filter ignores case, like `listings(filter:)`.
    city: { type: 'keyword', normalizer: 'lowercase', copy_to: 'fullText' },
    country: { type: 'keyword' },
    zipCode: { type: 'keyword' },
    bedrooms: { type: 'integer' },
    bathrooms: { type: 'integer' },
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
export type ListingSource = Omit<ListingDocument, 'createdAt' | 'updatedAt'> & { createdAt: string; updatedAt: string };

export function toSource(doc: ListingDocument): ListingSource {
  return { ...doc, createdAt: doc.createdAt.toISOString(), updatedAt: doc.updatedAt.toISOString() };
}

/** External version of a document: its listing's updatedAt, so an older state is refused (409). */
export function versionOf(doc: Pick<ListingDocument, 'updatedAt'>): number {
  return doc.updatedAt.getTime();
}
