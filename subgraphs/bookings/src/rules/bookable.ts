import type { ListingSnapshot } from '../domain';

/** Whether guests can book the listing now. */
export function isBookable(listing: ListingSnapshot | null): listing is ListingSnapshot & { pricePerNight: string } {
  return (
    listing !== null &&
    listing.deletedAt === null &&
    listing.kind === 'RENT' &&
    listing.status === 'ACTIVE' &&
    listing.pricePerNight !== null
  );
}
