import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { person, sleep, startRuntimeHarness, type RuntimeHarness } from '../testing/harness';
import { connectDocker, type DockerClient } from './docker-runtime';
import { containerName } from './docker-options';

/**
 * The Docker driver against a real engine (CI starts one: .ci/services/docker.sh, DOCKER_HOST). The
 * images are built here from files in the repository: a base FROM scratch with Debian's static
 * busybox, and the machines' build context test-images/httpd, which the runtime builds itself.
 */
const dockerHost = process.env['DOCKER_HOST'];
const BUSYBOX = ['/usr/bin/busybox', '/bin/busybox'].find((p) => existsSync(p));
const skipReason = !dockerHost
  ? 'DOCKER_HOST is not set (bash .ci/services/docker.sh start)'
  : !BUSYBOX
    ? 'busybox-static is not installed'
    : null;
const TEST_IMAGES = path.resolve(__dirname, '..', '..', 'test-images');
const HTTPD = 'subgraphs/instances/test-images/httpd';
const BASE_IMAGE = 'market-test/busybox:1';

async function buildBase(docker: DockerClient): Promise<void> {
  const context = mkdtempSync(path.join(os.tmpdir(), 'market-busybox-'));
  try {
    copyFileSync(path.join(TEST_IMAGES, 'busybox', 'Dockerfile'), path.join(context, 'Dockerfile'));
    copyFileSync(BUSYBOX as string, path.join(context, 'busybox'));
    const progress = await docker.buildImage({ context, src: ['Dockerfile', 'busybox'] }, { t: BASE_IMAGE, rm: true });
    const output = await new Promise<{ error?: string }[]>((resolve, reject) =>
      docker.modem.followProgress(progress, (err, out) => (err ? reject(err) : resolve(out))),
    );
    const failed = output.find((o) => o.error);
    if (failed) throw new Error(failed.error);
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}

const healthCheck = { kind: 'HTTP', path: '/health', intervalMs: 200, timeoutMs: 500, startTimeoutMs: 15_000, failureThreshold: 2 };

if (skipReason) {
  describe('the Docker runtime against a real engine', () => {
    it.skip(`is skipped: ${skipReason}`, () => undefined);
  });
} else {
  describe('the Docker runtime against a real engine', () => {
    jest.setTimeout(120_000);
    let docker: DockerClient;
    let h: RuntimeHarness;
    const harnesses: RuntimeHarness[] = [];
    const start = async (host: string, reconcileMs = '0') => {
      const harness = await startRuntimeHarness({
        host,
        env: {
          INSTANCE_RUNTIME: 'docker',
          DOCKER_HOST: dockerHost as string,
          INSTANCE_DOCKER_NETWORK: 'host',
          INSTANCE_RECONCILE_INTERVAL_MS: reconcileMs,
        },
      });
      harnesses.push(harness);
      return harness;
    };
    const containerOf = async (id: string) => docker.getContainer(containerName(id)).inspect();

    beforeAll(async () => {
      docker = await connectDocker(dockerHost);
      await buildBase(docker);
      h = await start('127.0.0.1');
    });
    afterAll(async () => {
      // Containers outlive the service by design: whatever a failed test left of this run's instances goes.
      const ids = h ? (await h.db.instance.findMany({ select: { id: true } })).map((i) => i.id) : [];
      for (const harness of harnesses) await harness.close();
      for (const id of ids)
        await docker
          ?.getContainer(containerName(id))
          .remove({ force: true })
          .catch(() => undefined);
    });

    it('builds the machine from its build context, RUNNING only once /health answers, with port, limits, volume and labels; logs; stop, restart and remove are idempotent', async () => {
      const owner = person();
      const m = await h.machine([], {
        buildContext: HTTPD,
        environment: [{ name: 'DATA', value: '/data' }],
        volumeMountPath: '/data',
        memoryLimitMb: 64,
        cpuLimit: 0.5,
        healthCheck,
      });
      const created = await h.create(m.id, owner);
      expect(created).toMatchObject({ __typename: 'Instance', driver: 'DOCKER', status: 'STARTING' });
      const running = await h.waitFor(created.id, (i) => i.status === 'RUNNING', 'RUNNING (the build may take a moment)');
      // RUNNING means serving: the health check passed on the allocated port.
      expect(await fetch(`http://127.0.0.1:${running.port}/`).then((r) => r.text())).toBe('from docker\n');
      const c = await containerOf(created.id);
      expect(c.Config?.Labels).toMatchObject({
        'market.instance-id': created.id,
        'market.owner-id': owner.userId,
        'market.machine-id': m.id,
      });
      const hostConfig = (
        c as unknown as {
          HostConfig: { Memory: number; NanoCpus: number; NetworkMode: string; Mounts: { Source: string; Target: string }[] };
        }
      ).HostConfig;
      expect(hostConfig).toMatchObject({ Memory: 64 * 1024 * 1024, NanoCpus: 0.5e9, NetworkMode: 'host' });
      expect(hostConfig.Mounts).toEqual([expect.objectContaining({ Source: `market-instance-${created.id}-data`, Target: '/data' })]);
      await h.waitForLog(
        created.id,
        (l) => l.includes(`up on ${running.port}`) && l.includes('on stderr'),
        'its first lines on both streams',
      );

      const stop = `mutation($id: ID!) { stopInstance(id: $id) { status } }`;
      await h.ok(stop, { id: created.id }, owner);
      await h.waitForStatus(created.id, 'STOPPED');
      // Once stopped, stopping again is refused by the state machine, and the engine call itself is a no-op.
      expect((await h.call(stop, { id: created.id }, owner)).errors?.[0]?.extensions?.['code']).toBe('CONFLICT');
      expect((await containerOf(created.id)).State.Running).toBe(false);

      await h.ok(`mutation($id: ID!) { restartInstance(id: $id) { status } }`, { id: created.id }, owner);
      await h.waitForStatus(created.id, 'RUNNING');
      expect((await containerOf(created.id)).State.Running).toBe(true);

      const removed = await h.ok(
        `mutation($id: ID!) { removeInstance(id: $id, deleteVolume: true) { status } }`,
        { id: created.id },
        owner,
      );
      expect(removed.removeInstance.status).toBe('REMOVED');
      await expect(containerOf(created.id)).rejects.toMatchObject({ statusCode: 404 });
      await expect(docker.getVolume(`market-instance-${created.id}-data`).remove()).rejects.toMatchObject({ statusCode: 404 });
    });

    it('pulls nothing: an image that is not on the engine FAILs the instance with a clear reason', async () => {
      const owner = person();
      const m = await h.machine(['httpd'], { image: 'market-test/not-here:1' });
      const created = await h.create(m.id, owner);
      const failed = await h.waitForStatus(created.id, 'FAILED');
      expect(failed.failureReason).toMatch(/"market-test\/not-here:1" is not on this server's Docker engine, and images are never pulled/);
    });

    it('a failing health check after RUNNING makes it UNHEALTHY, with the reason', async () => {
      const owner = person();
      const m = await h.machine([], { buildContext: HTTPD, environment: [{ name: 'FAIL_AFTER', value: '2' }], healthCheck });
      const created = await h.create(m.id, owner);
      await h.waitForStatus(created.id, 'RUNNING');
      const unhealthy = await h.waitFor(created.id, (i) => i.status === 'UNHEALTHY', 'UNHEALTHY');
      expect(unhealthy.failureReason).toMatch(/health check failed 2 time\(s\) in a row: HTTP GET \/health answered 404/);
      await h.ok(`mutation($id: ID!) { removeInstance(id: $id) { status } }`, { id: created.id }, owner);
    });

    it('enforces the memory limit: a workload allocating past it is FAILED, killed for exceeding it', async () => {
      const owner = person();
      const m = await h.machine(['sh', '-c', 'echo allocating; x=$(head -c 200000000 /dev/zero | tr "\\0" y); echo survived'], {
        image: BASE_IMAGE,
        memoryLimitMb: 32,
      });
      const created = await h.create(m.id, owner);
      const failed = await h.waitForStatus(created.id, 'FAILED');
      expect(failed.failureReason).toBe('It was killed for exceeding its memory limit of 32 MiB.');
      expect((await h.logLines(created.id)).map((l) => l.line)).not.toContain('survived');
      await h.ok(`mutation($id: ID!) { removeInstance(id: $id) { status } }`, { id: created.id }, owner);
      await expect(containerOf(created.id)).rejects.toMatchObject({ statusCode: 404 });
    });

    it('after a restart of the service its successor adopts running containers, and marks one that vanished FAILED', async () => {
      // A host of their own: the other harness here does not renew leases (its reconciler is off).
      const host = '127.0.0.3';
      const first = await start(host, '200');
      const owner = person();
      const m = await first.machine([], { buildContext: HTTPD });
      const kept = await first.create(m.id, owner);
      const lost = await first.create(m.id, owner);
      await first.waitForStatus(kept.id, 'RUNNING');
      await first.waitForStatus(lost.id, 'RUNNING');
      await first.close();
      // Containers outlive the service; one vanishes while it is down.
      expect((await containerOf(kept.id)).State.Running).toBe(true);
      await docker.getContainer(containerName(lost.id)).remove({ force: true });

      const second = await start(host, '200');
      expect((await second.waitForStatus(lost.id, 'FAILED')).failureReason).toBe('lost on restart');
      await sleep(600);
      expect((await second.instance(kept.id)).status).toBe('RUNNING');
      // Adopted: it is watched again (its exit is seen) and can be stopped through the API.
      await docker.getContainer(containerName(kept.id)).stop({ t: 1 });
      expect((await second.waitForStatus(kept.id, 'FAILED')).failureReason).toMatch(/exited with code/);
      for (const id of [kept.id, lost.id]) await second.ok(`mutation($id: ID!) { removeInstance(id: $id) { status } }`, { id }, owner);
    });
  });
}
