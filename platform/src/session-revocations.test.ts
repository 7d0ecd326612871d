import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import pino from 'pino';
import type { Identity } from './identity';
import { createRedis } from './redis/connection';
import { PrivateRedis } from './testing/private-redis';
import {
  MemorySessionRevocations,
  RedisSessionRevocations,
  SESSION_ENDED_MESSAGE,
  verifySessionToken,
  type SessionRevocations,
} from './session-revocations';
import { AccessTokenSigner, AccessTokenVerifier, generateAccessTokenKeys } from './tokens';

const REDIS_URL = process.env['REDIS_URL'];
const describeRedis = REDIS_URL ? describe : describe.skip;
if (!REDIS_URL) {
  console.warn(
    '[session-revocations.test] REDIS_URL is not set: skipping the Redis adapter suite. Run with REDIS_URL=redis://127.0.0.1:6379.',
  );
}

const alice: Identity = { userId: 'u-alice', role: 'BUYER', sessionId: 's-alice-phone' };
const aliceLaptop: Identity = { ...alice, sessionId: 's-alice-laptop' };
const bob: Identity = { userId: 'u-bob', role: 'SELLER', sessionId: 's-bob' };

function clock(start = 1_700_000_000_500) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}
const seconds = (ms: number) => Math.floor(ms / 1000);

function captureLogger() {
  const lines: { level: string; msg: string; suppressed?: number }[] = [];
  const logger = pino(
    { level: 'info', formatters: { level: (label) => ({ level: label }) } },
    { write: (line: string) => void lines.push(JSON.parse(line)) },
  );
  return { logger, lines };
}

/** The behaviour both adapters share. */
function behaves(name: string, make: (time: ReturnType<typeof clock>) => Promise<SessionRevocations>) {
  describe(name, () => {
    it('refuses every token of a revoked session, and only of that session', async () => {
      const time = clock();
      const port = await make(time);
      const issuedAt = seconds(time.now());
      await port.revokeSessions([alice.sessionId]);
      expect(await port.check({ identity: alice, issuedAt })).toBe('revoked');
      expect(await port.check({ identity: alice, issuedAt: issuedAt + 600 })).toBe('revoked');
      expect(await port.check({ identity: aliceLaptop, issuedAt })).toBe('ok');
      expect(await port.check({ identity: bob, issuedAt })).toBe('ok');
      await port.revokeSessions([]);
    });

    it("refuses a user's tokens issued up to the revocation, including the same second, and later ones once reinstated", async () => {
      const time = clock();
      const port = await make(time);
      const before = seconds(time.now()) - 300;
      const sameSecond = seconds(time.now());
      await port.revokeUser(alice.userId);
      expect(await port.check({ identity: alice, issuedAt: before })).toBe('revoked');
      expect(await port.check({ identity: aliceLaptop, issuedAt: sameSecond })).toBe('revoked');
      expect(await port.check({ identity: alice, issuedAt: sameSecond + 1 })).toBe('ok');
      expect(await port.check({ identity: bob, issuedAt: before })).toBe('ok');
      await port.reinstateUser(alice.userId);
      expect(await port.check({ identity: alice, issuedAt: sameSecond })).toBe('ok');
    });

    it('reinstating a user keeps the sessions revoked by id revoked', async () => {
      const time = clock();
      const port = await make(time);
      await port.revokeSessions([alice.sessionId]);
      await port.revokeUser(alice.userId);
      await port.reinstateUser(alice.userId);
      expect(await port.check({ identity: alice, issuedAt: seconds(time.now()) })).toBe('revoked');
      expect(await port.check({ identity: aliceLaptop, issuedAt: seconds(time.now()) })).toBe('ok');
    });
  });
}

behaves('MemorySessionRevocations', async (time) => new MemorySessionRevocations({ now: time.now }));

describe('MemorySessionRevocations expiry', () => {
  it('forgets entries after the TTL (the tokens they refused have expired by then) and sweeps them', async () => {
    const time = clock();
    const port = new MemorySessionRevocations({ ttlSeconds: 60, now: time.now });
    const issuedAt = seconds(time.now());
    await port.revokeSessions([alice.sessionId]);
    await port.revokeUser(bob.userId);
    time.advance(59_999);
    expect(await port.check({ identity: alice, issuedAt })).toBe('revoked');
    expect(await port.check({ identity: bob, issuedAt })).toBe('revoked');
    time.advance(1);
    expect(await port.check({ identity: alice, issuedAt })).toBe('ok');
    expect(await port.check({ identity: bob, issuedAt })).toBe('ok');
    expect(port.size).toBe(2);
    await port.revokeSessions(['s-new']);
    expect(port.size).toBe(1);
  });
});

