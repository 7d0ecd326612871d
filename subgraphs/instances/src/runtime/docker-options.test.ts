import { containerCreateOptions, containerName, dockerConnectionOptions, volumeName } from './docker-options';
import type { InstanceSpec } from './port';

const spec = (machine: Partial<InstanceSpec['machine']> = {}): InstanceSpec => ({
  instanceId: '0b8f7a52-5a7e-4b43-9f0e-4f2b1b8f0c11',
  ownerId: '6d1f3c1e-9f3a-4a55-8f0e-0c2f1d2e3a44',
  host: '127.0.0.1',
  port: 20007,
  machine: {
    id: '9a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    name: 'postgres',
    image: 'postgres:16',
    command: ['postgres', '-c', 'fsync=off'],
    environment: [
      { name: 'POSTGRES_PASSWORD', value: 's3cret' },
      { name: 'PORT', value: '1' },
    ],
    exposedPort: 5432,
    volumeMountPath: '/var/lib/postgresql/data',
    cpuLimit: 0.5,
    memoryLimitMb: 512,
    version: 1,
    buildContext: null,
    healthCheck: null,
    restartPolicy: 'NEVER',
    maxRestarts: 3,
    ...machine,
  },
});

describe('containerCreateOptions', () => {
  it('asks Docker for the machine’s image, command and environment, labelled with the instance', () => {
    const options = containerCreateOptions(spec(), { bindAddress: '127.0.0.1' });
    expect(options).toMatchObject({
      name: 'market-instance-0b8f7a52-5a7e-4b43-9f0e-4f2b1b8f0c11',
      Image: 'postgres:16',
      Cmd: ['postgres', '-c', 'fsync=off'],
      Env: ['POSTGRES_PASSWORD=s3cret', 'PORT=5432'],
      Labels: {
        'market.managed-by': 'market-instances',
        'market.instance-id': '0b8f7a52-5a7e-4b43-9f0e-4f2b1b8f0c11',
        'market.owner-id': '6d1f3c1e-9f3a-4a55-8f0e-0c2f1d2e3a44',
        'market.machine-id': '9a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      },
      Tty: false,
    });
  });

  it('publishes the workload’s port on the allocated one, mounts the named volume, and applies the limits', () => {
    const { ExposedPorts, HostConfig } = containerCreateOptions(spec(), { bindAddress: '127.0.0.1' });
    expect(ExposedPorts).toEqual({ '5432/tcp': {} });
    expect(HostConfig).toEqual({
      PortBindings: { '5432/tcp': [{ HostIp: '127.0.0.1', HostPort: '20007' }] },
      Mounts: [{ Type: 'volume', Source: volumeName(spec().instanceId), Target: '/var/lib/postgresql/data' }],
      NanoCpus: 500_000_000,
      Memory: 512 * 1024 * 1024,
      MemorySwap: 512 * 1024 * 1024,
      PidsLimit: 1024,
      Init: true,
      RestartPolicy: { Name: 'no' },
      SecurityOpt: ['no-new-privileges:true'],
      LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '2' } },
    });
  });

  it('leaves out what the machine does not set: command, volume, limits; the workload then listens on the allocated port', () => {
    const options = containerCreateOptions(
      spec({ command: [], exposedPort: null, volumeMountPath: null, cpuLimit: null, memoryLimitMb: null, environment: [] }),
      { bindAddress: '0.0.0.0' },
    );
    expect(options).not.toHaveProperty('Cmd');
    expect(options.Env).toEqual(['PORT=20007']);
    expect(options.ExposedPorts).toEqual({ '20007/tcp': {} });
    expect(options.HostConfig.PortBindings).toEqual({ '20007/tcp': [{ HostIp: '0.0.0.0', HostPort: '20007' }] });
    expect(options.HostConfig.Mounts).toEqual([]);
    expect(options.HostConfig).not.toHaveProperty('NanoCpus');
    expect(options.HostConfig).not.toHaveProperty('Memory');
  });

  it('gives each instance its own container and volume names', () => {
    expect(containerName('A-B')).toBe('market-instance-a-b');
    expect(volumeName('A-B')).toBe('market-instance-a-b-data');
  });

  it('refuses a machine without an image', () => {
    expect(() => containerCreateOptions(spec({ image: null }), { bindAddress: '0.0.0.0' })).toThrow('has no image');
  });
});

describe('dockerConnectionOptions', () => {
  it.each([
    [undefined, { socketPath: '/var/run/docker.sock' }],
    ['unix:///run/user/1000/docker.sock', { socketPath: '/run/user/1000/docker.sock' }],
    ['tcp://docker.internal:2375', { host: 'docker.internal', port: 2375, protocol: 'http' }],
    ['tcp://10.0.0.5:2376', { host: '10.0.0.5', port: 2376, protocol: 'https' }],
    ['https://docker.example:8443', { host: 'docker.example', port: 8443, protocol: 'https' }],
  ])('reads DOCKER_HOST %p', (dockerHost, expected) => {
    expect(dockerConnectionOptions(dockerHost)).toEqual(expected);
  });

  it('refuses what it cannot reach', () => {
    expect(() => dockerConnectionOptions('npipe:////./pipe/docker_engine')).toThrow('DOCKER_HOST');
  });
});
