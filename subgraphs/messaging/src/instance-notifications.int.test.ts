import { randomUUID } from 'node:crypto';
import type { EventEnvelope, EventPayload, Identity } from '@market/platform';
import { INSTANCE_NOTIFICATIONS_CONSUMER } from './consumers/instance-notifications';
import { someone, useMessaging } from './testing/harness';

const { m, bus } = useMessaging();

type Transition = EventPayload<'instances.instance.failed'>;
type InstanceEventType =
  `instances.instance.${'requested' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed' | 'removed' | 'unhealthy'}`;

const MINE = `{ myNotifications { kind title body } }`;
const mine = async (who: Identity) =>
  (await m().call<{ myNotifications: { kind: string; title: string; body: string }[] }>(who, MINE)).data?.myNotifications ?? [];

function transition(owner: Identity, status: Transition['status'], overrides: Partial<Transition> = {}): Transition {
  return {
    instanceId: randomUUID(),
    ownerId: owner.userId,
    machineId: randomUUID(),
    machineName: 'Redis',
    status,
    previousStatus: 'RUNNING',
    host: '127.0.0.1',
    port: 20001,
    failureReason: status === 'FAILED' ? 'It exited with code 3.' : null,
    exitCode: status === 'FAILED' ? 3 : null,
    ...overrides,
  };
}

function event(type: InstanceEventType, payload: Transition): EventEnvelope {
  return {
    id: randomUUID(),
    type,
    version: 1,
    aggregateId: payload.instanceId,
    occurredAt: new Date().toISOString(),
    payload,
  } as EventEnvelope;
}

describe('instance notifications from instances.instance.*', () => {
  it('tells the owner, once, that their instance failed or stopped, and nobody else', async () => {
    const owner = someone();
    const other = someone();
    const failed = event('instances.instance.failed', transition(owner, 'FAILED'));
    const stopped = event('instances.instance.stopped', transition(owner, 'STOPPED', { previousStatus: 'STOPPING', exitCode: 0 }));
    await bus().publish([failed, failed, stopped]);
    await bus().drain();
    await bus().publish([stopped]);
    await bus().drain();

    expect(await mine(owner)).toEqual(
      expect.arrayContaining([
        { kind: 'INSTANCE', title: 'Your instance of Redis failed', body: expect.stringContaining('It exited with code 3.') },
        { kind: 'INSTANCE', title: 'Your instance of Redis stopped', body: expect.stringContaining('127.0.0.1:20001 (exit code 0)') },
      ]),
    );
    expect(await mine(owner)).toHaveLength(2);
    expect(await mine(other)).toEqual([]);
    expect(
      await m().db.inboxEvent.count({ where: { consumer: INSTANCE_NOTIFICATIONS_CONSUMER, eventId: { in: [failed.id, stopped.id] } } }),
    ).toBe(2);
    expect(await bus().deadLetters()).toEqual([]);
  });

  it('tells the owner their running instance failed its health check, with how, once', async () => {
    const owner = someone();
    const unhealthy = event(
      'instances.instance.unhealthy',
      transition(owner, 'UNHEALTHY', { failureReason: 'GET /health answered 503', port: 20007 }),
    );
    await bus().publish([unhealthy, unhealthy]);
    await bus().drain();
    expect(await mine(owner)).toEqual([
      {
        kind: 'INSTANCE',
        title: 'Your instance of Redis is unhealthy',
        body: expect.stringContaining('127.0.0.1:20007 but failed its health check: GET /health answered 503'),
      },
    ]);
    expect(await bus().deadLetters()).toEqual([]);
  });

  it('says nothing about the other transitions', async () => {
    const owner = someone();
    const id = randomUUID();
    for (const [type, status] of [
      ['instances.instance.requested', 'REQUESTED'],
      ['instances.instance.starting', 'STARTING'],
      ['instances.instance.running', 'RUNNING'],
      ['instances.instance.stopping', 'STOPPING'],
      ['instances.instance.removed', 'REMOVED'],
    ] as const) {
      await bus().publish([event(type, transition(owner, status, { instanceId: id }))]);
    }
    await bus().drain();
    expect(await mine(owner)).toEqual([]);
  });

  it('sends an event whose owner is not a user id to dead letters', async () => {
    const bad = event('instances.instance.failed', { ...transition(someone(), 'FAILED'), ownerId: 'not-a-uuid' });
    await bus().publish([bad]);
    await bus().drain();
    expect((await bus().deadLetters()).map((d) => (d.event as { id: string }).id)).toContain(bad.id);
  });
});
