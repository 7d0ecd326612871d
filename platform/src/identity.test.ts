import { once } from 'node:events';
import { Redis } from 'ioredis';
import { PrivateRedis } from './testing/private-redis';
import {
  MemoryNonceStore,
  NONCE_TTL_MS,
  RedisNonceStore,
  encodeCaller,
  signRequest,
  verifyRequest,
  verifySignedCall,
  requireRole,
  requireUser,
  type Identity,
} from './identity';

const secret = 'a'.repeat(64);
const identity: Identity = { userId: 'u1', role: 'SELLER', sessionId: 's1' };
const callerHeader = encodeCaller({ identity, ip: '10.0.0.1', userAgent: 'test' });
const body = JSON.stringify({ query: '{ me { id } }' });

function sign(overrides: Partial<{ body: string; now: number; secret: string }> = {}) {
  return signRequest(overrides.secret ?? secret, { callerHeader, requestId: 'req-1', body: overrides.body ?? body, now: overrides.now });
}

describe('gateway request signatures', () => {
  it('accepts a fresh signature over the same caller, request id and body', () => {
    const verdict = verifyRequest(secret, { signatureHeader: sign(), callerHeader, requestId: 'req-1', body });
    expect(verdict).toEqual({
      ok: true,
      caller: { identity, ip: '10.0.0.1', userAgent: 'test' },
      nonce: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
  });

  it('refuses a missing, malformed or foreign signature', () => {
    expect(verifyRequest(secret, { signatureHeader: undefined, callerHeader, requestId: 'req-1', body })).toMatchObject({ ok: false });
    expect(verifyRequest(secret, { signatureHeader: 'nonsense', callerHeader, requestId: 'req-1', body })).toMatchObject({ ok: false });
    const foreign = sign({ secret: 'b'.repeat(64) });
    expect(verifyRequest(secret, { signatureHeader: foreign, callerHeader, requestId: 'req-1', body })).toEqual({
      ok: false,
      reason: 'bad gateway signature',
    });
  });

  it('refuses a signature replayed with another body, identity or request id', () => {
    const signature = sign();
    expect(verifyRequest(secret, { signatureHeader: signature, callerHeader, requestId: 'req-1', body: body + ' ' })).toMatchObject({
      ok: false,
    });
    const forgedCaller = encodeCaller({ identity: { ...identity, role: 'ADMIN' }, ip: null, userAgent: null });
    expect(verifyRequest(secret, { signatureHeader: signature, callerHeader: forgedCaller, requestId: 'req-1', body })).toMatchObject({
      ok: false,
    });
    expect(verifyRequest(secret, { signatureHeader: signature, callerHeader, requestId: 'req-2', body })).toMatchObject({ ok: false });
  });

  it('covers the traceparent: a trace context added, changed or dropped after signing is refused', () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const signature = signRequest(secret, { callerHeader, requestId: 'req-1', body, traceparent });
    expect(verifyRequest(secret, { signatureHeader: signature, callerHeader, requestId: 'req-1', body, traceparent }).ok).toBe(true);
    const other = '00-00000000000000000000000000000001-00f067aa0ba902b7-01';
    expect(verifyRequest(secret, { signatureHeader: signature, callerHeader, requestId: 'req-1', body, traceparent: other })).toEqual({
      ok: false,
      reason: 'bad gateway signature',
    });
    expect(verifyRequest(secret, { signatureHeader: signature, callerHeader, requestId: 'req-1', body })).toEqual({
      ok: false,
      reason: 'bad gateway signature',
    });
    expect(verifyRequest(secret, { signatureHeader: sign(), callerHeader, requestId: 'req-1', body, traceparent })).toEqual({
      ok: false,
      reason: 'bad gateway signature',
    });
  });

  it('refuses a stale signature', () => {
    const old = sign({ now: Date.now() - 5 * 60_000 });
    expect(verifyRequest(secret, { signatureHeader: old, callerHeader, requestId: 'req-1', body })).toEqual({
      ok: false,
      reason: 'stale gateway signature',
    });
  });

  it('refuses a well-signed but malformed caller', () => {
    const bad = Buffer.from(JSON.stringify({ identity: { userId: 'x', role: 'GOD', sessionId: 's' }, ip: null, userAgent: null })).toString(
      'base64url',
    );
    const signature = signRequest(secret, { callerHeader: bad, requestId: 'r', body });
    expect(verifyRequest(secret, { signatureHeader: signature, callerHeader: bad, requestId: 'r', body })).toEqual({
      ok: false,
      reason: 'malformed caller',
    });
  });
});

describe('requireUser / requireRole', () => {
  it('needs a caller, and one of the roles (admins pass)', () => {
    expect(() => requireUser({ identity: null })).toThrow(expect.objectContaining({ extensions: { code: 'UNAUTHENTICATED' } }));
    expect(requireRole({ identity }, 'SELLER').userId).toBe('u1');
    expect(() => requireRole({ identity }, 'ADMIN')).toThrow(expect.objectContaining({ extensions: { code: 'FORBIDDEN' } }));
    expect(requireRole({ identity: { ...identity, role: 'ADMIN' } }, 'HOST').role).toBe('ADMIN');
  });
});

describe('single-use signed calls', () => {
  it('refuses a signature the second time it is presented, and only that one', async () => {
    const nonces = new MemoryNonceStore();
    const input = { signatureHeader: sign(), callerHeader, requestId: 'req-1', body };
    expect((await verifySignedCall(secret, input, nonces)).ok).toBe(true);
    expect(await verifySignedCall(secret, input, nonces)).toEqual({ ok: false, reason: 'replayed gateway signature' });
    // The same caller, request id and body, signed again: a new nonce, a new call.
    expect((await verifySignedCall(secret, { ...input, signatureHeader: sign() }, nonces)).ok).toBe(true);
  });

  it('forgets a nonce once its signature could no longer be accepted anyway', async () => {
    let now = 1_000_000;
    const nonces = new MemoryNonceStore(() => now);
    expect(await nonces.claim('n1')).toBe(true);
    now += NONCE_TTL_MS - 1;
    expect(await nonces.claim('n1')).toBe(false);
    now += 20_000;
    expect(await nonces.claim('n1')).toBe(true);
  });

  it('shares nonces between replicas through Redis, and falls back to memory when Redis is down', async () => {
    const server = await PrivateRedis.start();
    const client = new Redis(server.url, { maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: false });
    try {
      await once(client, 'ready');
      const replicaA = new RedisNonceStore(client, 'test:nonce:');
      const replicaB = new RedisNonceStore(client, 'test:nonce:');
      expect(await replicaA.claim('shared')).toBe(true);
      expect(await replicaB.claim('shared')).toBe(false);
      await server.kill();
      expect(await replicaA.claim('during-outage')).toBe(true);
      expect(await replicaA.claim('during-outage')).toBe(false);
    } finally {
      client.disconnect();
      await server.dispose();
    }
  });
});
