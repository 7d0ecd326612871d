import { publishLiveEvent, type Logger, type PubSub } from '@market/platform';
import { PRIVATE_STATUSES, deletedView, type ListingRecord, type ListingView } from '../domain';
import { listingUpdatedTopic } from '../events';

/**
 * Announces committed listing changes to `listingUpdated` subscribers, on every replica. Delivery is
 * at-most-once and the change is already stored, so a failed publish is logged, never thrown: the
 * caller's change succeeded, and a client catches up by reading `listing(id)`.
 */
export class LiveUpdates {
  constructor(
    private readonly pubsub: PubSub,
    private readonly logger: Logger,
  ) {}

  /** After an update committed: the listing as it now is. */
  listingChanged(listing: ListingRecord): Promise<void> {
    return this.publish(listing, PRIVATE_STATUSES.includes(listing.status));
  }

  /** After a deletion committed: its last state, marked DELETED, seen by whoever could see that state. */
  listingDeleted(last: ListingRecord, deletedAt: Date = new Date()): Promise<void> {
    return this.publish(deletedView(last, deletedAt), PRIVATE_STATUSES.includes(last.status));
  }

  private async publish(listing: ListingView, ownerOnly: boolean): Promise<void> {
    try {
      await publishLiveEvent(this.pubsub, listingUpdatedTopic, listing.id, { cursor: String(listing.version), payload: { ...listing, ownerOnly } });
    } catch (err) {
      this.logger.error({ err, topic: listingUpdatedTopic.name }, 'live event not published; subscribers catch up by reading the listing');
    }
  }
}
