import type { EventEnvelope } from '@market/platform';
import type { Tx } from '../db';
import { isUuid } from '../domain';
import { CleanupRepository } from '../repositories/cleanup';

/** listings.listing.deleted: the engagement about the listing goes with it. */
export const listingDeletionHandlers = {
  'listings.listing.deleted': async (event: EventEnvelope<'listings.listing.deleted'>, tx: Tx): Promise<void> => {
    if (isUuid(event.payload.listingId)) await new CleanupRepository(tx).forgetListing(event.payload.listingId);
  },
};
