import type { EventEnvelope } from '@market/platform';
import type { NewNotification } from './notification-service';

/** The instances events that become INSTANCE notifications: the owner's instance stopped, failed, or failed its health check. */
export const INSTANCE_EVENT_TYPES = ['instances.instance.stopped', 'instances.instance.failed', 'instances.instance.unhealthy'] as const;
export type InstanceEventType = (typeof INSTANCE_EVENT_TYPES)[number];

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * What the owner reads when their instance stopped, failed, or stopped answering its health check
 * (still running, but not serving: `failureReason` says how the check failed). The dedupe key names the event, so it
 * is stored once however often the event arrives.
 */
export function instanceNotification(event: EventEnvelope<InstanceEventType>): NewNotification {
  const i = event.payload;
  const exit = i.exitCode === null ? '' : ` (exit code ${i.exitCode})`;
  if (event.type === 'instances.instance.unhealthy') {
    return {
      recipientId: i.ownerId,
      kind: 'INSTANCE',
      title: clip(`Your instance of ${i.machineName} is unhealthy`, 200),
      body: clip(
        `It is running at ${i.host}:${i.port} but failed its health check: ${i.failureReason ?? 'no answer'}. Restart it, or remove it to free its slot.`,
        2000,
      ),
      dedupeKey: `instance-event:${event.id}`,
    };
  }
  const failed = event.type === 'instances.instance.failed';
  return {
    recipientId: i.ownerId,
    kind: 'INSTANCE',
    title: clip(`Your instance of ${i.machineName} ${failed ? 'failed' : 'stopped'}`, 200),
    body: clip(
      failed
        ? `${i.failureReason ?? 'It stopped working.'}${exit} It was at ${i.host}:${i.port}. Start it again, or remove it to free its slot.`
        : `It is no longer running at ${i.host}:${i.port}${exit}. Start it again, or remove it to free its slot.`,
      2000,
    ),
    dedupeKey: `instance-event:${event.id}`,
  };
}
