import { createLogger, MemoryPubSub } from '@market/platform';
import type { InstanceLogLineRecord, InstanceRecord } from '../domain';
import { instanceLogLineTopic, instanceStatusTopic } from '../live/topics';
import { InstanceFeed } from './instance-feed';

const logger = createLogger('test', 'silent');
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

const instance = (id: string, status: InstanceRecord['status']): InstanceRecord => ({
  id,
  machineId: 'm',
  machineVersion: 1,
  restartCount: 0,
  ownerId: 'o',
  status,
  host: '127.0.0.1',
  port: 20000,
  driver: 'PROCESS',
  runtimeRef: null,
  failureReason: null,
  exitCode: null,
  startedAt: null,
  stoppedAt: null,
  removedAt: null,
  statusChangedAt: new Date('2026-01-01T10:00:00Z'),
  uptimeMs: 0,
  downtimeMs: 0,
  deleteVolume: false,
  releasedAt: null,
  createdAt: new Date('2026-01-01T09:00:00Z'),
  updatedAt: new Date('2026-01-01T10:00:00Z'),
});

describe('InstanceFeed', () => {
  it('publishes each stored line on its instance’s channel, with the line id as cursor', async () => {
    const pubsub = new MemoryPubSub(logger);
    const feed = new InstanceFeed(pubsub, logger);
    const a: unknown[] = [];
    const b: unknown[] = [];
    await pubsub.subscribe(instanceLogLineTopic.channel('a'), (m) => void a.push(instanceLogLineTopic.parse(m)));
    await pubsub.subscribe(instanceLogLineTopic.channel('b'), (m) => void b.push(m));
    const line: InstanceLogLineRecord = { id: '42', instanceId: 'a', stream: 'STDERR', line: 'oops', at: new Date('2026-01-01T10:00:00Z') };
    feed.publishLogLine(line);
    await flush();
    expect(a).toEqual([{ cursor: '42', payload: line }]);
    expect(b).toEqual([]);
  });

  it('publishes the instance after each status change, dates and all', async () => {
    const pubsub = new MemoryPubSub(logger);
    const feed = new InstanceFeed(pubsub, logger);
    const seen: unknown[] = [];
    await pubsub.subscribe(instanceStatusTopic.channel('i'), (m) => void seen.push(instanceStatusTopic.parse(m)));
    feed.publishStatus(instance('i', 'RUNNING'));
    await flush();
    expect(seen).toEqual([{ cursor: '2026-01-01T10:00:00.000Z', payload: instance('i', 'RUNNING') }]);
  });

  it('never throws when the pub/sub cannot take it (subscribers catch up by cursor)', async () => {
    const pubsub = new MemoryPubSub(logger);
    await pubsub.close();
    const feed = new InstanceFeed(pubsub, logger);
    expect(() => feed.publishStatus(instance('i', 'FAILED'))).not.toThrow();
    await flush();
  });
});
