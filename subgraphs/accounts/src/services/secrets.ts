import { createHash, createHmac, hkdfSync, randomBytes, randomInt } from 'node:crypto';
import type { CodePurpose } from '../domain';

/**
 * Derives a purpose-bound 256-bit key from a configured secret (HKDF-SHA256), so one secret can
 * key several HMACs without any of them being usable for another purpose.
 */
export function deriveKey(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'market-accounts', purpose, 32));
}

/** One-time codes: 6 digits from the CSPRNG, valid 10 minutes, at most 5 wrong tries each. */
export const CODE_RULES = {
  ttlSeconds: 10 * 60,
  maxAttempts: 5,
  resendIntervalSeconds: 60,
  sendsPerHour: 5,
} as const;

export const CODE_PATTERN = /^\d{6}$/;

export function generateCode(): string {
  return randomInt(0, 1_000_000).toString().padStart(6, '0');
}

/**
 * Codes are stored as HMAC-SHA256 under a server key that is not in the database, not as argon2:
 * with only 10^6 possible codes any hash, however slow, is reversed offline in seconds once the
 * table leaks, so slowness buys nothing; a keyed MAC makes the leaked column useless without the
 * key. Being deterministic, it also lets the database compare and count in ONE atomic UPDATE.
 * The account and purpose are part of the MAC, so a hash never matches for another account or use.
 */
export class CodeHasher {
  constructor(private readonly key: Buffer) {}

  hash(purpose: CodePurpose, userId: string, code: string): string {
    return createHmac('sha256', this.key).update(`${purpose}:${userId}:${code}`).digest('hex');
  }
}

/** Refresh tokens: 256 random bits, base64url; only their SHA-256 is stored. */
export const REFRESH_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function generateRefreshToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashRefreshToken(token) };
}

/**
 * The token a refresh token is rotated to: an HMAC of it under a server key, so every presentation
 * of one token names the same successor (concurrent refreshes get the same new pair within the
 * reuse grace window) while nobody without the key can compute it from a stolen token.
 */
export function successorRefreshToken(key: Buffer, token: string): { token: string; hash: string } {
  const next = createHmac('sha256', key).update(token).digest('base64url');
  return { token: next, hash: hashRefreshToken(next) };
}

/** A plain SHA-256 suffices: the token has 256 bits of entropy, so nothing can be guessed from it. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
