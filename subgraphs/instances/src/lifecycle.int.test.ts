import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createLogger, InProcessEventBus, type Identity } from '@market/platform';
import { testDatabaseUrl, eventually } from '@market/platform/testing';
import { createPrisma } from './db';
import { instanceLogLineTopic, instanceStatusTopic } from './live/topics';
import { allGone, alive, killAll, person, sleep, startRuntimeHarness, type RuntimeHarness } from './testing/harness';

jest.setTimeout(60_000);

/** A small service: writes a file in its working directory, forks a helper, serves HTTP on $PORT, logs to both streams. */
const SERVER = `
const http = require('http');
const fs = require('fs');
const { spawn } = require('child_process');
fs.writeFileSync('data.txt', 'x'.repeat(1234));
const helper = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
console.log('pid ' + process.pid + ' helper ' + helper.pid);
console.error('warming up');
const server = http.createServer((req, res) => { if (req.url !== '/') console.log('GET ' + req.url); res.end('hello from ' + process.env.GREETING + ' on ' + process.env.PORT); });
server.listen(Number(process.env.PORT), () => console.log('listening on ' + process.env.PORT));
process.on('SIGTERM', () => { console.log('bye'); process.exit(0); });
`;
/** Prints two lines and exits with code 3. */
const CRASHING = `console.log('about to fail'); console.error('fatal: no config'); process.exit(3);`;
/** Ignores SIGTERM: only SIGKILL ends it. */
const STUBBORN = `console.log('pid ' + process.pid); process.on('SIGTERM', () => console.log('not stopping')); setInterval(() => {}, 1000);`;

const START = `mutation($id: ID!) { startInstance(id: $id) { id status } }`;
const STOP = `mutation($id: ID!) { stopInstance(id: $id) { id status } }`;
const RESTART = `mutation($id: ID!) { restartInstance(id: $id) { id status } }`;
const REMOVE = `mutation($id: ID!, $deleteVolume: Boolean) { removeInstance(id: $id, deleteVolume: $deleteVolume) { id status removedAt } }`;
const LOGS = `query($id: ID!, $after: String, $first: Int) { instanceLogLines(instanceId: $id, after: $after, first: $first) {
  edges { cursor node { id line } } pageInfo { hasNextPage endCursor } } }`;

const node = (script: string) => [process.execPath, '-e', script];
const codeOf = (res: { errors?: { extensions?: Record<string, unknown> }[] }) => res.errors?.[0]?.extensions?.['code'];

/** Every process a test saw, killed in afterAll whatever happened. */
const seen = new Set<number>();
function pidsOf(lines: string[]): { pid: number; helper: number } {
  // The latest start's.
  const line = [...lines].reverse().find((l) => l.startsWith('pid '));
  const match = /^pid (\d+)(?: helper (\d+))?/.exec(line ?? '');
  if (!match) throw new Error(`no pid line in ${JSON.stringify(lines)}`);
  const pid = Number(match[1]);
  const helper = Number(match[2] ?? match[1]);
  seen.add(pid).add(helper);
  return { pid, helper };
}

async function get(url: string): Promise<string | null> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return await res.text();
  } catch {
    return null;
  }
}

let h: RuntimeHarness;
let server: { id: string; name: string };
beforeAll(async () => {
  h = await startRuntimeHarness();
  server = await h.machine(node(SERVER), { environment: [{ name: 'GREETING', value: 'the instance' }] });
});
afterAll(async () => {
  await h?.close();
  killAll(seen);
});

/** A RUNNING instance of the server machine, its pids, and its url. */
async function runningServer(owner: Identity) {
  const created = await h.create(server.id, owner);
  expect(created).toMatchObject({ __typename: 'Instance', status: 'STARTING', driver: 'PROCESS', host: h.host });
  const running = await h.waitForStatus(created.id, 'RUNNING');
  const lines = await h.waitForLog(
    created.id,
    (l) => l.some((x) => x.startsWith('listening')) && l.includes('warming up'),
    'its first lines',
  );
  return { ...running, ...pidsOf(lines), url: `http://${h.host}:${created.port}/` };
}