describe('verifySessionToken', () => {
  it('answers revoked for a valid token of an ended session, and passes iat and exp through', async () => {
    const keys = await generateAccessTokenKeys();
    const signer = await AccessTokenSigner.fromPem(keys.privateKeyPem, 900);
    const verifier = await AccessTokenVerifier.fromPem(keys.publicKeyPem);
    const revocations = new MemorySessionRevocations();
    const { token } = await signer.sign(alice);
    const verdict = await verifySessionToken(verifier, revocations, token);
    expect(verdict).toMatchObject({ ok: true, identity: alice });
    if (!verdict.ok) throw new Error('expected a valid token');
    expect(verdict.expiresAt - verdict.issuedAt).toBe(900);
    expect(Math.abs(verdict.issuedAt - Date.now() / 1000)).toBeLessThan(5);
    expect(await verifier.verify(token)).toEqual({ ok: true, identity: alice });
    await revocations.revokeSessions([alice.sessionId]);
    expect(await verifySessionToken(verifier, revocations, token)).toEqual({ ok: false, reason: 'revoked' });
    expect(await verifySessionToken(verifier, null, token)).toMatchObject({ ok: true });
    expect(await verifySessionToken(verifier, revocations, `${token}x`)).toEqual({ ok: false, reason: 'invalid' });
    expect(SESSION_ENDED_MESSAGE).toBe('This session has ended: sign in again.');
  });
});

describeRedis('RedisSessionRevocations against a real Redis', () => {
  const RUN = `test:${Date.now().toString(36)}${randomBytes(3).toString('hex')}:revoked:`;
  const { logger } = captureLogger();
  let client: Redis;
  let admin: Redis;

  beforeAll(async () => {
    client = createRedis(REDIS_URL as string, logger, { name: 'revocations-test' });
    admin = new Redis(REDIS_URL as string);
    await Promise.all([client, admin].map((c) => (c.status === 'ready' ? undefined : once(c, 'ready'))));
  });

  afterAll(async () => {
    const keys = await admin.keys(`${RUN}*`);
    if (keys.length > 0) await admin.unlink(...keys);
    await Promise.all([client.quit(), admin.quit()]);
  });

  let n = 0;
  behaves(
    'RedisSessionRevocations',
    async (time) => new RedisSessionRevocations(client, logger, { prefix: `${RUN}${n++}:`, now: time.now }),
  );

  it('writes keys under its prefix with the TTL, and checks with one MGET', async () => {
    const prefix = `${RUN}keys:`;
    const port = new RedisSessionRevocations(client, logger, { prefix, ttlSeconds: 120 });
    await port.revokeSessions(['s1', 's2']);
    await port.revokeUser('u1');
    expect(await admin.get(`${prefix}s:s1`)).toBe('1');
    expect(Number(await admin.get(`${prefix}u:u1`))).toBeGreaterThan(Date.now() - 5_000);
    for (const key of [`${prefix}s:s1`, `${prefix}s:s2`, `${prefix}u:u1`]) {
      const ttl = await admin.ttl(key);
      expect(ttl).toBeGreaterThan(110);
      expect(ttl).toBeLessThanOrEqual(120);
    }
    const mget = jest.spyOn(client, 'mget');
    const get = jest.spyOn(client, 'get');
    expect(await port.check({ identity: { userId: 'u2', role: 'BUYER', sessionId: 's3' }, issuedAt: 0 })).toBe('ok');
    expect(mget).toHaveBeenCalledTimes(1);
    expect(get).not.toHaveBeenCalled();
    mget.mockRestore();
    get.mockRestore();
  });

  describe('when Redis is down', () => {
    let server: PrivateRedis;
    beforeAll(async () => {
      server = await PrivateRedis.start();
    });
    afterAll(async () => {
      await server.dispose();
    });

    it('checks answer ok (fail open) with one rate-limited warning; writes throw', async () => {
      const { logger: captured, lines } = captureLogger();
      const down = createRedis(server.url, captured, { name: 'revocations-down', logIntervalMs: 60_000 });
      await once(down, 'ready');
      const port = new RedisSessionRevocations(down, captured, { prefix: RUN, logIntervalMs: 60_000 });
      await port.revokeSessions([alice.sessionId]);
      expect(await port.check({ identity: alice, issuedAt: 0 })).toBe('revoked');
      await server.kill();
      for (let i = 0; i < 5; i++) expect(await port.check({ identity: alice, issuedAt: 0 })).toBe('ok');
      const warnings = lines.filter((l) => l.msg.startsWith('session revocations unavailable'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.level).toBe('warn');
      await expect(port.revokeUser('u1')).rejects.toThrow();
      await expect(port.revokeSessions(['s1'])).rejects.toThrow();
      down.disconnect();
    });
  });
});
