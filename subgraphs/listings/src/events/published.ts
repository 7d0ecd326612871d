import { enqueueEvent, type EventPayload, type RawSql } from '@market/platform';
import type { ListingRecord } from '../domain';

/**
 * What listings tells other services, through the outbox in the same transaction as the change:
 * `listings.listing.upserted` on every create and update, `listings.listing.deleted` on delete (also
 * for each listing of a deleted user). `npm run republish` (republish/) writes a fresh
 * `listings.listing.upserted` with the current state of every listing, for a consumer that joins
 * late. What listings consumes is in consumers/; its live topic in live/topics.ts.
 */
export const PUBLISHED_EVENTS = ['listings.listing.upserted', 'listings.listing.deleted'] as const;

export function listingUpsertedPayload(listing: ListingRecord): EventPayload<'listings.listing.upserted'> {
  return {
    listingId: listing.id,
    ownerId: listing.ownerId,
    title: listing.title,
    kind: listing.kind,
    status: listing.status,
    price: listing.price,
    pricePerNight: listing.pricePerNight,
    currency: listing.currency,
    maxGuests: listing.maxGuests,
    timeZone: listing.timeZone,
    cleaningFee: listing.cleaningFee,
    minNights: listing.minNights,
    maxNights: listing.maxNights,
    instantBook: listing.instantBook,
    amenities: listing.amenities,
    areaSqm: listing.areaSqm,
    neighbourhood: listing.neighbourhood,
    city: listing.address.city,
    country: listing.address.country,
    weeklyDiscountPercent: listing.weeklyDiscountPercent,
    monthlyDiscountPercent: listing.monthlyDiscountPercent,
    // The contract reads an absent policy as MODERATE; SALE listings have none.
    ...(listing.cancellationPolicy ? { cancellationPolicy: listing.cancellationPolicy } : {}),
    // Taken under the write's row lock: consumers order a listing's events by it, not by clocks.
    version: listing.version,
  };
}

/** The deletion is one version past the listing's last state, as its last `listingUpdated` event says. */
export function listingDeletedPayload(
  listing: Pick<ListingRecord, 'id' | 'ownerId' | 'version'>,
): EventPayload<'listings.listing.deleted'> {
  return { listingId: listing.id, ownerId: listing.ownerId, version: listing.version + 1 };
}

export async function publishListingUpserted(tx: RawSql, listing: ListingRecord): Promise<void> {
  await enqueueEvent(tx, 'listings.listing.upserted', listing.id, listingUpsertedPayload(listing));
}

export async function publishListingDeleted(tx: RawSql, listing: Pick<ListingRecord, 'id' | 'ownerId' | 'version'>): Promise<void> {
  await enqueueEvent(tx, 'listings.listing.deleted', listing.id, listingDeletedPayload(listing));
}
