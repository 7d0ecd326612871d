import { PassThrough, type Writable } from 'node:stream';
import { createLogger } from '@market/platform';
import { connectDocker, DockerRuntime, type DockerClient, type DockerContainer } from './docker-runtime';
import { LABELS } from './docker-options';
import type { InstanceSpec } from './port';

const ID = '0b8f7a52-5a7e-4b43-9f0e-4f2b1b8f0c11';
const spec: InstanceSpec = {
  instanceId: ID,
  ownerId: '6d1f3c1e-9f3a-4a55-8f0e-0c2f1d2e3a44',
  host: '127.0.0.1',
  port: 20001,
  machine: {
    id: '9a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    name: 'web',
    image: 'nginx:1.27',
    command: [],
    environment: [],
    exposedPort: 80,
    volumeMountPath: '/data',
    cpuLimit: null,
    memoryLimitMb: 256,
    version: 1,
    buildContext: null,
    healthCheck: null,
    restartPolicy: 'NEVER',
    maxRestarts: 3,
  },
};

/** A Docker engine in memory: containers by id and name, with their labels and state. */
function fakeDocker() {
  const calls: string[] = [];
  const containers = new Map<
    string,
    { id: string; labels: Record<string, string>; running: boolean; exitCode: number; logs: PassThrough; exit?: () => void }
  >();
  const notFound = () => Object.assign(new Error('no such container'), { statusCode: 404 });
  const images = new Set(['nginx:1.27']);
  const container = (ref: string): DockerContainer => ({
    id: ref,
    async start() {
      calls.push(`start ${ref}`);
      const c = containers.get(ref);
      if (!c) throw notFound();
      c.running = true;
    },
    async stop(options) {
      calls.push(`stop ${ref} t=${options.t}`);
      const c = containers.get(ref);
      if (!c) throw notFound();
      c.running = false;
      c.exitCode = 143;
      c.exit?.();
    },
    async remove(options) {
      calls.push(`remove ${ref} force=${options.force}`);
      if (!containers.delete(ref)) throw notFound();
    },
    async inspect() {
      const c = containers.get(ref);
      if (!c) throw notFound();
      return { Id: c.id, Config: { Labels: c.labels }, State: { Running: c.running, ExitCode: c.exitCode } };
    },
    wait() {
      return new Promise((resolve) => {
        const c = containers.get(ref)!;
        c.exit = () => resolve({ StatusCode: c.exitCode });
      });
    },
    async logs() {
      return containers.get(ref)!.logs;
    },
  });
  const client: DockerClient = {
    async createContainer(options) {
      calls.push(`create ${options.name} ${options.Image}`);
      if ([...containers.values()].some((c) => c.labels['name'] === options.name)) {
        throw Object.assign(new Error('name taken'), { statusCode: 409 });
      }
      const id = `c${containers.size + 1}`;
      const entry = { id, labels: { ...options.Labels, name: options.name }, running: false, exitCode: 0, logs: new PassThrough() };
      containers.set(id, entry);
      containers.set(options.name, entry);
      return { id };
    },
    getContainer: container,
    async createVolume(options) {
      calls.push(`volume ${options.Name}`);
    },
    getVolume: (name) => ({
      async remove() {
        calls.push(`remove volume ${name}`);
      },
    }),
    getImage: (name) => ({
      async inspect() {
        calls.push(`inspect image ${name}`);
        if (!images.has(name)) throw notFound();
        return { Id: `sha256:${name}` };
      },
    }),
    async buildImage() {
      throw new Error('no builds here');
    },
    async df() {
      return { Volumes: [{ Name: `market-instance-${ID}-data`, UsageData: { Size: 4096 } }] };
    },
    modem: {
      // The fake writes stdout lines as "1:<text>" and stderr lines as "2:<text>".
      demuxStream(stream: NodeJS.ReadableStream, stdout: Writable, stderr: Writable) {
        stream.on('data', (chunk: Buffer) => {
          for (const part of chunk.toString().split(/(?=[12]:)/)) (part.startsWith('1:') ? stdout : stderr).write(part.slice(2));
        });
      },
      followProgress: (_stream, done) => done(null, []),
    },
  };
  return { client, containers, calls, images };
}