describe('a real local process', () => {
  it('starts at creation, reaches RUNNING, answers on its port, and its logs are captured and paged', async () => {
    const owner = person();
    const inst = await runningServer(owner);
    expect(inst.startedAt).toEqual(expect.any(String));
    expect(await get(inst.url)).toBe(`hello from the instance on ${inst.port}`);
    expect(alive(inst.pid)).toBe(true);
    expect(alive(inst.helper)).toBe(true);

    const lines = await h.logLines(inst.id, owner, 1);
    expect(lines.map((l) => [l.stream, l.line])).toEqual(
      expect.arrayContaining([
        ['STDOUT', `pid ${inst.pid} helper ${inst.helper}`],
        ['STDERR', 'warming up'],
        ['STDOUT', `listening on ${inst.port}`],
      ]),
    );
    // Paged one at a time, in order: each cursor is the line's id, and ids only grow.
    const ids = lines.map((l) => BigInt(l.id));
    expect([...ids].sort((a, b) => (a < b ? -1 : 1))).toEqual(ids);
    expect(lines.every((l) => l.cursor === l.id && !Number.isNaN(Date.parse(l.at)))).toBe(true);
    const afterFirst = await h.ok(LOGS, { id: inst.id, after: lines[0]!.cursor, first: 100 }, owner);
    expect(afterFirst.instanceLogLines.edges.map((e: any) => e.node.id)).toEqual(lines.slice(1).map((l) => l.id));
    expect(afterFirst.instanceLogLines.pageInfo).toEqual({ hasNextPage: false, endCursor: lines.at(-1)!.id });

    // The working directory stands for its volume: what it wrote is measured.
    expect(existsSync(path.join(h.volumeDir(inst.id), 'data.txt'))).toBe(true);
    // Sizes are measured at most every 10 s, so an earlier read may still show the empty volume.
    let size: number | null = null;
    for (const deadline = Date.now() + 15_000; size !== 1234 && Date.now() < deadline;) {
      size = (await h.instance(inst.id, owner)).volumeSizeBytes;
      if (size !== 1234) await new Promise((r) => setTimeout(r, 500));
    }
    expect(size).toBe(1234);
  });

  it('stops on request: STOPPING, then STOPPED with every process of its group gone; restarts', async () => {
    const owner = person();
    const inst = await runningServer(owner);
    await sleep(1100);
    expect((await h.instance(inst.id, owner)).uptimeSeconds).toBeGreaterThanOrEqual(1);

    expect((await h.ok(STOP, { id: inst.id }, owner)).stopInstance).toEqual({ id: inst.id, status: 'STOPPING' });
    const stopped = await h.waitForStatus(inst.id, 'STOPPED');
    // It handled SIGTERM and exited 0 within the grace period.
    expect(stopped).toMatchObject({ exitCode: 0, failureReason: null, stoppedAt: expect.any(String) });
    expect(await allGone([inst.pid, inst.helper])).toBe(true);
    expect(await get(inst.url)).toBeNull();
    expect((await h.logLines(inst.id, owner)).map((l) => l.line)).toContain('bye');
    // Stopped by its owner is not downtime.
    const { uptimeSeconds } = stopped;
    await sleep(1100);
    expect(await h.instance(inst.id, owner)).toMatchObject({ uptimeSeconds, downtimeSeconds: 0 });

    // Restarting a stopped instance starts it again, as a new process.
    expect((await h.ok(RESTART, { id: inst.id }, owner)).restartInstance.status).toBe('STARTING');
    await h.waitForStatus(inst.id, 'RUNNING');
    const second = pidsOf(
      await h.waitForLog(inst.id, (l) => l.filter((x) => x.startsWith('listening')).length === 2, 'a second listening'),
    );
    expect(second.pid).not.toBe(inst.pid);
    expect(await get(inst.url)).toBe(`hello from the instance on ${inst.port}`);

    // Restarting a running one stops it first, then starts it again.
    expect((await h.ok(RESTART, { id: inst.id }, owner)).restartInstance.status).toBe('STOPPING');
    await h.idle();
    const third = await h.waitForStatus(inst.id, 'RUNNING');
    expect(third.exitCode).toBeNull();
    const lines = await h.waitForLog(inst.id, (l) => l.filter((x) => x.startsWith('listening')).length === 3, 'a third listening');
    expect(await allGone([second.pid, second.helper])).toBe(true);
    const pids = lines.filter((l) => l.startsWith('pid ')).map((l) => Number(/^pid (\d+)/.exec(l)![1]));
    pids.forEach((p) => seen.add(p));
    expect(new Set(pids).size).toBe(3);
    expect(await get(inst.url)).toBe(`hello from the instance on ${inst.port}`);

    await h.ok(STOP, { id: inst.id }, owner);
    await h.waitForStatus(inst.id, 'STOPPED');
  });

  it('kills a process that ignores SIGTERM once the grace period is over', async () => {
    const owner = person();
    const stubborn = await h.machine(node(STUBBORN));
    const { id } = await h.create(stubborn.id, owner);
    await h.waitForStatus(id, 'RUNNING');
    const { pid } = pidsOf(await h.waitForLog(id, (l) => l.some((x) => x.startsWith('pid ')), 'its pid'));
    const asked = Date.now();
    await h.ok(STOP, { id }, owner);
    const stopped = await h.waitForStatus(id, 'STOPPED');
    expect(Date.now() - asked).toBeGreaterThanOrEqual(1400);
    expect(stopped.exitCode).toBe(128 + os.constants.signals.SIGKILL);
    expect(alive(pid)).toBe(false);
    expect((await h.logLines(id)).map((l) => l.line)).toContain('not stopping');
  });

  it('records a process that exits on its own as FAILED with its exit code, keeping what it wrote', async () => {
    const owner = person();
    const crashing = await h.machine(node(CRASHING));
    const { id } = await h.create(crashing.id, owner);
    const failed = await h.waitForStatus(id, 'FAILED');
    expect(failed).toMatchObject({ exitCode: 3, failureReason: 'It exited with code 3.', stoppedAt: expect.any(String) });
    const lines = await h.logLines(id, owner);
    expect(lines.map((l) => [l.stream, l.line])).toEqual([
      ['STDOUT', 'about to fail'],
      ['STDERR', 'fatal: no config'],
    ]);
    // A failed instance can be started again (and fails again); the last run's outcome is what shows.
    expect((await h.ok(START, { id }, owner)).startInstance.status).toBe('STARTING');
    await h.waitFor(id, (i) => i.status === 'FAILED' && i.startedAt !== failed.startedAt, 'a second failure');
    expect((await h.logLines(id, owner)).filter((l) => l.line === 'about to fail')).toHaveLength(2);
  });

  it('records a process killed from outside as FAILED with 128 + the signal', async () => {
    const owner = person();
    const inst = await runningServer(owner);
    process.kill(inst.pid, 'SIGKILL');
    const failed = await h.waitForStatus(inst.id, 'FAILED');
    expect(failed).toMatchObject({ exitCode: 137, failureReason: 'It was killed by SIGKILL.' });
    // What it left in its group goes with it (its helper would hold resources).
    expect(await allGone([inst.helper])).toBe(true);
    await sleep(1100);
    expect((await h.instance(inst.id, owner)).downtimeSeconds).toBeGreaterThanOrEqual(1);
  });

  it('fails to start a command that does not exist, saying so', async () => {
    const missing = await h.machine(['/nonexistent/program', '--flag']);
    const { id } = await h.create(missing.id, person());
    const failed = await h.waitForStatus(id, 'FAILED');
    expect(failed.failureReason).toBe('Could not run "/nonexistent/program": no such program.');
    expect(failed.exitCode).toBeNull();
  });

  it('fails a Docker machine when this server does not run Docker', async () => {
    const docker = await h.machine([], { image: 'nginx:1.27' });
    const { id, driver } = await h.create(docker.id, person());
    expect(driver).toBe('DOCKER');
    expect((await h.waitForStatus(id, 'FAILED')).failureReason).toMatch(/does not run Docker instances/);
  });
});

