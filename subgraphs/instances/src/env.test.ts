import os from 'node:os';
import path from 'node:path';
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

  it('uses Docker when DOCKER_HOST names an engine (npm start with DOCKER_HOST set), on the host network by default', () => {
    const env = loadInstancesEnv({ ...base, DOCKER_HOST: 'unix:///tmp/market-docker/docker.sock', INSTANCE_RUNTIME: '' });
    expect(env).toMatchObject({
      INSTANCE_RUNTIME: 'docker',
      INSTANCE_DOCKER_NETWORK: 'host',
      INSTANCE_LEASE_TTL_MS: 30_000,
      INSTANCE_PROCESS_LIMITS: 'auto',
    });
    expect(loadInstancesEnv({ ...base, DOCKER_HOST: 'unix:///x.sock', INSTANCE_RUNTIME: 'process' }).INSTANCE_RUNTIME).toBe('process');
    expect(loadInstancesEnv(base).INSTANCE_BUILD_ROOT).toBe(path.resolve(__dirname, '..', '..', '..'));
  });

  it('reads a custom range', () => {
    expect(loadInstancesEnv({ ...base, INSTANCE_PORT_RANGE: ' 30000-30000 ' }).INSTANCE_PORT_RANGE).toEqual({ first: 30000, last: 30000 });
  });

  it.each(['20999-20000', '0-10', '1-65536', '20000', 'a-b', '20000-'])('refuses the range %p', (range) => {
    expect(() => loadInstancesEnv({ ...base, INSTANCE_PORT_RANGE: range })).toThrow(ConfigError);
  });

  it('runs local processes by default, with a bounded log, a grace period and the reconciler on', () => {
    const env = loadInstancesEnv(base);
    expect(env).toMatchObject({
      INSTANCE_RUNTIME: 'process',
      INSTANCE_LOG_LINES_KEPT: 5000,
      INSTANCE_STOP_GRACE_MS: 10_000,
      INSTANCE_RECONCILE_INTERVAL_MS: 5_000,
    });
    expect(env.DOCKER_HOST).toBeUndefined();
  });

  it('keeps working directories in .data/instances at the repository root, in DATA_DIR when given, in the temp dir in tests', () => {
    const repoRoot = path.resolve(__dirname, '..', '..', '..');
    expect(loadInstancesEnv(base).INSTANCES_DATA_DIR).toBe(path.join(repoRoot, '.data', 'instances'));
    expect(loadInstancesEnv({ ...base, DATA_DIR: '/srv/market' }).INSTANCES_DATA_DIR).toBe('/srv/market/instances');
    expect(loadInstancesEnv({ ...base, INSTANCES_DATA_DIR: 'var/inst' }).INSTANCES_DATA_DIR).toBe(path.join(repoRoot, 'var', 'inst'));
    expect(loadInstancesEnv({ ...base, NODE_ENV: 'test' }).INSTANCES_DATA_DIR).toBe(path.join(os.tmpdir(), 'market-instances'));
  });

  it('takes empty values (as in .env.example) for unset', () => {
    const env = loadInstancesEnv({ ...base, DATA_DIR: '', INSTANCES_DATA_DIR: ' ', DOCKER_HOST: '' });
    expect(env.DOCKER_HOST).toBeUndefined();
    expect(env.INSTANCES_DATA_DIR).toBe(path.resolve(__dirname, '..', '..', '..', '.data', 'instances'));
  });

  it('reads the Docker runtime settings', () => {
    const env = loadInstancesEnv({
      ...base,
      INSTANCE_RUNTIME: 'docker',
      DOCKER_HOST: 'tcp://docker:2375',
      INSTANCE_RECONCILE_INTERVAL_MS: '0',
    });
    expect(env).toMatchObject({ INSTANCE_RUNTIME: 'docker', DOCKER_HOST: 'tcp://docker:2375', INSTANCE_RECONCILE_INTERVAL_MS: 0 });
  });

  it('reports every bad runtime setting at once', () => {
    try {
      loadInstancesEnv({
        ...base,
        INSTANCE_RUNTIME: 'podman',
        DOCKER_HOST: 'docker:2375',
        INSTANCE_LOG_LINES_KEPT: '0',
        INSTANCE_STOP_GRACE_MS: '-1',
      });
      throw new Error('accepted');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems.map((p) => p.split(':')[0])).toEqual(
        expect.arrayContaining(['INSTANCE_RUNTIME', 'DOCKER_HOST', 'INSTANCE_LOG_LINES_KEPT', 'INSTANCE_STOP_GRACE_MS']),
      );
    }
  });
});