const runtime = (client: DockerClient) =>
  new DockerRuntime({ connect: async () => client, bindAddress: '127.0.0.1', logger: createLogger('test', 'silent') });

describe('DockerRuntime', () => {
  it('pulls nothing: an image that is not on the engine is a RuntimeError saying so, and nothing is created', async () => {
    const docker = fakeDocker();
    const r = runtime(docker.client);
    const missing = { ...spec, machine: { ...spec.machine, image: 'nowhere/app:1' } };
    await expect(r.create(missing, null)).rejects.toThrow(
      /"nowhere\/app:1" is not on this server's Docker engine, and images are never pulled/,
    );
    expect(docker.calls).toEqual(['inspect image nowhere/app:1']);
  });

  it('creates the volume and a labelled container, starts it, reads its two streams, and sees it exit', async () => {
    const docker = fakeDocker();
    const r = runtime(docker.client);
    const ref = await r.create(spec, null);
    expect(ref).toBe('c1');
    expect(docker.calls).toEqual([
      `inspect image nginx:1.27`,
      `volume market-instance-${ID}-data`,
      `create market-instance-${ID} nginx:1.27`,
    ]);
    const workload = await r.start(spec, ref);
    expect(await r.inspect(spec, 'c1')).toEqual({ state: 'running' });
    const logs = docker.containers.get('c1')!.logs;
    logs.write('1:ready\n2:warn: slow disk\n');
    const lines: string[] = [];
    const reading = (async () => {
      for await (const l of workload.logs) lines.push(`${l.stream} ${l.line}`);
    })();
    await r.stop(spec, 'c1', 3_000);
    expect(await workload.exited).toEqual({ exitCode: 143, signal: null, reason: null });
    logs.end();
    await reading;
    expect(lines).toEqual(['STDOUT ready', 'STDERR warn: slow disk']);
    expect(docker.calls).toContain('stop c1 t=3');
    expect(await r.inspect(spec, 'c1')).toEqual({ state: 'exited', exitCode: 143, reason: null });
    expect(await r.volumeSizeBytes(spec)).toBe(4096);
  });

  it('keeps the container it already made, and takes over one made before a crash under the same name', async () => {
    const docker = fakeDocker();
    const r = runtime(docker.client);
    const ref = await r.create(spec, null);
    expect(await r.create(spec, ref)).toBe(ref);
    expect(await r.create(spec, null)).toBe(ref);
    expect(docker.calls.filter((c) => c.startsWith('create'))).toHaveLength(2);
  });

  it('never touches a container that is not labelled with this instance', async () => {
    const docker = fakeDocker();
    const r = runtime(docker.client);
    const other = await r.create({ ...spec, instanceId: 'ffffffff-5a7e-4b43-9f0e-4f2b1b8f0c11' }, null);
    docker.containers.get(other!)!.running = true;
    await r.stop(spec, other!, 1_000);
    await r.remove(spec, other!, { deleteVolume: false });
    expect(await r.inspect(spec, other!)).toEqual({ state: 'missing' });
    expect(docker.containers.get(other!)!.running).toBe(true);
    expect(docker.calls.some((c) => c.startsWith('stop') || c.startsWith('remove'))).toBe(false);
    expect(docker.containers.get(other!)!.labels[LABELS.instanceId]).toBe('ffffffff-5a7e-4b43-9f0e-4f2b1b8f0c11');
  });

  it('removes the container, and the volume only when asked', async () => {
    const docker = fakeDocker();
    const r = runtime(docker.client);
    const ref = await r.create(spec, null);
    await r.remove(spec, ref, { deleteVolume: false });
    expect(docker.calls.filter((c) => c.startsWith('remove'))).toEqual(['remove c1 force=true']);
    await r.remove(spec, ref, { deleteVolume: true });
    expect(docker.calls.filter((c) => c.startsWith('remove'))).toEqual([
      'remove c1 force=true',
      `remove volume market-instance-${ID}-data`,
    ]);
  });

  it('explains when dockerode is not installed', async () => {
    let installed = true;
    try {
      require.resolve('dockerode');
    } catch {
      installed = false;
    }
    if (installed) return;
    await expect(connectDocker(undefined)).rejects.toThrow('the dockerode package is missing');
  });
});
