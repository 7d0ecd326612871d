import { createUser, eventually, startTestStack, type TestStack, type TestUser } from '../src/testing/stack';
import { subscribe } from '../src/testing/ws';

/**
 * Instances' live fields through the real graph: a real workload (a Node process started by the local
 * runtime) writes lines, and graphql-ws clients on the gateway follow them and the instance's status,
 * with `owner` resolved from accounts per event.
 */
const LOGS = `subscription($id: ID!, $tail: Int) { instanceLogs(instanceId: $id, tail: $tail) { line stream cursor } }`;
const STATUS = `subscription($id: ID!) { instanceStatusChanged(instanceId: $id) { status owner { name } machine { name } } }`;
const LINES_AFTER = `query($id: ID!, $after: String) { instanceLogLines(instanceId: $id, after: $after, first: 100) { edges { node { line cursor } } } }`;

interface LogEvent {
  instanceLogs: { line: string; stream: string; cursor: string };
}
interface StatusEvent {
  instanceStatusChanged: { status: string; owner: { name: string }; machine: { name: string } };
}

describe('instance subscriptions through the gateway', () => {
  let stack: TestStack;
  let owner: TestUser;
  let stranger: TestUser;
  let admin: TestUser;
  let instanceId: string;
  let machineName: string;

  beforeAll(async () => {
    stack = await startTestStack();
    [owner, stranger, admin] = await Promise.all([
      createUser(stack, 'SELLER', 'Olga Owner'),
      createUser(stack, 'BUYER', 'Sam Stranger'),
      createUser(stack, 'ADMIN', 'Ada Admin'),
    ]);
    machineName = `ticker-${Date.now()}`;
    // Writes a numbered line every 100 ms, on stdout, and one on stderr at start.
    const script = "console.error('ticker starting'); let n = 0; setInterval(() => console.log('tick ' + (++n)), 100);";
    const machine = await stack.request(
      `mutation($input: CreateMachineInput!) { createMachine(input: $input) { id } }`,
      { input: { name: machineName, command: ['node', '-e', script], exposedPort: 8080, maxInstancesPerUser: 1, capacity: 5 } },
      admin.token,
    );
    expect(machine.errors).toBeUndefined();
    const created = await stack.request(
      `mutation($id: ID!) { createInstance(machineId: $id) { __typename ... on Instance { id } } }`,
      { id: machine.data.createMachine.id },
      owner.token,
    );
    expect(created.data.createInstance.__typename).toBe('Instance');
    instanceId = created.data.createInstance.id;
    await eventually(async () => {
      const res = await stack.request(`query($id: ID!) { instance(id: $id) { status } }`, { id: instanceId }, owner.token);
      return res.data?.instance?.status === 'RUNNING';
    }, 20_000);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("streams a running instance's log lines to its owner live, after the stored tail, and catches up by cursor", async () => {
    await eventually(async () => {
      const res = await stack.request(LINES_AFTER, { id: instanceId }, owner.token);
      return (res.data?.instanceLogLines?.edges?.length ?? 0) >= 3;
    }, 20_000);
    const live = subscribe<LogEvent>(stack, LOGS, { id: instanceId, tail: 2 }, owner.token);
    const events = await live.waitFor(6, 20_000);
    expect(live.errors).toEqual([]);
    for (const e of events) expect(e.instanceLogs.line).toMatch(/^(tick \d+|ticker starting)$/);
    // Lines arrive in order: the tick numbers only go up, and the cursors too.
    const ticks = events
      .map((e) => /^tick (\d+)$/.exec(e.instanceLogs.line)?.[1])
      .filter(Boolean)
      .map(Number);
    expect(ticks).toEqual([...ticks].sort((a, b) => a - b));
    expect(new Set(ticks).size).toBe(ticks.length);
    const cursors = events.map((e) => e.instanceLogs.cursor);
    // Cursors are line sequence numbers: compared as numbers ("10" sorts before "4" as text).
    expect(cursors).toEqual([...cursors].sort((a, b) => Number(a) - Number(b)));
    await live.disconnect();

    // What was written while away comes back from the last cursor seen.
    await new Promise((r) => setTimeout(r, 400));
    const last = events[events.length - 1]!.instanceLogs;
    const missed = await stack.request(LINES_AFTER, { id: instanceId, after: last.cursor }, owner.token);
    const lines: string[] = missed.data.instanceLogLines.edges.map((e: { node: { line: string } }) => e.node.line);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(Number(/^tick (\d+)$/.exec(lines[0]!)?.[1])).toBe(Number(/^tick (\d+)$/.exec(last.line)?.[1]) + 1);
  });

  it('lets an admin follow the logs too, and refuses anyone else and anonymous clients', async () => {
    const forAdmin = subscribe<LogEvent>(stack, LOGS, { id: instanceId, tail: 0 }, admin.token);
    await forAdmin.waitFor(1, 20_000);
    await forAdmin.disconnect();

    const forStranger = subscribe<LogEvent>(stack, LOGS, { id: instanceId, tail: 5 }, stranger.token);
    await forStranger.done;
    expect(forStranger.events).toEqual([]);
    expect(forStranger.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'NOT_FOUND' }) })]);

    const anonymous = subscribe<StatusEvent>(stack, STATUS, { id: instanceId });
    await anonymous.done;
    expect(anonymous.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) })]);
  });

  it('tells the owner the current status, then each change with fields from accounts, when the instance is stopped', async () => {
    const changes = subscribe<StatusEvent>(stack, STATUS, { id: instanceId }, owner.token);
    await changes.waitFor(1, 20_000);
    const stopped = await stack.request(`mutation($id: ID!) { stopInstance(id: $id) { status } }`, { id: instanceId }, owner.token);
    expect(stopped.errors).toBeUndefined();
    const events = await changes.waitFor(3, 20_000);
    expect(events.map((e) => e.instanceStatusChanged.status)).toEqual(['RUNNING', 'STOPPING', 'STOPPED']);
    expect(events[2]!.instanceStatusChanged).toEqual({ status: 'STOPPED', owner: { name: 'Olga Owner' }, machine: { name: machineName } });
    await changes.disconnect();
  });
});
