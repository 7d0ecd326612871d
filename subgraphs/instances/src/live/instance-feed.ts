import { publishLiveEvent, type Logger, type PubSub, type Topic } from '@market/platform';
import type { InstanceLogLineRecord, InstanceRecord } from '../domain';
import { instanceLogLineTopic, instanceStatusTopic } from '../live/topics';

/**
 * Announces what happens to instances to live subscribers (`instanceLogs`, `instanceStatusChanged`),
 * on every replica: every stored log line and every status change, keyed by instance id, after it
 * is committed. At-most-once and already stored, so a failed publish is logged, never thrown:
 * clients catch up through `instanceLogLines(after:)` and `instance(id)`.
 */
export class InstanceFeed {
  constructor(
    private readonly pubsub: PubSub,
    private readonly logger: Logger,
  ) {}

  /** The cursor is the line id: what `instanceLogLines(after:)` resumes from. */
  publishLogLine(line: InstanceLogLineRecord): void {
    this.publish(instanceLogLineTopic, line.instanceId, line.id, line);
  }

  /** The cursor is when the status began; `instance(id)` gives the current one after a reconnect. */
  publishStatus(instance: InstanceRecord): void {
    this.publish(instanceStatusTopic, instance.id, instance.statusChangedAt.toISOString(), instance);
  }

  private publish<P>(topic: Topic<P>, key: string, cursor: string, payload: P): void {
    publishLiveEvent(this.pubsub, topic, key, { cursor, payload }).catch((err: unknown) => {
      this.logger.warn({ err, topic: topic.name }, 'live event not published; subscribers catch up by cursor');
    });
  }
}
