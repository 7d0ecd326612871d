import { SignJWT, jwtVerify, importPKCS8, importSPKI, generateKeyPair, exportPKCS8, exportSPKI, errors } from 'jose';
import type { KeyLike } from 'jose';
import { ROLES, type Identity, type Role } from './identity';

/** Access tokens are Ed25519-signed JWTs; the algorithm is pinned on both sides. */
export const ACCESS_TOKEN_ALG = 'EdDSA';
export const ACCESS_TOKEN_ISSUER = 'market-accounts';
export const ACCESS_TOKEN_AUDIENCE = 'market-gateway';

export interface KeyPairPem {
  privateKeyPem: string;
  publicKeyPem: string;
}

export async function generateAccessTokenKeys(): Promise<KeyPairPem> {
  const { privateKey, publicKey } = await generateKeyPair(ACCESS_TOKEN_ALG, { crv: 'Ed25519', extractable: true });
  return { privateKeyPem: await exportPKCS8(privateKey), publicKeyPem: await exportSPKI(publicKey) };
}

export class AccessTokenSigner {
  private constructor(
    private readonly key: KeyLike,
    private readonly ttlSeconds: number,
  ) {}

  static async fromPem(privateKeyPem: string, ttlSeconds: number): Promise<AccessTokenSigner> {
    return new AccessTokenSigner(await importPKCS8(privateKeyPem, ACCESS_TOKEN_ALG), ttlSeconds);
  }

  async sign(identity: Identity): Promise<{ token: string; expiresAt: Date }> {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + this.ttlSeconds;
    const token = await new SignJWT({ role: identity.role, sid: identity.sessionId })
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, typ: 'JWT' })
      .setSubject(identity.userId)
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, expiresAt: new Date(exp * 1000) };
  }
}

export type VerifyTokenResult = { ok: true; identity: Identity } | { ok: false; reason: 'expired' | 'invalid' };

/** A verified token with the times it carries, in seconds since the epoch (`iat`, `exp`). */
export type VerifyTokenClaimsResult =
  { ok: true; identity: Identity; issuedAt: number; expiresAt: number } | { ok: false; reason: 'expired' | 'invalid' };

export class AccessTokenVerifier {
  private constructor(private readonly key: KeyLike) {}

  static async fromPem(publicKeyPem: string): Promise<AccessTokenVerifier> {
    return new AccessTokenVerifier(await importSPKI(publicKeyPem, ACCESS_TOKEN_ALG));
  }

  async verify(token: string): Promise<VerifyTokenResult> {
    const verdict = await this.verifyClaims(token);
    return verdict.ok ? { ok: true, identity: verdict.identity } : verdict;
  }

  /** Like `verify`, plus `iat` and `exp`, which a revocation check compares with. */
  async verifyClaims(token: string): Promise<VerifyTokenClaimsResult> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: [ACCESS_TOKEN_ALG],
        issuer: ACCESS_TOKEN_ISSUER,
        audience: ACCESS_TOKEN_AUDIENCE,
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      const role = payload['role'];
      const sid = payload['sid'];
      if (
        typeof payload.sub !== 'string' ||
        typeof sid !== 'string' ||
        !ROLES.includes(role as Role) ||
        typeof payload.iat !== 'number' ||
        typeof payload.exp !== 'number'
      ) {
        return { ok: false, reason: 'invalid' };
      }
      return {
        ok: true,
        identity: { userId: payload.sub, role: role as Role, sessionId: sid },
        issuedAt: payload.iat,
        expiresAt: payload.exp,
      };
    } catch (err) {
      if (err instanceof errors.JWTExpired) return { ok: false, reason: 'expired' };
      return { ok: false, reason: 'invalid' };
    }
  }
}
