import { createHmac } from 'node:crypto';
import { AccessTokenSigner, AccessTokenVerifier, generateAccessTokenKeys } from './tokens';

const identity = { userId: '3f1c6a2e-0000-4000-8000-000000000001', role: 'BUYER' as const, sessionId: 'sess-1' };

function b64(json: object) {
  return Buffer.from(JSON.stringify(json)).toString('base64url');
}

describe('access tokens', () => {
  let signer: AccessTokenSigner;
  let verifier: AccessTokenVerifier;
  let publicKeyPem: string;

  beforeAll(async () => {
    const keys = await generateAccessTokenKeys();
    publicKeyPem = keys.publicKeyPem;
    signer = await AccessTokenSigner.fromPem(keys.privateKeyPem, 900);
    verifier = await AccessTokenVerifier.fromPem(keys.publicKeyPem);
  });

  it('round-trips the identity', async () => {
    const { token, expiresAt } = await signer.sign(identity);
    expect(await verifier.verify(token)).toEqual({ ok: true, identity });
    expect(expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(900_000);
  });

  it('refuses a token signed by another key', async () => {
    const other = await AccessTokenSigner.fromPem((await generateAccessTokenKeys()).privateKeyPem, 900);
    const { token } = await other.sign(identity);
    expect(await verifier.verify(token)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses alg none', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: identity.userId, role: 'ADMIN', sid: 's', iat: now, exp: now + 60, iss: 'market-accounts', aud: 'market-gateway' })}.`;
    expect(await verifier.verify(token)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses HS256 signed with the public key (algorithm confusion)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: identity.userId, role: 'ADMIN', sid: 's', iat: now, exp: now + 60, iss: 'market-accounts', aud: 'market-gateway' })}`;
    const sig = createHmac('sha256', publicKeyPem).update(head).digest('base64url');
    expect(await verifier.verify(`${head}.${sig}`)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('reports an expired token as expired', async () => {
    const keys = await generateAccessTokenKeys();
    const pastSigner = await AccessTokenSigner.fromPem(keys.privateKeyPem, 60);
    jest.useFakeTimers({ now: Date.now() - 3_600_000, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const { token } = await pastSigner.sign(identity);
    jest.useRealTimers();
    const pairedVerifier = await AccessTokenVerifier.fromPem(keys.publicKeyPem);
    expect(await pairedVerifier.verify(token)).toEqual({ ok: false, reason: 'expired' });
  });
});
