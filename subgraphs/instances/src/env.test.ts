import { ConfigError } from '@market/platform';
import { loadInstancesEnv } from './env';

const base = { DATABASE_URL: 'postgres://localhost/instances', GATEWAY_SIGNING_SECRET: 'x'.repeat(32) };

describe('instances env', () => {
  it('defaults the pool to 127.0.0.1:20000-20999 and the port to 4006', () => {
    const env = loadInstancesEnv(base);
    expect(env.PORT).toBe(4006);
    expect(env.INSTANCE_HOST).toBe('127.0.0.1');
    expect(env.INSTANCE_PORT_RANGE).toEqual({ first: 20000, last: 20999 });
  });

  it('reads a custom range', () => {
    expect(loadInstancesEnv({ ...base, INSTANCE_PORT_RANGE: ' 30000-30000 ' }).INSTANCE_PORT_RANGE).toEqual({ first: 30000, last: 30000 });
  });

  it.each(['20999-20000', '0-10', '1-65536', '20000', 'a-b', '20000-'])('refuses the range %p', (range) => {
    expect(() => loadInstancesEnv({ ...base, INSTANCE_PORT_RANGE: range })).toThrow(ConfigError);
  });
});
