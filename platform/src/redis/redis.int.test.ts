import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { RateLimitedError } from '../errors';
import { eventually } from '../testing/eventually';
import { PrivateRedis, deleteKeysByPrefix } from '../testing/private-redis';
import { RedisCache, RedisPubSub, RedisRateLimiter, checkRedis, createRedis, createRedisServices } from './index';

/**
 * Against a real Redis: the shared one at REDIS_URL for behaviour, and a private redis-server
 * started by this file for the outage tests (other suites use the shared one, so it is never stopped).
 */
const REDIS_URL = process.env['REDIS_URL'];
const describeRedis = REDIS_URL ? describe : describe.skip;
if (!REDIS_URL) {
  console.warn('[redis.int.test] REDIS_URL is not set: skipping the Redis integration suite. Run with REDIS_URL=redis://127.0.0.1:6379.');
}

const RUN = `test:${Date.now().toString(36)}${randomBytes(3).toString('hex')}:`;

interface LogLine {
  level: string;
  msg: string;
  suppressed?: number;
  [field: string]: unknown;
}

function captureLogger() {
  const lines: LogLine[] = [];
  const logger = pino(
    { level: 'info', formatters: { level: (label) => ({ level: label }) } },
    { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) },
  );
  return { logger, lines };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function ready(client: Redis): Promise<void> {
  return client.status === 'ready' ? Promise.resolve() : once(client, 'ready').then(() => undefined);
}

