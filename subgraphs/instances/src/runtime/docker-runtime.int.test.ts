import { person, startRuntimeHarness, type RuntimeHarness } from '../testing/harness';

/**
 * The Docker driver against a real engine: runs only when DOCKER_HOST names one (and dockerode is
 * installed); the request it sends is unit-tested in docker-options.test.ts either way.
 */
const dockerHost = process.env['DOCKER_HOST'];
let dockerodeInstalled = true;
try {
  require.resolve('dockerode');
} catch {
  dockerodeInstalled = false;
}
const skipReason = !dockerHost ? 'DOCKER_HOST is not set' : !dockerodeInstalled ? 'dockerode is not installed' : null;

const SERVER = `
require('fs').writeFileSync('/data/hello.txt', 'hello');
console.log('up');
console.error('on stderr');
require('http').createServer((q, s) => s.end('from docker')).listen(Number(process.env.PORT));
process.on('SIGTERM', () => process.exit(0));
`;

if (skipReason) {
  describe('the Docker runtime against a real engine', () => {
    it.skip(`is skipped: ${skipReason} (set DOCKER_HOST to a local engine, e.g. unix:///var/run/docker.sock, and install dockerode)`, () => undefined);
  });
} else {
  describe('the Docker runtime against a real engine', () => {
    jest.setTimeout(180_000);
    let h: RuntimeHarness;
    beforeAll(async () => {
      h = await startRuntimeHarness({ host: '127.0.0.1', env: { INSTANCE_RUNTIME: 'docker', DOCKER_HOST: dockerHost as string } });
    });
    afterAll(async () => {
      await h?.close();
    });

    it('runs a container: RUNNING, its published port answers, logs captured, stopped, removed with its volume', async () => {
      const owner = person();
      const m = await h.machine(['node', '-e', SERVER], { image: 'node:20-alpine', exposedPort: 8080, volumeMountPath: '/data', memoryLimitMb: 128, cpuLimit: 0.5 });
      const created = await h.create(m.id, owner);
      expect(created.driver).toBe('DOCKER');
      await h.waitForStatus(created.id, 'RUNNING');
      await h.waitForLog(created.id, (l) => l.includes('up') && l.includes('on stderr'), 'its first lines');
      const answer = await fetch(`http://127.0.0.1:${created.port}/`).then((r) => r.text());
      expect(answer).toBe('from docker');
      await h.ok(`mutation($id: ID!) { stopInstance(id: $id) { status } }`, { id: created.id }, owner);
      expect((await h.waitForStatus(created.id, 'STOPPED')).exitCode).toBe(0);
      const removed = await h.ok(`mutation($id: ID!) { removeInstance(id: $id, deleteVolume: true) { status } }`, { id: created.id }, owner);
      expect(removed.removeInstance.status).toBe('REMOVED');
    });
  });
}
