import { LivePublisher } from '@market/platform';
import type { InstanceLogLineRecord, InstanceRecord } from '../domain';
import { instanceLogLineTopic, instanceStatusTopic } from '../live/topics';

/**
 * Announces what happens to instances to live subscribers (`instanceLogs`, `instanceStatusChanged`),
 * on every replica: every stored log line and every status change, keyed by instance id, after it
 * is committed (publish or log: LivePublisher). Fire and forget: clients catch up through
 * `instanceLogLines(after:)` and `instance(id)`.
 */
export class InstanceFeed extends LivePublisher {
  /** The cursor is the line id: what `instanceLogLines(after:)` resumes from. */
  publishLogLine(line: InstanceLogLineRecord): void {
    void this.publish(instanceLogLineTopic, line.instanceId, { cursor: line.id, payload: line });
  }

  /** The cursor is when the status began; `instance(id)` gives the current one after a reconnect. */
  publishStatus(instance: InstanceRecord): void {
    void this.publish(instanceStatusTopic, instance.id, { cursor: instance.statusChangedAt.toISOString(), payload: instance });
  }
}
