import type { RateLimitRule } from '@market/platform';

export type { RateLimiter } from '@market/platform';

/**
 * Every limit of this service, per account (keyed by the normalized e-mail or user id, so aliases,
 * batches and unknown addresses count alike) and per client IP. The per-IP limits are loose because
 * many people can share an address; the per-account ones are what stops guessing.
 * One-time codes also carry hard limits in the database (5 attempts per code, 1 send a minute,
 * 5 an hour): those hold even across replicas with no shared limiter.
 */
export const LIMITS = {
  signInPerAccount: { limit: 10, windowSeconds: 15 * 60, onUnavailable: 'deny', what: 'sign-in attempts' },
  signInPerIp: { limit: 100, windowSeconds: 15 * 60, onUnavailable: 'deny', what: 'sign-in attempts' },
  passwordCheckPerAccount: { limit: 10, windowSeconds: 15 * 60, onUnavailable: 'deny', what: 'password attempts' },
  codeCheckPerAccount: { limit: 30, windowSeconds: 60 * 60, onUnavailable: 'deny', what: 'code attempts' },
  codeCheckPerIp: { limit: 100, windowSeconds: 15 * 60, onUnavailable: 'deny', what: 'code attempts' },
  codeSendInterval: { limit: 1, windowSeconds: 60, onUnavailable: 'deny', what: 'codes requested' },
  codeSendHourly: { limit: 5, windowSeconds: 60 * 60, onUnavailable: 'deny', what: 'codes requested' },
  codeSendPerIp: { limit: 30, windowSeconds: 60 * 60, onUnavailable: 'deny', what: 'codes requested' },
  signUpPerIp: { limit: 50, windowSeconds: 60 * 60, onUnavailable: 'deny', what: 'sign-ups' },
  emailCheckPerIp: { limit: 60, windowSeconds: 60, what: 'e-mail checks' },
  refreshPerIp: { limit: 300, windowSeconds: 15 * 60, what: 'refreshes' },
  avatarUploadsPerAccount: { limit: 20, windowSeconds: 60 * 60, what: 'uploads' },
} as const satisfies Record<string, RateLimitRule>;

/** The key of a per-IP limit; requests whose address the gateway did not know share one bucket. */
export function ipKey(scope: string, ip: string | null): string {
  return `${scope}:ip:${ip ?? 'unknown'}`;
}

export function accountKey(scope: string, account: string): string {
  return `${scope}:account:${account}`;
}
