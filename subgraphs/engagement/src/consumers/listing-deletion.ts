import type { EventEnvelope } from '@market/platform';
import type { Tx } from '../db';
import { isUuid } from '../domain';
import { CleanupRepository } from '../repositories/cleanup';

/** listings.listing.deleted: posts about it stay (detached); the comments, reactions, feedback and views on it go. */
export const listingDeletionHandlers = {
  'listings.listing.deleted': async (event: EventEnvelope<'listings.listing.deleted'>, tx: Tx): Promise<void> => {
    if (isUuid(event.payload.listingId)) await new CleanupRepository(tx).forgetListing(event.payload.listingId);
  },
};
