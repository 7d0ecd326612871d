import pino from 'pino';
import { MemoryPubSub } from './pubsub';

function captureLogger() {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('MemoryPubSub', () => {
  it('delivers JSON copies to every handler of the channel, and only that channel', async () => {
    const pubsub = new MemoryPubSub(captureLogger().logger);
    const a: unknown[] = [];
    const b: unknown[] = [];
    const other: unknown[] = [];
    await pubsub.subscribe('auction:1', (m) => void a.push(m));
    await pubsub.subscribe('auction:1', (m) => void b.push(m));
    await pubsub.subscribe('auction:2', (m) => void other.push(m));
    const sent = { amount: 120, at: new Date(0) };
    await pubsub.publish('auction:1', sent);
    await tick();
    expect(a).toEqual([{ amount: 120, at: '1970-01-01T00:00:00.000Z' }]);
    expect(b).toEqual(a);
    expect(a[0]).not.toBe(sent);
    expect(other).toEqual([]);
  });

  it('stops delivering after unsubscribe; unsubscribing twice is harmless', async () => {
    const pubsub = new MemoryPubSub(captureLogger().logger);
    const got: unknown[] = [];
    const handler = (m: object) => void got.push(m);
    const first = await pubsub.subscribe('c', handler);
    const second = await pubsub.subscribe('c', handler); // same function twice: two subscriptions
    await first();
    await first();
    await pubsub.publish('c', { n: 1 });
    await tick();
    expect(got).toEqual([{ n: 1 }]);
    await second();
    await pubsub.publish('c', { n: 2 });
    await tick();
    expect(got).toEqual([{ n: 1 }]);
    expect(pubsub.channels()).toEqual([]);
  });

  it('leaves no channel behind after 1,000 subscribe/unsubscribe cycles', async () => {
    const pubsub = new MemoryPubSub(captureLogger().logger);
    const cycles = Array.from({ length: 1_000 }, async (_, i) => {
      const unsubscribe = await pubsub.subscribe(`listing:${i % 37}`, () => {});
      await tick();
      await unsubscribe();
    });
    await Promise.all(cycles);
    expect(pubsub.channels()).toEqual([]);
  });

  it('a failing handler is logged and does not stop the others', async () => {
    const { logger, lines } = captureLogger();
    const pubsub = new MemoryPubSub(logger);
    const got: unknown[] = [];
    await pubsub.subscribe('c', () => {
      throw new Error('boom');
    });
    await pubsub.subscribe('c', async () => {
      throw new Error('async boom');
    });
    await pubsub.subscribe('c', (m) => void got.push(m));
    await pubsub.publish('c', { ok: true });
    await tick();
    expect(got).toEqual([{ ok: true }]);
    expect(lines.filter((l) => l.msg === 'pub/sub handler failed').length).toBeGreaterThanOrEqual(1);
  });

  it('refuses to publish or subscribe once closed', async () => {
    const pubsub = new MemoryPubSub(captureLogger().logger);
    await pubsub.subscribe('c', () => {});
    await pubsub.close();
    expect(pubsub.channels()).toEqual([]);
    await expect(pubsub.publish('c', {})).rejects.toThrow('closed');
    await expect(pubsub.subscribe('c', () => {})).rejects.toThrow('closed');
  });
});
