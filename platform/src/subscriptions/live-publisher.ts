import type { Logger } from '../logger';
import type { PubSub } from '../redis/pubsub';
import { publishLiveEvent, type LiveEvent, type Topic } from './topic';

/**
 * Announces committed changes to live subscribers, on every replica. Delivery is at-most-once and
 * the change is already stored, so a failed publish is logged (a warning: nothing is lost, clients
 * catch up), never thrown: the caller's change succeeded. A subgraph extends it with one method
 * per thing it announces, which picks the topic, the channel key and the cursor.
 */
export class LivePublisher {
  constructor(
    protected readonly pubsub: PubSub,
    protected readonly logger: Logger,
    /** How a subscriber that missed an event catches up, for the log line (`subscribers catch up by ...`). */
    private readonly catchUp = 'subscribers catch up by cursor',
  ) {}

  /** Resolves once the event is sent, or its failure logged; never rejects. */
  async publish<P>(topic: Topic<P>, key: string, event: LiveEvent<P>): Promise<void> {
    try {
      await publishLiveEvent(this.pubsub, topic, key, event);
    } catch (err) {
      this.logger.warn({ err, topic: topic.name, key }, `live event not published; ${this.catchUp}`);
    }
  }
}