describeRedis('Redis adapters against the shared Redis', () => {
  const { logger } = captureLogger();
  let a: Redis;
  let b: Redis;
  let admin: Redis;

  beforeAll(async () => {
    a = createRedis(REDIS_URL as string, logger, { name: 'int-a' });
    b = createRedis(REDIS_URL as string, logger, { name: 'int-b' });
    admin = new Redis(REDIS_URL as string);
    await Promise.all([ready(a), ready(b), ready(admin)]);
  });

  afterAll(async () => {
    await deleteKeysByPrefix(admin, RUN);
    await Promise.all([a.quit(), b.quit(), admin.quit()]);
  });

  describe('RedisCache', () => {
    it('stores JSON under its prefix with the TTL, and deletes several keys at once', async () => {
      const cache = new RedisCache(a, logger, { prefix: `${RUN}cache:` });
      await cache.set('listing:1', { title: 'Loft', at: new Date(0) }, 30);
      await cache.set('listing:2', null, 30);
      expect(await cache.get('listing:1')).toEqual({ title: 'Loft', at: '1970-01-01T00:00:00.000Z' });
      expect(await cache.get('listing:2')).toBeNull();
      expect(await admin.get(`${RUN}cache:listing:1`)).toBe('{"title":"Loft","at":"1970-01-01T00:00:00.000Z"}');
      const ttl = await admin.pttl(`${RUN}cache:listing:1`);
      expect(ttl).toBeGreaterThan(28_000);
      expect(ttl).toBeLessThanOrEqual(30_000);
      await cache.delete('listing:1', 'listing:2');
      expect(await cache.get('listing:1')).toBeUndefined();
      expect(await admin.exists(`${RUN}cache:listing:1`, `${RUN}cache:listing:2`)).toBe(0);
    });

    it('shares values between replicas and loads once per key in a process', async () => {
      const replicaA = new RedisCache(a, logger, { prefix: `${RUN}cache:` });
      const replicaB = new RedisCache(b, logger, { prefix: `${RUN}cache:` });
      const loader = jest.fn(async () => {
        await sleep(50);
        return { price: 100 };
      });
      const results = await Promise.all(Array.from({ length: 20 }, () => replicaA.getOrLoad('shared', 30, loader)));
      expect(results.every((r) => r.price === 100)).toBe(true);
      expect(await replicaB.getOrLoad('shared', 30, loader)).toEqual({ price: 100 });
      expect(loader).toHaveBeenCalledTimes(1);
      await replicaB.delete('shared'); // an event handler on another replica invalidates
      expect(await replicaA.getOrLoad('shared', 30, async () => ({ price: 90 }))).toEqual({ price: 90 });
    });

    it('getOrLoadMany reads every key with one MGET and writes the misses with their TTL; getMany sees them', async () => {
      const replicaA = new RedisCache(a, logger, { prefix: `${RUN}cache:` });
      const replicaB = new RedisCache(b, logger, { prefix: `${RUN}cache:` });
      await replicaA.set('many:2', { title: 'cached' }, 30);
      await admin.set(`${RUN}cache:many:bad`, '{not json', 'EX', 30);
      const loader = jest.fn(
        async (missing: string[]) => new Map(missing.filter((k) => k !== 'many:none').map((k) => [k, { title: `loaded ${k}` }])),
      );
      const keys = ['many:1', 'many:2', 'many:none', 'many:bad'];
      expect(await replicaA.getOrLoadMany(keys, 30, loader)).toEqual([
        { title: 'loaded many:1' },
        { title: 'cached' },
        undefined,
        { title: 'loaded many:bad' },
      ]);
      expect(loader).toHaveBeenCalledWith(['many:1', 'many:none', 'many:bad']);
      const ttl = await admin.pttl(`${RUN}cache:many:1`);
      expect(ttl).toBeGreaterThan(28_000);
      expect(ttl).toBeLessThanOrEqual(30_000);
      expect(await admin.exists(`${RUN}cache:many:none`)).toBe(0);
      expect(await replicaB.getMany(keys)).toEqual([
        { title: 'loaded many:1' },
        { title: 'cached' },
        undefined,
        { title: 'loaded many:bad' },
      ]);
      expect(await replicaB.getOrLoadMany(keys.slice(0, 2), 30, loader)).toHaveLength(2);
      expect(loader).toHaveBeenCalledTimes(1);
    });

    it('treats an entry that is not JSON as a miss and replaces it', async () => {
      const cache = new RedisCache(a, logger, { prefix: `${RUN}cache:` });
      await admin.set(`${RUN}cache:corrupt`, '{not json', 'EX', 30);
      expect(await cache.get('corrupt')).toBeUndefined();
      expect(await cache.getOrLoad('corrupt', 30, async () => 'fresh')).toBe('fresh');
      expect(await admin.get(`${RUN}cache:corrupt`)).toBe('"fresh"');
    });
  });

  describe('RedisRateLimiter', () => {
    it('allows the limit per sliding window, says when to retry, and lets keys expire', async () => {
      const limiter = new RedisRateLimiter(a, logger, { prefix: `${RUN}rl:` });
      const rule = { limit: 3, windowSeconds: 1 };
      const decisions = [];
      for (let i = 0; i < 4; i++) decisions.push(await limiter.consume('ip:1', rule));
      expect(decisions).toEqual([
        { allowed: true, remaining: 2, retryAfterSeconds: 0 },
        { allowed: true, remaining: 1, retryAfterSeconds: 0 },
        { allowed: true, remaining: 0, retryAfterSeconds: 0 },
        { allowed: false, remaining: 0, retryAfterSeconds: 1 },
      ]);
      const ttl = await admin.pttl(`${RUN}rl:ip:1`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(1_000);
      await sleep(1_050);
      expect((await limiter.consume('ip:1', rule)).allowed).toBe(true);
      await sleep(1_100);
      expect(await admin.exists(`${RUN}rl:ip:1`)).toBe(0);
    });

    it('is atomic across replicas: exactly the limit gets through a concurrent burst', async () => {
      const limiters = [a, b].map((c) => new RedisRateLimiter(c, logger, { prefix: `${RUN}rl:` }));
      const rule = { limit: 10, windowSeconds: 30 };
      const burst = Array.from({ length: 60 }, (_, i) => (limiters[i % 2] as RedisRateLimiter).consume('otp:acc', rule));
      const allowed = (await Promise.all(burst)).filter((d) => d.allowed).length;
      expect(allowed).toBe(10);
      expect(await admin.zcard(`${RUN}rl:otp:acc`)).toBe(10);
    });

    it('counts cost and throws RATE_LIMITED from hit', async () => {
      const limiter = new RedisRateLimiter(a, logger, { prefix: `${RUN}rl:` });
      const rule = { limit: 5, windowSeconds: 60, what: 'codes' };
      expect((await limiter.hit('resend', { ...rule, cost: 4 })).remaining).toBe(1);
      const err = await limiter.hit('resend', { ...rule, cost: 2 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RateLimitedError);
      expect((err as RateLimitedError).extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 60 });
      expect((await limiter.hit('resend', rule)).remaining).toBe(0);
    });
  });

  describe('RedisPubSub', () => {
    it('fans a message out to every replica and every local handler, with one Redis subscription per channel', async () => {
      const replicaA = new RedisPubSub(a, logger, { prefix: RUN });
      const replicaB = new RedisPubSub(b, logger, { prefix: RUN });
      const gotA: unknown[] = [];
      const gotB1: unknown[] = [];
      const gotB2: unknown[] = [];
      // Subscribed right after construction: subscribe waits for the connection under way.
      const unsubs = [
        await replicaA.subscribe('auction:9', (m) => void gotA.push(m)),
        await replicaB.subscribe('auction:9', (m) => void gotB1.push(m)),
        await replicaB.subscribe('auction:9', (m) => void gotB2.push(m)),
      ];
      expect(await admin.pubsub('NUMSUB', `${RUN}auction:9`)).toEqual([`${RUN}auction:9`, 2]);
      await replicaA.publish('auction:9', { bid: 130 });
      await eventually(async () => (gotA.length && gotB1.length && gotB2.length ? true : undefined), { what: 'delivery' });
      expect([gotA, gotB1, gotB2]).toEqual([[{ bid: 130 }], [{ bid: 130 }], [{ bid: 130 }]]);
      for (const unsubscribe of unsubs) await unsubscribe();
      expect(await admin.pubsub('NUMSUB', `${RUN}auction:9`)).toEqual([`${RUN}auction:9`, 0]);
      await replicaA.publish('auction:9', { bid: 140 });
      await sleep(100);
      expect(gotA).toHaveLength(1);
      await Promise.all([replicaA.close(), replicaB.close()]);
    });

    it('leaves no channel behind after 1,000 subscribe/unsubscribe cycles', async () => {
      const pubsub = new RedisPubSub(a, logger, { prefix: RUN });
      const channels = Array.from({ length: 25 }, (_, i) => `leak:${i}`);
      let delivered = 0;
      const cycle = async (i: number) => {
        const channel = channels[i % channels.length] as string;
        const unsubscribe = await pubsub.subscribe(channel, () => void delivered++);
        if (i % 10 === 0) await pubsub.publish(channel, { i });
        await sleep(Math.random() * 5);
        await unsubscribe();
        await unsubscribe(); // idempotent
      };
      // 40 concurrent lanes of 25 cycles: subscriptions to one channel overlap and interleave.
      await Promise.all(
        Array.from({ length: 40 }, async (_, lane) => {
          for (let j = 0; j < 25; j++) await cycle(lane * 25 + j);
        }),
      );
      expect(pubsub.channels()).toEqual([]);
      expect(await admin.pubsub('CHANNELS', `${RUN}leak:*`)).toEqual([]);
      const numsub = (await admin.pubsub('NUMSUB', ...channels.map((c) => RUN + c))) as (string | number)[];
      expect(numsub.filter((_, i) => i % 2 === 1)).toEqual(channels.map(() => 0));
      expect(delivered).toBeGreaterThan(0);
      await pubsub.close();
    });
  });

  it('createRedisServices picks Redis with a URL and in-process adapters without', async () => {
    const redis = createRedisServices({ redisUrl: REDIS_URL, logger, keyPrefix: RUN });
    const memory = createRedisServices({ redisUrl: undefined, logger, keyPrefix: RUN });
    expect([redis.mode, memory.mode]).toEqual(['redis', 'memory']);
    await eventually(async () => ((await redis.health()).ok ? true : undefined), { what: 'health' });
    await redis.cache.set('svc', 1, 5);
    expect(await admin.get(`${RUN}cache:svc`)).toBe('1');
    await Promise.all([redis.close(), memory.close()]);
  });
});

describeRedis('Redis outage (a private redis-server, killed and restarted)', () => {
  let server: PrivateRedis;
  const { logger, lines } = captureLogger();
  let client: Redis;
  let pubsub: RedisPubSub;

  beforeAll(async () => {
    server = await PrivateRedis.start();
    client = createRedis(server.url, logger, { name: 'outage' });
    await ready(client);
  });

  afterAll(async () => {
    await pubsub?.close();
    client?.disconnect();
    await server?.dispose();
  });

  it('keeps serving requests while Redis is down and recovers by itself when it is back', async () => {
    const cache = new RedisCache(client, logger, { prefix: 'c:' });
    const limiter = new RedisRateLimiter(client, logger, { prefix: 'rl:' });
    pubsub = new RedisPubSub(client, logger, { prefix: 'ps:' });
    const general = { limit: 10_000, windowSeconds: 60 };
    const otp = { limit: 5, windowSeconds: 900, onUnavailable: 'deny' as const, what: 'code attempts' };

    const received: { channel: string; message: unknown }[] = [];
    const subscribe = (channel: string) => pubsub.subscribe(channel, (message) => void received.push({ channel, message }));
    await subscribe('bids');
    const releasedDuringOutage = await subscribe('released');

    // Before: cached, limited, delivered.
    let loads = 0;
    const loader = async () => ({ listing: 'l1', load: ++loads });
    await cache.getOrLoad('listing:l1', 60, loader);
    expect(await cache.getOrLoad('listing:l1', 60, loader)).toEqual({ listing: 'l1', load: 1 });
    expect(await limiter.consume('ip:1', general)).toEqual({ allowed: true, remaining: 9_999, retryAfterSeconds: 0 });
    await pubsub.publish('bids', { amount: 1 });
    await eventually(async () => (received.length === 1 ? true : undefined), { what: 'delivery before the outage' });

    // Requests keep coming throughout, as they would from clients.
    const outcomes = { served: 0, failed: 0, slowest: 0 };
    let running = true;
    const traffic = (async () => {
      while (running) {
        const started = Date.now();
        try {
          const value = await cache.getOrLoad('listing:hot', 60, async () => 'from the database');
          const decision = await limiter.consume('ip:traffic', general);
          if (value !== 'from the database' || !decision.allowed) throw new Error('wrong answer');
          outcomes.served++;
        } catch {
          outcomes.failed++;
        }
        outcomes.slowest = Math.max(outcomes.slowest, Date.now() - started);
        await sleep(5);
      }
    })();
    await sleep(200);

    await server.kill();
    const outageStarted = Date.now();
    await eventually(async () => (client.status !== 'ready' ? true : undefined), { what: 'the client to notice' });

    // During: the cache is bypassed (the source answers), limits follow onUnavailable, nothing throws.
    const started = Date.now();
    expect(await cache.getOrLoad('listing:l1', 60, loader)).toEqual({ listing: 'l1', load: 2 });
    expect(await cache.getOrLoad('listing:l1', 60, loader)).toEqual({ listing: 'l1', load: 3 });
    expect(Date.now() - started).toBeLessThan(500); // fails fast: nothing waits for the reconnect
    await expect(cache.set('k', 1, 60)).resolves.toBeUndefined();
    await expect(cache.delete('k')).resolves.toBeUndefined();
    expect(await cache.get('k')).toBeUndefined();
    expect(await limiter.consume('ip:1', general)).toMatchObject({ allowed: true, degraded: true });
    expect(await limiter.consume('otp:acc1', otp)).toMatchObject({ allowed: false, degraded: true, retryAfterSeconds: 30 });
    await expect(limiter.hit('otp:acc1', otp)).rejects.toBeInstanceOf(RateLimitedError);
    await expect(pubsub.publish('bids', { amount: 2 })).resolves.toBeUndefined(); // dropped: at-most-once
    expect(await checkRedis(client)).toMatchObject({ ok: false });
    await releasedDuringOutage();
    await subscribe('joined-during-outage');
    await sleep(2_500);

    // Logged, but a handful of lines, not one per failed request.
    const bypassed = lines.filter((l) => l.msg.startsWith('redis cache unavailable'));
    expect(bypassed.length).toBeGreaterThanOrEqual(1);
    expect(bypassed.length).toBeLessThanOrEqual(3);
    expect(lines.filter((l) => l.msg.startsWith('rate limiter unavailable')).length).toBeGreaterThanOrEqual(2);
    expect(lines.filter((l) => l.msg.startsWith('redis connection error')).length).toBeLessThanOrEqual(4);
    expect(outcomes.served).toBeGreaterThan(100);

    // After: the same client finds Redis again by itself.
    await server.start();
    const restarted = Date.now();
    await eventually(
      async () => {
        await cache.set('probe', 'back', 60);
        return (await cache.get('probe')) === 'back' ? true : undefined;
      },
      { what: 'the cache to work again', timeoutMs: 10_000 },
    );
    const recoveryMs = Date.now() - restarted;
    expect(recoveryMs).toBeLessThan(5_000);
    loads = 0;
    await cache.getOrLoad('listing:l1', 60, loader);
    expect(await cache.getOrLoad('listing:l1', 60, loader)).toEqual({ listing: 'l1', load: 1 });
    // The restarted server has an empty script cache: the limiter falls back from EVALSHA to EVAL.
    expect(await limiter.consume('otp:acc1', otp)).toEqual({ allowed: true, remaining: 4, retryAfterSeconds: 0 });
    expect(await checkRedis(client)).toMatchObject({ ok: true });

    // Pub/sub: resubscribed to exactly the channels with handlers, including one added during the outage.
    await eventually(
      async () => {
        await pubsub.publish('bids', { amount: 3 });
        await sleep(50);
        return received.some((r) => (r.message as { amount?: number }).amount === 3) ? true : undefined;
      },
      { what: 'delivery after the restart' },
    );
    await pubsub.publish('joined-during-outage', { hello: true });
    await eventually(async () => (received.some((r) => r.channel === 'joined-during-outage') ? true : undefined), {
      what: 'delivery to a channel joined during the outage',
    });
    const admin = new Redis(server.url);
    expect(await admin.pubsub('NUMSUB', 'ps:bids', 'ps:joined-during-outage', 'ps:released')).toEqual([
      'ps:bids',
      1,
      'ps:joined-during-outage',
      1,
      'ps:released',
      0,
    ]);
    await admin.quit();
    expect(received.some((r) => (r.message as { amount?: number }).amount === 2)).toBe(false);
    expect(lines.some((l) => l.msg === 'redis reconnected' && typeof l['downForMs'] === 'number')).toBe(true);
    expect(lines.some((l) => l.msg === 'redis pub/sub resubscribed')).toBe(true);

    running = false;
    await traffic;
    if (process.env['REDIS_TEST_LOGS']) process.stderr.write(lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    expect(outcomes.failed).toBe(0);
    process.stderr.write(
      `[redis outage] down ${restarted - outageStarted} ms, cache back ${recoveryMs} ms after restart; ` +
        `${outcomes.served} requests served, 0 failed, slowest ${outcomes.slowest} ms; ${lines.length} log lines\n`,
    );
  });

  it('getOrLoadMany serves from the source while Redis is down, writes nothing, and caches again once it is back', async () => {
    const cache = new RedisCache(client, logger, { prefix: 'm:' });
    let loads = 0;
    const loader = jest.fn(async (missing: string[]) => new Map(missing.map((k) => [k, { key: k, load: ++loads }])));
    await eventually(async () => (client.status === 'ready' ? true : undefined), { what: 'ready' });
    await cache.getOrLoadMany(['a', 'b'], 60, loader);
    expect(await cache.getOrLoadMany(['a', 'b'], 60, loader)).toEqual([
      { key: 'a', load: 1 },
      { key: 'b', load: 2 },
    ]);

    await server.kill();
    await eventually(async () => (client.status !== 'ready' ? true : undefined), { what: 'the client to notice' });
    const started = Date.now();
    expect(await cache.getOrLoadMany(['a', 'b'], 60, loader)).toEqual([
      { key: 'a', load: 3 },
      { key: 'b', load: 4 },
    ]);
    expect(await cache.getOrLoadMany(['a'], 60, loader)).toEqual([{ key: 'a', load: 5 }]);
    expect(await cache.getMany(['a'])).toEqual([undefined]);
    expect(Date.now() - started).toBeLessThan(500);

    await server.start();
    await eventually(
      async () => {
        await cache.getOrLoadMany(['probe'], 60, async () => new Map([['probe', 'back']]));
        return (await cache.getMany(['probe']))[0] === 'back' ? true : undefined;
      },
      { what: 'MGET to answer again' },
    );
    loads = 0;
    await cache.getOrLoadMany(['a', 'b'], 60, loader);
    expect(await cache.getOrLoadMany(['a', 'b'], 60, loader)).toEqual([
      { key: 'a', load: 1 },
      { key: 'b', load: 2 },
    ]);
  });

  it('does not hang on a Redis that stops answering (commands time out, the source answers)', async () => {
    const cache = new RedisCache(client, logger, { prefix: 'c:' });
    const limiter = new RedisRateLimiter(client, logger, { prefix: 'rl:' });
    await eventually(async () => (client.status === 'ready' ? true : undefined), { what: 'ready' });
    await cache.set('hung', 'cached', 60);
    server.pause();
    try {
      const started = Date.now();
      expect(await cache.getOrLoad('hung', 60, async () => 'from the database')).toBe('from the database');
      expect(await limiter.consume('ip:hung', { limit: 5, windowSeconds: 60 })).toMatchObject({ allowed: true, degraded: true });
      expect(Date.now() - started).toBeLessThan(3_000); // two commands, 1 s command timeout each
      expect(await checkRedis(client, 300)).toMatchObject({ ok: false });
    } finally {
      server.resume();
    }
    await eventually(async () => ((await cache.get('hung')) === 'cached' ? true : undefined), { what: 'answers again' });
  });
});
