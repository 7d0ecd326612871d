import { publishLiveEvent, type LiveEvent, type Logger, type PubSub } from '@market/platform';
import { DELETED_STATUS, PRIVATE_STATUSES, deletedView, type ListingRecord, type ListingView } from '../domain';
import { listingUpdatedTopic } from '../live/topics';

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

/**
 * A listing's subscription ends with its deletion: nothing more can happen to it. The DELETED event
 * is let through `authorize` for every subscriber and decided here, once: whoever could see the
 * listing's last state gets it and then the subscription completes; anyone else (a stranger watching
 * a listing that was hidden when it was deleted) sees it complete with no data. Ending releases the
 * channel at once. Delivery is at-most-once, so a subscriber that misses the event stays subscribed
 * to a silent channel until it leaves, as after any lost event.
 */
export function endWithDeletion<E extends LiveEvent<{ status: string }>>(
  events: AsyncIterableIterator<E>,
  mayReceive: (event: E) => boolean | Promise<boolean>,
): AsyncIterableIterator<E> {
  let ended = false;
  const end = async (): Promise<IteratorReturnResult<undefined>> => {
    ended = true;
    await events.return?.();
    return { value: undefined, done: true };
  };
  return {
    async next(): Promise<IteratorResult<E>> {
      if (ended) return { value: undefined, done: true };
      const item = await events.next();
      if (item.done) {
        ended = true;
        return item;
      }
      if (item.value.payload.status !== DELETED_STATUS) return item;
      // Fail closed, like `authorize`: a check that cannot decide does not deliver.
      const deliver = await Promise.resolve()
        .then(() => mayReceive(item.value))
        .catch(() => false);
      await end();
      return deliver ? item : { value: undefined, done: true };
    },
    return: end,
    async throw(error?: unknown): Promise<IteratorResult<E>> {
      await end();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
