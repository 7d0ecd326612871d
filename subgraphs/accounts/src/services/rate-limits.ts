import type { RateLimitRule } from '@market/platform';
import type { AccountsEnv } from '../env';

export type { RateLimiter } from '@market/platform';

/**
 * Every limit of this service, per account (keyed by the normalized e-mail or user id, so aliases,
 * batches and unknown addresses count alike) and per client IP. The per-IP limits are loose because
 * many people can share an address; the per-account ones are what stops guessing. How many in which
 * window is configuration (RATE_LIMIT_* in env.ts, the same "N/<window>" format as every service);
 * what a limit protects, and so whether it fails closed when the store is unreachable, is code.
 * One-time codes also carry hard limits in the database (5 attempts per code, 1 send a minute,
 * 5 an hour): those hold even across replicas with no shared limiter.
 */
const RULES = {
  signInPerAccount: { setting: 'RATE_LIMIT_SIGN_IN_PER_ACCOUNT', onUnavailable: 'deny', what: 'sign-in attempts' },
  signInPerIp: { setting: 'RATE_LIMIT_SIGN_IN_PER_IP', onUnavailable: 'deny', what: 'sign-in attempts' },
  passwordCheckPerAccount: { setting: 'RATE_LIMIT_PASSWORD_CHECK_PER_ACCOUNT', onUnavailable: 'deny', what: 'password attempts' },
  codeCheckPerAccount: { setting: 'RATE_LIMIT_CODE_CHECK_PER_ACCOUNT', onUnavailable: 'deny', what: 'code attempts' },
  codeCheckPerIp: { setting: 'RATE_LIMIT_CODE_CHECK_PER_IP', onUnavailable: 'deny', what: 'code attempts' },
  codeSendInterval: { setting: 'RATE_LIMIT_CODE_SEND_PER_MINUTE', onUnavailable: 'deny', what: 'codes requested' },
  codeSendHourly: { setting: 'RATE_LIMIT_CODE_SEND_PER_HOUR', onUnavailable: 'deny', what: 'codes requested' },
  codeSendPerIp: { setting: 'RATE_LIMIT_CODE_SEND_PER_IP', onUnavailable: 'deny', what: 'codes requested' },
  signUpPerIp: { setting: 'RATE_LIMIT_SIGN_UP_PER_IP', onUnavailable: 'deny', what: 'sign-ups' },
  emailCheckPerIp: { setting: 'RATE_LIMIT_EMAIL_CHECK_PER_IP', what: 'e-mail checks' },
  refreshPerIp: { setting: 'RATE_LIMIT_REFRESH_PER_IP', what: 'refreshes' },
  avatarUploadsPerAccount: { setting: 'RATE_LIMIT_AVATAR_UPLOAD_PER_ACCOUNT', what: 'uploads' },
} as const satisfies Record<
  string,
  Omit<RateLimitRule, 'limit' | 'windowSeconds'> & { setting: keyof AccountsEnv & `RATE_LIMIT_${string}` }
>;

export type AccountLimits = Record<keyof typeof RULES, RateLimitRule>;

/** The limits with their sizes from the environment. */
export function accountLimits(env: Pick<AccountsEnv, (typeof RULES)[keyof typeof RULES]['setting']>): AccountLimits {
  const limits = {} as AccountLimits;
  for (const [name, { setting, ...rule }] of Object.entries(RULES) as [keyof typeof RULES, (typeof RULES)[keyof typeof RULES]][]) {
    limits[name] = { ...rule, ...env[setting] };
  }
  return limits;
}

/** The key of a per-IP limit; requests whose address the gateway did not know share one bucket. */
export function ipKey(scope: string, ip: string | null): string {
  return `${scope}:ip:${ip ?? 'unknown'}`;
}

export function accountKey(scope: string, account: string): string {
  return `${scope}:account:${account}`;
}
