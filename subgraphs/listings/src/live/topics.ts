import { z } from 'zod';
import { defineTopic } from '@market/platform';
import { AMENITIES, CANCELLATION_POLICIES, DELETED_STATUS, LISTING_KINDS, LISTING_STATUSES, PROPERTY_TYPES } from '../domain';

/**
 * Live events (pub/sub, at-most-once, after the commit): `listings.listingUpdated`, keyed by listing
 * id, with the listing after each change, or its last state marked DELETED (cursor: its version).
 */
const money = z.string().nullable();

/**
 * `listingUpdated`: the listing as `Listing` resolves it, and who may receive it. `ownerOnly` is
 * decided when the event is published, from the status that hides a listing (DRAFT, ARCHIVED; for a
 * deletion, the status it had), so each subscriber is checked against the event it would receive.
 */
const listingUpdated = z.object({
  id: z.string(),
  ownerId: z.string(),
  title: z.string(),
  description: z.string(),
  kind: z.enum(LISTING_KINDS),
  propertyType: z.enum(PROPERTY_TYPES),
  price: money,
  currency: z.string(),
  address: z.object({
    line1: z.string(),
    line2: z.string().nullable(),
    city: z.string(),
    region: z.string().nullable(),
    country: z.string(),
  }),
  zipCode: z.string().nullable(),
  // Optional: events published by a replica from before these fields existed still parse.
  neighbourhood: z.string().nullable().default(null),
  bedrooms: z.number().int(),
  bathrooms: z.number().int(),
  toilets: z.number().int(),
  areaSqm: z.number().int().nullable().default(null),
  amenities: z.array(z.enum(AMENITIES)).default([]),
  location: z.object({ latitude: z.number(), longitude: z.number() }),
  images: z.array(z.string()),
  status: z.enum([...LISTING_STATUSES, DELETED_STATUS]),
  pricePerNight: money,
  maxGuests: z.number().int().nullable(),
  timeZone: z.string(),
  cleaningFee: money,
  minNights: z.number().int().nullable(),
  maxNights: z.number().int().nullable(),
  instantBook: z.boolean(),
  weeklyDiscountPercent: z.number().int().nullable(),
  monthlyDiscountPercent: z.number().int().nullable(),
  cancellationPolicy: z.enum(CANCELLATION_POLICIES).nullable(),
  version: z.number().int(),
  createdAt: z.coerce.date(),
  updatedAt: z.coerce.date(),
  /** Only the owner and admins may receive this event. */
  ownerOnly: z.boolean(),
});

export type ListingUpdated = z.infer<typeof listingUpdated>;

export const listingUpdatedTopic = defineTopic('listings.listingUpdated', listingUpdated);
