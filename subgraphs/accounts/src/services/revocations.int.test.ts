import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { RedisRevocationFeed, RedisSessionRevocations, createLogger, createRedis, type Revocation } from '@market/platform';
import { PrivateRedis } from '@market/platform/testing';
import { Revocations } from './revocations';

/**
 * A revocation written while Redis is unreachable is not lost: it is written (and announced to the
 * gateways' feed) once Redis answers again.
 */
describe('revocations written during a Redis outage', () => {
  let server: PrivateRedis;
  beforeAll(async () => {
    server = await PrivateRedis.start();
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('are retried until Redis is back, then recorded and announced', async () => {
    const logger = createLogger('accounts', 'silent');
    const prefix = `test:${randomUUID()}:`;
    // The feed is pub/sub (at-most-once): an announcement made before the gateway's subscriber is back
    // is not heard (the gateway's per-subscribe session check covers that case). The writer reconnects
    // more slowly here so the test watches the retry, not that race.
    const writer = createRedis(server.url, logger, { name: 'revocations-writer', commandTimeoutMs: 200, maxReconnectDelayMs: 1_000 });
    const subscriber = createRedis(server.url, logger, { name: 'revocations-feed', maxReconnectDelayMs: 100 });
    await Promise.all([once(writer, 'ready'), once(subscriber, 'ready')]);
    const port = new RedisSessionRevocations(writer, logger, { prefix });
    const feed = new RedisRevocationFeed(subscriber, logger, prefix);
    const heard: Revocation[] = [];
    feed.onRevoked((r) => heard.push(r));
    await feed.ready();
    const revocations = new Revocations(port, logger, { initialDelayMs: 100, maxDelayMs: 200 });
    const identity = { userId: 'u-outage', role: 'BUYER' as const, sessionId: `s-${randomUUID()}` };

    await server.kill();
    // The request that ended the session succeeds; the write waits.
    await revocations.sessions([identity.sessionId], 'LOGOUT');
    expect(revocations.backlog).toBe(1);

    await server.start();
    const deadline = Date.now() + 15_000;
    while ((revocations.backlog > 0 || heard.length === 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(revocations.backlog).toBe(0);
    expect(await port.check({ identity, issuedAt: Math.floor(Date.now() / 1000) })).toBe('revoked');
    expect(heard).toEqual([{ kind: 'sessions', sessionIds: [identity.sessionId] }]);
    writer.disconnect();
    subscriber.disconnect();
  });
});
