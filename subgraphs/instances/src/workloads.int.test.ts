import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { person, sleep, startRuntimeHarness, type RuntimeHarness } from './testing/harness';

/** Listens on $PORT after LISTEN_AFTER_MS; /health answers 200 until HEALTHY_FOR_MS have passed, 503 after. */
const DELAYED_SERVER = `
const started = Date.now();
const healthyFor = Number(process.env.HEALTHY_FOR_MS || 1e9);
setTimeout(() => require('http').createServer((q, s) => {
  if (q.url === '/health') { s.statusCode = Date.now() - started < healthyFor ? 200 : 503; return s.end(); }
  s.end('version ' + process.env.TAG);
}).listen(Number(process.env.PORT), () => console.log('listening')), Number(process.env.LISTEN_AFTER_MS || 0));
process.on('SIGTERM', () => process.exit(0));
`;
const node = (script: string) => [process.execPath, '-e', script];
const healthCheck = { kind: 'HTTP', path: '/health', intervalMs: 150, timeoutMs: 500, startTimeoutMs: 10_000, failureThreshold: 2 };
const cgroupWritable = () => {
  try {
    accessSync('/sys/fs/cgroup/cgroup.controllers');
    return process.getuid?.() === 0;
  } catch {
    try {
      accessSync('/sys/fs/cgroup/memory', constants.W_OK);
      return true;
    } catch {
      return false;
    }
  }
};
const REMOVE = `mutation($id: ID!) { removeInstance(id: $id) { status } }`;

/** The whole machine catalog as `who` sees it, page by page (the test database holds every test's machines). */
async function wholeCatalog<T>(
  call: (query: string, variables: Record<string, unknown>) => Promise<any>,
  fields: string,
  includeRetired = false,
): Promise<T[]> {
  const nodes: T[] = [];
  let after: string | null = null;
  do {
    const res: any = await call(
      `query($r: Boolean, $after: String) { machines(includeRetired: $r, first: 100, after: $after) { edges { node { ${fields} } } pageInfo { hasNextPage endCursor } } }`,
      { r: includeRetired, after },
    );
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    nodes.push(...res.data.machines.edges.map((e: { node: T }) => e.node));
    after = res.data.machines.pageInfo.hasNextPage ? res.data.machines.pageInfo.endCursor : null;
  } while (after);
  return nodes;
}