describe('removing', () => {
  it('stops the process, deletes the volume when asked and frees the port at once', async () => {
    const owner = person();
    const inst = await runningServer(owner);
    const removed = await h.ok(REMOVE, { id: inst.id, deleteVolume: true }, owner);
    expect(removed.removeInstance).toMatchObject({ id: inst.id, status: 'REMOVED', removedAt: expect.any(String) });
    expect(await allGone([inst.pid, inst.helper])).toBe(true);
    expect(existsSync(path.join(h.dataDir, inst.id))).toBe(false);
    expect((await h.instance(inst.id, owner)).volumeSizeBytes).toBeNull();
    // The log survives the instance, within its bound.
    expect((await h.logLines(inst.id, owner)).length).toBeGreaterThan(0);
  });

  it('keeps the volume unless asked', async () => {
    const owner = person();
    const inst = await runningServer(owner);
    await h.ok(REMOVE, { id: inst.id }, owner);
    expect(await allGone([inst.pid, inst.helper])).toBe(true);
    expect(existsSync(path.join(h.volumeDir(inst.id), 'data.txt'))).toBe(true);
  });
});

describe('the state machine', () => {
  it('refuses what the status does not allow with CONFLICT, and changes nothing', async () => {
    const owner = person();
    const inst = await runningServer(owner);
    const conflict = async (mutation: string, message: string | RegExp) => {
      const res = await h.call(mutation, { id: inst.id }, owner);
      expect(codeOf(res)).toBe('CONFLICT');
      expect(res.errors?.[0]?.message).toMatch(message);
    };
    await conflict(START, 'This instance is running already.');
    await h.ok(STOP, { id: inst.id }, owner);
    await h.waitForStatus(inst.id, 'STOPPED');
    await conflict(STOP, 'This instance is stopped already.');
    await h.ok(REMOVE, { id: inst.id }, owner);
    await conflict(RESTART, 'A removed instance cannot be restarted.');
    await conflict(START, 'A removed instance cannot be started.');
    await conflict(STOP, 'A removed instance cannot be stopped.');
    await conflict(REMOVE, 'This instance is already removed.');
    expect((await h.instance(inst.id, owner)).status).toBe('REMOVED');
  });

  it('lets exactly one of many simultaneous requests through', async () => {
    const owner = person();
    const inst = await runningServer(owner);
    const stops = await Promise.all(Array.from({ length: 10 }, () => h.call(STOP, { id: inst.id }, owner)));
    expect(stops.filter((r) => r.data?.stopInstance?.status === 'STOPPING')).toHaveLength(1);
    expect(stops.filter((r) => codeOf(r) === 'CONFLICT')).toHaveLength(9);
    await h.waitForStatus(inst.id, 'STOPPED');

    const starts = await Promise.all(Array.from({ length: 10 }, () => h.call(START, { id: inst.id }, owner)));
    expect(starts.filter((r) => r.data?.startInstance?.status === 'STARTING')).toHaveLength(1);
    expect(starts.filter((r) => codeOf(r) === 'CONFLICT')).toHaveLength(9);
    await h.waitForStatus(inst.id, 'RUNNING');
    await h.idle();
    // One new process, not ten.
    await h.waitForLog(inst.id, (l) => l.filter((x) => x.startsWith('listening')).length === 2, 'a second start');
    await sleep(300);
    const launched = (await h.logLines(inst.id)).filter((l) => l.line.startsWith('pid '));
    launched.forEach((l) => pidsOf([l.line]));
    expect(launched).toHaveLength(2);
    await h.ok(REMOVE, { id: inst.id }, owner);
  });

  it('publishes every transition through the outbox, in order', async () => {
    const owner = person();
    const inst = await runningServer(owner);
    await h.ok(STOP, { id: inst.id }, owner);
    await h.waitForStatus(inst.id, 'STOPPED');
    await h.ok(REMOVE, { id: inst.id }, owner);
    const events = await h.db.outboxEvent.findMany({ where: { aggregateId: inst.id }, orderBy: [{ occurredAt: 'asc' }] });
    expect(events.map((e) => e.type)).toEqual([
      'instances.instance.requested',
      'instances.instance.starting',
      'instances.instance.running',
      'instances.instance.stopping',
      'instances.instance.stopped',
      'instances.instance.removed',
    ]);
    expect(events.map((e) => (e.payload as { previousStatus: string | null }).previousStatus)).toEqual([
      null,
      'REQUESTED',
      'STARTING',
      'RUNNING',
      'STOPPING',
      'STOPPED',
    ]);
    expect(events[4]!.payload).toMatchObject({
      ownerId: owner.userId,
      machineName: server.name,
      status: 'STOPPED',
      exitCode: 0,
      port: inst.port,
    });
  });
});

