import type { EventEnvelope, EventPayload } from '@market/platform';
import { instanceNotification, type InstanceEventType } from './instance-notifications';

const payload = (status: 'STOPPED' | 'FAILED', overrides: Partial<EventPayload<'instances.instance.failed'>> = {}) => ({
  instanceId: 'i-1',
  ownerId: 'owner-1',
  machineId: 'm-1',
  machineName: 'Postgres 16',
  status,
  previousStatus: status === 'FAILED' ? ('RUNNING' as const) : ('STOPPING' as const),
  host: '127.0.0.1',
  port: 20003,
  failureReason: status === 'FAILED' ? 'It exited with code 3.' : null,
  exitCode: status === 'FAILED' ? 3 : 0,
  ...overrides,
});

const event = <T extends InstanceEventType>(type: T, p: EventPayload<T>): EventEnvelope<T> => ({
  id: 'e-1',
  type,
  version: 1,
  aggregateId: p.instanceId,
  occurredAt: '2026-11-22T10:00:00.000Z',
  payload: p,
});

describe('instanceNotification', () => {
  it('tells the owner their instance failed, why, and what to do', () => {
    expect(instanceNotification(event('instances.instance.failed', payload('FAILED')))).toEqual({
      recipientId: 'owner-1',
      kind: 'INSTANCE',
      title: 'Your instance of Postgres 16 failed',
      body: 'It exited with code 3. (exit code 3) It was at 127.0.0.1:20003. Start it again, or remove it to free its slot.',
      dedupeKey: 'instance-event:e-1',
    });
  });

  it('tells the owner their instance stopped', () => {
    const n = instanceNotification(event('instances.instance.stopped', payload('STOPPED', { exitCode: null })));
    expect(n.title).toBe('Your instance of Postgres 16 stopped');
    expect(n.body).toBe('It is no longer running at 127.0.0.1:20003. Start it again, or remove it to free its slot.');
  });

  it('keeps the title within 200 characters', () => {
    expect(
      instanceNotification(event('instances.instance.failed', payload('FAILED', { machineName: 'x'.repeat(300) }))).title,
    ).toHaveLength(200);
  });
});