describe('process workloads: health checks, limits, machine versions', () => {
  jest.setTimeout(60_000);
  let h: RuntimeHarness;
  beforeAll(async () => {
    h = await startRuntimeHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('is STARTING until the HTTP health check passes, then RUNNING and serving', async () => {
    const owner = person();
    const m = await h.machine(node(DELAYED_SERVER), { environment: [{ name: 'LISTEN_AFTER_MS', value: '1500' }], healthCheck });
    const created = await h.create(m.id, owner);
    await sleep(700);
    // Spawned, but not serving yet.
    expect((await h.instance(created.id)).status).toBe('STARTING');
    const running = await h.waitForStatus(created.id, 'RUNNING');
    expect(await fetch(`http://${h.host}:${running.port}/health`).then((r) => r.status)).toBe(200);
    await h.ok(REMOVE, { id: created.id }, owner);
  });

  it('a TCP check that never passes FAILs the start with the reason; one failing after RUNNING makes it UNHEALTHY', async () => {
    const owner = person();
    const silent = await h.machine(['sleep', '30'], { healthCheck: { kind: 'TCP', intervalMs: 100, timeoutMs: 200, startTimeoutMs: 800 } });
    const never = await h.create(silent.id, owner);
    const failed = await h.waitForStatus(never.id, 'FAILED');
    expect(failed.failureReason).toMatch(/^Its health check did not pass within 1 s \(TCP .*ECONNREFUSED\)\.$/);

    const flaky = await h.machine(node(DELAYED_SERVER), { environment: [{ name: 'HEALTHY_FOR_MS', value: '1500' }], healthCheck });
    const sick = await h.create(flaky.id, owner);
    await h.waitForStatus(sick.id, 'RUNNING');
    const unhealthy = await h.waitForStatus(sick.id, 'UNHEALTHY');
    expect(unhealthy.failureReason).toBe('Its health check failed 2 time(s) in a row: HTTP GET /health answered 503.');
    // The owner is told through the bus: the transition's event is in the outbox.
    const events = await h.db.outboxEvent.findMany({ where: { aggregateId: sick.id, type: 'instances.instance.unhealthy' } });
    expect(events).toHaveLength(1);
    await h.ok(REMOVE, { id: sick.id }, owner);
    await h.ok(REMOVE, { id: never.id }, owner);
  });

  it('enforces the memory limit on a local process: allocating past it is FAILED, killed for exceeding it', async () => {
    const owner = person();
    const hog = await h.machine(['sh', '-c', 'echo allocating; x=$(head -c 200000000 /dev/zero | tr "\\0" y); echo survived'], {
      memoryLimitMb: 32,
    });
    const created = await h.create(hog.id, owner);
    const failed = await h.waitForStatus(created.id, 'FAILED');
    // cgroup (v1 or v2) where this server may make one, as on CI; ulimit -v elsewhere (then the shell's own error).
    if (cgroupWritable()) {
      expect(failed.failureReason).toBe('It was killed for exceeding its memory limit of 32 MiB.');
    } else {
      expect(failed.exitCode).not.toBe(0);
    }
    expect((await h.logLines(created.id)).map((l) => l.line)).not.toContain('survived');
  });

  it('restarts by its restart policy, up to maxRestarts in a row, then stays FAILED', async () => {
    const owner = person();
    const m = await h.machine(['sh', '-c', 'echo run; exit 3'], { restartPolicy: 'ON_FAILURE', maxRestarts: 2 });
    const created = await h.create(m.id, owner);
    await h.waitForLog(created.id, (l) => l.filter((x) => x === 'run').length === 3, 'three runs');
    const failed = await h.waitFor(created.id, (i) => i.status === 'FAILED', 'FAILED for good');
    await h.idle();
    const after = await h.ok(`query($id: ID!) { instance(id: $id) { status restartCount exitCode } }`, { id: created.id }, owner);
    expect(after.instance).toEqual({ status: 'FAILED', restartCount: 2, exitCode: 3 });
    expect(failed.failureReason).toBe('It exited with code 3.');
    expect((await h.logLines(created.id)).filter((l) => l.line === 'run')).toHaveLength(3);
  });

  it('edits make a new version: new instances run it, running ones keep theirs; a retired machine starts none', async () => {
    const owner = person();
    const m = await h.machine(node(DELAYED_SERVER), { environment: [{ name: 'TAG', value: 'one' }], healthCheck });
    const old = await h.create(m.id, owner);
    await h.waitForStatus(old.id, 'RUNNING');
    const edited = await h.ok(
      `mutation($id: ID!, $input: UpdateMachineInput!) { updateMachine(id: $id, input: $input) { version environment { name value } capacity } }`,
      { id: m.id, input: { environment: [{ name: 'TAG', value: 'two' }], capacity: 50 } },
      h.admin,
    );
    expect(edited.updateMachine).toEqual({ version: 2, environment: [{ name: 'TAG', value: 'two' }], capacity: 50 });
    // Not a workload change: no new version.
    const renamed = await h.ok(
      `mutation($id: ID!) { updateMachine(id: $id, input: { description: "x" }) { version } }`,
      { id: m.id },
      h.admin,
    );
    expect(renamed.updateMachine.version).toBe(2);
    const fresh = await h.create(m.id, owner);
    await h.waitForStatus(fresh.id, 'RUNNING');
    const versions = await h.ok(
      `query($a: ID!, $b: ID!) { a: instance(id: $a) { machineVersion port } b: instance(id: $b) { machineVersion port } }`,
      { a: old.id, b: fresh.id },
      owner,
    );
    expect([versions.a.machineVersion, versions.b.machineVersion]).toEqual([1, 2]);
    expect(await fetch(`http://${h.host}:${versions.a.port}/`).then((r) => r.text())).toBe('version one');
    expect(await fetch(`http://${h.host}:${versions.b.port}/`).then((r) => r.text())).toBe('version two');
    // A restart keeps the instance's version.
    await h.ok(`mutation($id: ID!) { restartInstance(id: $id) { status } }`, { id: old.id }, owner);
    await h.waitFor(old.id, (i) => i.status === 'RUNNING' && i.startedAt !== versions.a.startedAt, 'RUNNING again');
    expect(await fetch(`http://${h.host}:${versions.a.port}/`).then((r) => r.text())).toBe('version one');

    const notAdmin = await h.call(`mutation($id: ID!) { retireMachine(id: $id) { id } }`, { id: m.id }, owner);
    expect(notAdmin.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const retired = await h.ok(`mutation($id: ID!) { retireMachine(id: $id) { retiredAt } }`, { id: m.id }, h.admin);
    expect(retired.retireMachine.retiredAt).toEqual(expect.any(String));
    const refused = await h.ok(
      `mutation($id: ID!) { createInstance(machineId: $id) { __typename ... on MachineRetired { message machine { id } } } }`,
      { id: m.id },
      owner,
    );
    expect(refused.createInstance).toMatchObject({ __typename: 'MachineRetired', machine: { id: m.id } });
    const page = (query: string, variables: Record<string, unknown>) => h.ok(query, variables, owner).then((data: unknown) => ({ data }));
    expect((await wholeCatalog<{ id: string }>(page, 'id')).map((x) => x.id)).not.toContain(m.id);
    expect((await wholeCatalog<{ id: string }>(page, 'id', true)).map((x) => x.id)).toContain(m.id);
    // Existing instances keep running until removed.
    expect((await h.instance(old.id)).status).toBe('RUNNING');
    for (const id of [old.id, fresh.id]) await h.ok(REMOVE, { id }, owner);
  });

  it('deletes a machine only once it is retired and all its instances are removed, and tells the other domains', async () => {
    const owner = person();
    const m = await h.machine(['sleep', '30']);
    const DELETE = `mutation($id: ID!) { deleteMachine(id: $id) }`;
    const code = (r: { errors?: readonly { extensions?: Record<string, unknown>; message: string }[] }) =>
      r.errors?.[0]?.extensions?.['code'];
    const instance = await h.create(m.id, owner);
    expect(code(await h.call(DELETE, { id: m.id }, owner))).toBe('FORBIDDEN');
    const offered = await h.call(DELETE, { id: m.id }, h.admin);
    expect(code(offered)).toBe('CONFLICT');
    expect(offered.errors?.[0]?.message).toMatch(/retire it first/);
    await h.ok(`mutation($id: ID!) { retireMachine(id: $id) { id } }`, { id: m.id }, h.admin);
    const inUse = await h.call(DELETE, { id: m.id }, h.admin);
    expect(code(inUse)).toBe('CONFLICT');
    expect(inUse.errors?.[0]?.message).toMatch(/1 instance\(s\) that are not removed/);
    await h.ok(REMOVE, { id: instance.id }, owner);
    await h.waitForStatus(instance.id, 'REMOVED');
    expect(await h.ok(DELETE, { id: m.id }, h.admin)).toEqual({ deleteMachine: m.id });
    expect(await h.ok(`query($id: ID!) { machine(id: $id) { id } }`, { id: m.id }, h.admin)).toEqual({ machine: null });
    expect(code(await h.call(DELETE, { id: m.id }, h.admin))).toBe('NOT_FOUND');
    const events = await h.db.outboxEvent.findMany({ where: { aggregateId: m.id }, orderBy: { seq: 'asc' }, select: { type: true } });
    expect(events.map((e) => e.type)).toEqual(['instances.machine.upserted', 'instances.machine.deleted']);
  });
});

describe('two replicas of the instances service on one database and host', () => {
  jest.setTimeout(60_000);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'instances-replicas-'));
  let a: RuntimeHarness;
  let b: RuntimeHarness;
  beforeAll(async () => {
    // Both reconcile often, on the same host and working directories: each would start what it sees STARTING.
    a = await startRuntimeHarness({ dataDir, env: { INSTANCE_RECONCILE_INTERVAL_MS: '100' } });
    b = await startRuntimeHarness({ host: a.host, dataDir, env: { INSTANCE_RECONCILE_INTERVAL_MS: '100' } });
  });
  afterAll(async () => {
    await b?.close({ keepDataDir: true });
    await a?.close({ keepDataDir: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts each instance exactly once (a lease per instance), and a stop written by the other replica is carried out by the holder', async () => {
    const owner = person();
    // Every start appends a line to `starts` in the instance's working directory.
    const m = await a.machine(['sh', '-c', 'echo started >> starts; exec sleep 60']);
    const created = [];
    for (let i = 0; i < 3; i++) created.push(await a.create(m.id, owner));
    for (let i = 0; i < 3; i++) created.push(await b.create(m.id, owner));
    for (const c of created) await a.waitForStatus(c.id, 'RUNNING');
    await sleep(800); // several reconcile passes of both
    for (const c of created) {
      expect((await a.instance(c.id)).status).toBe('RUNNING');
      expect(readFileSync(path.join(a.volumeDir(c.id), 'starts'), 'utf8')).toBe('started\n');
    }
    const holders = await a.db.$queryRaw<{ holder: string; n: number }[]>`
      SELECT holder, count(*)::int AS n FROM instance_leases WHERE instance_id = ANY(${created.map((c) => c.id)}::uuid[]) GROUP BY holder`;
    expect(holders.reduce((sum, row) => sum + row.n, 0)).toBe(6);

    // Stopped through B an instance A supervises (and the other way round): the holder stops it.
    await b.ok(`mutation($id: ID!) { stopInstance(id: $id) { status } }`, { id: created[0].id }, owner);
    await a.ok(`mutation($id: ID!) { stopInstance(id: $id) { status } }`, { id: created[3].id }, owner);
    expect((await a.waitForStatus(created[0].id, 'STOPPED')).exitCode).not.toBeUndefined();
    await a.waitForStatus(created[3].id, 'STOPPED');
    for (const c of created) await a.ok(REMOVE, { id: c.id }, owner);
  });
});