describe('another user', () => {
  it('can neither see, read the logs of, nor control someone else’s instance', async () => {
    const owner = person();
    const stranger = person('HOST');
    const inst = await runningServer(owner);
    const before = await h.logLines(inst.id, owner);

    expect((await h.ok(`query($id: ID!) { instance(id: $id) { id } }`, { id: inst.id }, stranger)).instance).toBeNull();
    expect((await h.ok(`{ myInstances { edges { node { id } } } }`, {}, stranger)).myInstances.edges).toEqual([]);
    const entities = await h.ok(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Instance { id } } }`,
      {
        r: [{ __typename: 'Instance', id: inst.id }],
      },
      stranger,
    );
    expect(entities._entities).toEqual([null]);
    for (const [query, variables] of [
      [LOGS, { id: inst.id }],
      [START, { id: inst.id }],
      [STOP, { id: inst.id }],
      [RESTART, { id: inst.id }],
      [REMOVE, { id: inst.id, deleteVolume: true }],
    ] as const) {
      const res = await h.call(query, variables, stranger);
      expect(codeOf(res)).toBe('NOT_FOUND');
      expect(JSON.stringify(res)).not.toContain(owner.userId);
    }
    // Nothing happened to it: same status, same process, same port, same volume, same log.
    await h.idle();
    expect((await h.instance(inst.id, owner)).status).toBe('RUNNING');
    expect(alive(inst.pid)).toBe(true);
    expect(await get(inst.url)).toBe(`hello from the instance on ${inst.port}`);
    expect(existsSync(h.volumeDir(inst.id))).toBe(true);
    expect(await h.logLines(inst.id, owner)).toEqual(before);

    // Ids that name nothing look exactly the same; signed-out callers are told to sign in.
    for (const id of [randomUUID(), 'not-a-uuid']) {
      expect(codeOf(await h.call(STOP, { id }, owner))).toBe('NOT_FOUND');
      expect(codeOf(await h.call(LOGS, { id }, owner))).toBe('NOT_FOUND');
    }
    expect(codeOf(await h.call(STOP, { id: inst.id }, null))).toBe('UNAUTHENTICATED');
    expect(codeOf(await h.call(LOGS, { id: inst.id }, null))).toBe('UNAUTHENTICATED');

    // Admins may.
    expect((await h.logLines(inst.id, h.admin)).length).toBe(before.length);
    expect((await h.ok(STOP, { id: inst.id }, h.admin)).stopInstance.status).toBe('STOPPING');
    await h.waitForStatus(inst.id, 'STOPPED');
  });

  it('gets its own working directory and port; removing one instance leaves the other running', async () => {
    const [ann, bob] = [person(), person()];
    const a = await runningServer(ann);
    const b = await runningServer(bob);
    expect(a.port).not.toBe(b.port);
    expect(h.volumeDir(a.id)).not.toBe(h.volumeDir(b.id));
    await h.ok(REMOVE, { id: a.id, deleteVolume: true }, ann);
    expect(await allGone([a.pid, a.helper])).toBe(true);
    expect(alive(b.pid) && alive(b.helper)).toBe(true);
    expect(existsSync(path.join(h.volumeDir(b.id), 'data.txt'))).toBe(true);
    expect(await get(b.url)).toBe(`hello from the instance on ${b.port}`);
    await h.ok(REMOVE, { id: b.id, deleteVolume: true }, bob);
  });

  it('refuses bad paging input with BAD_USER_INPUT', async () => {
    const owner = person();
    const crashing = await h.machine(node(CRASHING));
    const { id } = await h.create(crashing.id, owner);
    for (const variables of [{ first: 0 }, { first: 1001 }, { after: 'abc' }, { after: '-1' }]) {
      expect(codeOf(await h.call(LOGS, { id, ...variables }, owner))).toBe('BAD_USER_INPUT');
    }
  });
});

describe('the log bound', () => {
  it('keeps only the newest INSTANCE_LOG_LINES_KEPT lines of an instance', async () => {
    const small = await startRuntimeHarness({ env: { INSTANCE_LOG_LINES_KEPT: '10' } });
    try {
      const chatty = await small.machine(node(`for (let i = 1; i <= 250; i++) console.log('line ' + i); setInterval(() => {}, 1000);`));
      const { id } = await small.create(chatty.id, person());
      const lines = await small.waitForLog(id, (l) => l.includes('line 250'), 'line 250');
      expect(lines).toEqual(Array.from({ length: 10 }, (_, i) => `line ${241 + i}`));
      expect(await small.db.instanceLogLine.count({ where: { instanceId: id } })).toBe(10);
    } finally {
      await small.close();
    }
  });
});

describe('the reconciler', () => {
  it('marks instances recorded RUNNING whose process is gone FAILED "lost on restart", and adopts a live one', async () => {
    // What a crash of the service leaves behind: instances recorded RUNNING, with process ids.
    const host = `127.0.${Math.floor(Math.random() * 250) + 1}.${Math.floor(Math.random() * 250) + 1}`;
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'instances-test-'));
    const first = await startRuntimeHarness({ host, dataDir });
    const owner = person();
    const sleeper = await first.machine(['sleep', '30']);
    const [lost, reused, orphan] = [
      await first.create(sleeper.id, owner),
      await first.create(sleeper.id, owner),
      await first.create(sleeper.id, owner),
    ];
    await first.idle();
    await first.close({ keepDataDir: true });

    // `lost`: its pid is gone. `reused`: its pid now belongs to something else, which must be left alone.
    // `orphan`: its process outlived the service (it carries the instance id in its environment).
    const gone = spawn('true');
    await new Promise((resolve) => gone.once('exit', resolve));
    const stranger = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    const survivor = spawn('sleep', ['30'], { detached: true, stdio: 'ignore', env: { MARKET_INSTANCE_ID: orphan.id } });
    seen.add(stranger.pid!).add(survivor.pid!);
    const db = createPrisma(testDatabaseUrl('instances'), 1);
    for (const [instance, pid] of [
      [lost, gone.pid!],
      [reused, stranger.pid!],
      [orphan, survivor.pid!],
    ] as const) {
      await db.instance.update({ where: { id: instance.id }, data: { status: 'RUNNING', runtimeRef: String(pid), stoppedAt: null } });
    }
    await db.$disconnect();

    const second = await startRuntimeHarness({ host, dataDir, env: { INSTANCE_RECONCILE_INTERVAL_MS: '200' } });
    try {
      await second.idle();
      expect(await second.instance(lost.id)).toMatchObject({ status: 'FAILED', failureReason: 'lost on restart', exitCode: null });
      expect(await second.instance(reused.id)).toMatchObject({ status: 'FAILED', failureReason: 'lost on restart' });
      expect(alive(stranger.pid!)).toBe(true);
      expect((await second.instance(orphan.id)).status).toBe('RUNNING');

      // The adopted process dies: the next pass notices.
      process.kill(survivor.pid!, 'SIGKILL');
      const failed = await second.waitForStatus(orphan.id, 'FAILED');
      expect(failed.failureReason).toBe('Its workload is gone (exit code unknown).');
    } finally {
      await second.close();
      killAll([stranger.pid!, survivor.pid!]);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('shutting down and deleted accounts', () => {
  it('stops every process when the service closes, recording them STOPPED', async () => {
    const own = await startRuntimeHarness();
    const pids: number[] = [];
    let ids: string[];
    try {
      const m = await own.machine(node(SERVER), { environment: [{ name: 'GREETING', value: 'x' }] });
      const owner = person();
      ids = [(await own.create(m.id, owner)).id, (await own.create(m.id, owner)).id];
      for (const id of ids) {
        await own.waitForStatus(id, 'RUNNING');
        const p = pidsOf(await own.waitForLog(id, (l) => l.some((x) => x.startsWith('listening')), 'listening'));
        pids.push(p.pid, p.helper);
      }
    } finally {
      await own.close({ keepDataDir: true });
    }
    expect(await allGone(pids)).toBe(true);
    const after = await startRuntimeHarness({ host: own.host });
    try {
      for (const id of ids) expect((await after.instance(id)).status).toBe('STOPPED');
    } finally {
      await after.close();
      rmSync(own.dataDir, { recursive: true, force: true });
    }
  });

  it('removes a deleted user’s instances: processes stopped, volumes and logs deleted', async () => {
    const bus = new InProcessEventBus(createLogger('bus', 'silent'));
    const own = await startRuntimeHarness({ bus });
    try {
      const m = await own.machine(node(SERVER), { environment: [{ name: 'GREETING', value: 'x' }] });
      const [leaving, staying] = [person(), person()];
      const gone = await own.create(m.id, leaving);
      const kept = await own.create(m.id, staying);
      await own.waitForStatus(gone.id, 'RUNNING');
      await own.waitForStatus(kept.id, 'RUNNING');
      const p = pidsOf(await own.waitForLog(gone.id, (l) => l.some((x) => x.startsWith('listening')), 'listening'));
      await bus.publish([
        {
          id: randomUUID(),
          type: 'accounts.user.deleted',
          version: 1,
          aggregateId: leaving.userId,
          occurredAt: new Date().toISOString(),
          payload: { userId: leaving.userId },
        },
      ]);
      await bus.drain();
      expect(await bus.deadLetters()).toEqual([]);
      expect((await own.instance(gone.id)).status).toBe('REMOVED');
      expect(await allGone([p.pid, p.helper])).toBe(true);
      expect(existsSync(path.join(own.dataDir, gone.id))).toBe(false);
      expect(await own.db.instanceLogLine.count({ where: { instanceId: gone.id } })).toBe(0);
      expect((await own.instance(kept.id)).status).toBe('RUNNING');
    } finally {
      await own.close();
      await bus.close();
    }
  });
});

describe('live subscriptions', () => {
  const LIVE_LOGS = `subscription($id: ID!, $tail: Int) { instanceLogs(instanceId: $id, tail: $tail) { id cursor stream line at } }`;
  const LIVE_STATUS = `subscription($id: ID!) { instanceStatusChanged(instanceId: $id) { id status exitCode machine { name } } }`;
  const listening = (channel: string) => eventually(() => h.pubsub.channels().includes(channel));

  it('streams the newest stored lines, then every new line once, with the cursors the paging query uses', async () => {
    const owner = person();
    const inst = await runningServer(owner);
    const stored = await h.logLines(inst.id, owner);
    const live = h.subscribe<{ instanceLogs: { id: string; cursor: string; stream: string; line: string } }>(owner, LIVE_LOGS, {
      id: inst.id,
      tail: 2,
    });
    await listening(instanceLogLineTopic.channel(inst.id));
    await eventually(() => live.events.length >= 2);
    expect(live.events.map((e) => e.instanceLogs.id)).toEqual(stored.slice(-2).map((l) => l.id));

    await get(`${inst.url}first`);
    await get(`${inst.url}second`);
    await eventually(() => live.events.length >= 4);
    const lines = live.events.map((e) => e.instanceLogs);
    expect(lines.slice(2).map((l) => [l.stream, l.line])).toEqual([
      ['STDOUT', 'GET /first'],
      ['STDOUT', 'GET /second'],
    ]);
    expect(new Set(lines.map((l) => l.id)).size).toBe(lines.length);
    // Resuming from the last live cursor finds nothing missed, and nothing twice.
    const after = await h.ok(
      `query($id: ID!, $after: String) { instanceLogLines(instanceId: $id, after: $after) { edges { node { line } } } }`,
      { id: inst.id, after: lines[2]!.cursor },
      owner,
    );
    expect(after.instanceLogLines.edges.map((e: any) => e.node.line)).toEqual(['GET /second']);
    expect(live.errors).toEqual([]);
    live.unsubscribe();
  });

  it('sends the current status first, then every status change of the instance', async () => {
    const owner = person();
    const inst = await runningServer(owner);
    const live = h.subscribe<{ instanceStatusChanged: { id: string; status: string; exitCode: number | null; machine: { name: string } } }>(
      owner,
      LIVE_STATUS,
      { id: inst.id },
    );
    await listening(instanceStatusTopic.channel(inst.id));
    await eventually(() => live.events.length >= 1);
    await h.ok(STOP, { id: inst.id }, owner);
    await eventually(() => live.events.length >= 3);
    expect(live.events.map((e) => e.instanceStatusChanged)).toEqual([
      { id: inst.id, status: 'RUNNING', exitCode: null, machine: { name: server.name } },
      { id: inst.id, status: 'STOPPING', exitCode: null, machine: { name: server.name } },
      { id: inst.id, status: 'STOPPED', exitCode: 0, machine: { name: server.name } },
    ]);
    live.unsubscribe();
  });

  it('refuses someone else’s instance (NOT_FOUND), signed-out callers, and a bad tail', async () => {
    const owner = person();
    const crashing = await h.machine(node(CRASHING));
    const { id } = await h.create(crashing.id, owner);
    const refused = [
      h.subscribe(person(), LIVE_LOGS, { id }),
      h.subscribe(person('HOST'), LIVE_STATUS, { id }),
      h.subscribe(null, LIVE_LOGS, { id }),
      h.subscribe(owner, LIVE_LOGS, { id, tail: 1001 }),
    ];
    await eventually(() => refused.every((s) => s.done || s.errors.length > 0));
    const codes = refused.map((s) => (s.errors[0] as { extensions?: { code?: string } })?.extensions?.code);
    expect(codes).toEqual(['NOT_FOUND', 'NOT_FOUND', 'UNAUTHENTICATED', 'BAD_USER_INPUT']);
    expect(h.pubsub.channels()).not.toContain(instanceLogLineTopic.channel(id));
  });
});
