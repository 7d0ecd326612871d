import { DOWN_STATUSES, type InstanceRecord } from '../domain';

/** Uptime and downtime in whole seconds, including the time spent in the current status until `now`. */
export function availability(
  instance: Pick<InstanceRecord, 'status' | 'statusChangedAt' | 'uptimeMs' | 'downtimeMs'>,
  now: Date,
): { uptimeSeconds: number; downtimeSeconds: number } {
  const current = Math.max(0, now.getTime() - instance.statusChangedAt.getTime());
  const up = instance.uptimeMs + (instance.status === 'RUNNING' ? current : 0);
  const down = instance.downtimeMs + (DOWN_STATUSES.includes(instance.status) ? current : 0);
  return { uptimeSeconds: Math.floor(up / 1000), downtimeSeconds: Math.floor(down / 1000) };
}
