import { z } from 'zod';
import { createLogger } from '../logger';
import { MemoryPubSub } from '../redis/pubsub';
import { LivePublisher } from './live-publisher';
import { defineTopic } from './topic';

const topic = defineTopic('test.thingChanged', z.object({ id: z.string(), n: z.number() }));

function recordingLogger() {
  const warnings: { obj: Record<string, unknown>; msg: string }[] = [];
  const logger = createLogger('test', 'silent');
  logger.warn = ((obj: Record<string, unknown>, msg: string) => void warnings.push({ obj, msg })) as typeof logger.warn;
  return { logger, warnings };
}

describe('LivePublisher', () => {
  it('publishes a checked event on the key’s channel only', async () => {
    const { logger } = recordingLogger();
    const pubsub = new MemoryPubSub(logger);
    const seen: unknown[] = [];
    const other: unknown[] = [];
    await pubsub.subscribe(topic.channel('a'), (m) => void seen.push(topic.parse(m)));
    await pubsub.subscribe(topic.channel('b'), (m) => void other.push(m));
    await new LivePublisher(pubsub, logger).publish(topic, 'a', { cursor: '1', payload: { id: 'a', n: 1 } });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(seen).toEqual([{ cursor: '1', payload: { id: 'a', n: 1 } }]);
    expect(other).toEqual([]);
  });

  it('logs a failed publish with the topic and how clients catch up, and never rejects', async () => {
    const { logger, warnings } = recordingLogger();
    const pubsub = new MemoryPubSub(logger);
    await pubsub.close();
    const live = new LivePublisher(pubsub, logger, 'subscribers catch up by reading the thing');
    await expect(live.publish(topic, 'a', { cursor: '1', payload: { id: 'a', n: 1 } })).resolves.toBeUndefined();
    // An event that does not match the topic is a bug in the caller: logged the same way, not thrown.
    await expect(live.publish(topic, 'a', { cursor: '', payload: { id: 'a', n: 1 } })).resolves.toBeUndefined();
    expect(warnings.map((w) => [w.obj['topic'], w.msg])).toEqual([
      ['test.thingChanged', 'live event not published; subscribers catch up by reading the thing'],
      ['test.thingChanged', 'live event not published; subscribers catch up by reading the thing'],
    ]);
  });
});
