import { loadAccountsEnv } from '../env';
import { accountLimits } from './rate-limits';

const required = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/market_accounts',
  GATEWAY_SIGNING_SECRET: 'x'.repeat(32),
  JWT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\nunused here\n-----END PRIVATE KEY-----',
};

describe('account limits', () => {
  it('take their sizes from RATE_LIMIT_* (defaults as documented) and their failure mode from the code', () => {
    const limits = accountLimits(loadAccountsEnv(required));
    expect(limits.signInPerAccount).toEqual({ limit: 10, windowSeconds: 900, onUnavailable: 'deny', what: 'sign-in attempts' });
    expect(limits.codeSendInterval).toEqual({ limit: 1, windowSeconds: 60, onUnavailable: 'deny', what: 'codes requested' });
    expect(limits.codeSendHourly).toEqual({ limit: 5, windowSeconds: 3600, onUnavailable: 'deny', what: 'codes requested' });
    expect(limits.refreshPerIp).toEqual({ limit: 300, windowSeconds: 900, what: 'refreshes' });
    expect(limits.avatarUploadsPerAccount).toEqual({ limit: 20, windowSeconds: 3600, what: 'uploads' });
  });

  it('follow the environment, and refuse a setting that is not N/<window>', () => {
    const limits = accountLimits(loadAccountsEnv({ ...required, RATE_LIMIT_SIGN_IN_PER_IP: '7/2h' }));
    expect(limits.signInPerIp).toEqual({ limit: 7, windowSeconds: 7200, onUnavailable: 'deny', what: 'sign-in attempts' });
    expect(() => loadAccountsEnv({ ...required, RATE_LIMIT_SIGN_IN_PER_IP: '7 per hour' })).toThrow(/RATE_LIMIT_SIGN_IN_PER_IP/);
  });
});
