import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger, InProcessEventBus, type EventBus, type Identity, type Role, type RunningServer } from '@market/platform';
import { callSubgraph, testDatabaseUrl, testSecrets, unique } from '@market/platform/testing';
import { createSubgraph, loadEnv, type InstancesSubgraph } from './subgraph';

const CREATE_MACHINE = `mutation($input: CreateMachineInput!) { createMachine(input: $input) {
  id name description image command exposedPort environment { name value } volumeMountPath cpuLimit memoryLimitMb
  maxInstancesPerUser capacity allowedRoles createdAt } }`;
const CREATE_INSTANCE = `mutation($machineId: ID!) { createInstance(machineId: $machineId) {
  __typename
  ... on Instance { id status host port owner { id } machine { id name } }
  ... on QuotaExceeded { limit message machine { id } }
  ... on CapacityExhausted { capacity message machine { id } }
  ... on NoPortAvailable { host message } } }`;
const REMOVE_INSTANCE = `mutation($id: ID!) { removeInstance(id: $id) { id status port } }`;
const INSTANCE = `query($id: ID!) { instance(id: $id) { id status host port owner { id } machine { name } } }`;
const MY_INSTANCES = `query($all: Boolean) { myInstances(includeRemoved: $all) { edges { node { id status port } } } }`;
const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) {
  __typename ... on Machine { id name } ... on Instance { id port } ... on User { id instances { edges { node { id } } } } } }`;

// Allocations serialize on their machine's lock: 100 of them take a few seconds on a slow disk.
jest.setTimeout(60_000);

type Call = <T = any>(query: string, variables: Record<string, unknown>, identity: Identity | null) => ReturnType<typeof callSubgraph<T>>;

const person = (role: Role = 'BUYER'): Identity => ({ userId: randomUUID(), role, sessionId: randomUUID() });

/**
 * One running subgraph per call. Each gets its own instance host, so its port pool is its own and
 * tests about ports do not see each other's instances.
 */
async function startInstances(portRange = '20000-20999', bus: EventBus | null = null) {
  const secrets = await testSecrets();
  const host = `${unique('host')}.test`;
  const queries: string[] = [];
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'instances-test-'));
  const env = loadEnv({
    NODE_ENV: 'test',
    DATABASE_URL: testDatabaseUrl('instances'),
    GATEWAY_SIGNING_SECRET: secrets.signingSecret,
    INSTANCE_HOST: host,
    INSTANCE_PORT_RANGE: portRange,
    // These tests are about allocation: the reconciler's queries would only blur the query counts.
    INSTANCE_RECONCILE_INTERVAL_MS: '0',
    INSTANCE_STOP_GRACE_MS: '2000',
    INSTANCES_DATA_DIR: dataDir,
  });
  const subgraph: InstancesSubgraph = await createSubgraph(env, createLogger('instances', 'silent'), {
    bus,
    onQuery: (sql) => queries.push(sql),
  });
  const running: RunningServer = await subgraph.listen(0, '127.0.0.1');
  const call: Call = (query, variables, identity) =>
    callSubgraph(running.url, { query, variables }, { secret: secrets.signingSecret, identity });
  const admin = person('ADMIN');

  /** A machine made by an admin through the API. */
  async function machine(overrides: Record<string, unknown> = {}): Promise<{ id: string; name: string }> {
    const input = { name: unique('machine'), command: ['sleep', 'infinity'], maxInstancesPerUser: 3, capacity: 50, ...overrides };
    const res = await call(CREATE_MACHINE, { input }, admin);
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data.createMachine;
  }

  return {
    host,
    call,
    admin,
    queries,
    machine,
    createInstance: (machineId: string, who: Identity) => call(CREATE_INSTANCE, { machineId }, who),
    /** Waits until the runtime work the requests so far asked for is done (starts, stops, releases). */
    idle: () => subgraph.idle(),
    async close() {
      await running.close();
      await subgraph.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

type Harness = Awaited<ReturnType<typeof startInstances>>;

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

describe('instances subgraph', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startInstances();
  });
  afterAll(async () => {
    await h.close();
  });

  describe('the machine catalog', () => {
    it('persists a machine an admin creates and lists it to signed-in users', async () => {
      const name = unique('Postgres ');
      const input = {
        name,
        description: 'A database to play with',
        image: 'postgres:16',
        command: ['postgres', '-c', 'fsync=off'],
        exposedPort: 5432,
        environment: [{ name: 'POSTGRES_PASSWORD', value: 's3cret' }],
        volumeMountPath: '/var/lib/postgresql/data',
        cpuLimit: 0.5,
        memoryLimitMb: 512,
        maxInstancesPerUser: 2,
        capacity: 20,
        allowedRoles: ['HOST', 'AGENT', 'HOST'],
      };
      h.queries.splice(0);
      const created = await h.call(CREATE_MACHINE, { input }, h.admin);
      expect(created.errors).toBeUndefined();
      expect(created.data.createMachine).toMatchObject({ ...input, allowedRoles: ['HOST', 'AGENT'], id: expect.any(String) });
      // Engagement learns the catalog from an instances.machine.upserted event written with the machine.
      expect(h.queries.filter((q) => q.includes('INSERT INTO outbox_events'))).toHaveLength(1);

      const buyer = person();
      const listed = await wholeCatalog((q, v) => h.call(q, v, buyer), 'id name environment { name }');
      expect(listed).toContainEqual({ id: created.data.createMachine.id, name, environment: null });

      const one = `query($id: ID!) { machine(id: $id) { name command cpuLimit environment { name value } } }`;
      const asAdmin = await h.call(one, { id: created.data.createMachine.id }, h.admin);
      expect(asAdmin.data.machine).toEqual({ name, command: input.command, cpuLimit: 0.5, environment: input.environment });
      const asBuyer = await h.call(one, { id: created.data.createMachine.id }, buyer);
      expect(asBuyer.data.machine.environment).toBeNull();
      expect((await h.call(one, { id: randomUUID() }, buyer)).data.machine).toBeNull();
      expect((await h.call(one, { id: 'not-a-uuid' }, buyer)).data.machine).toBeNull();
    });

    it('needs a signed-in user to read the catalog', async () => {
      const res = await h.call(`{ machines { edges { node { id } } } }`, {}, null);
      expect(res.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    });

    it('refuses createMachine from a non-admin with FORBIDDEN and writes nothing', async () => {
      const name = unique('forbidden');
      for (const role of ['BUYER', 'SELLER', 'AGENT', 'HOST'] as const) {
        const res = await h.call(CREATE_MACHINE, { input: { name, command: ['true'], maxInstancesPerUser: 1, capacity: 1 } }, person(role));
        expect(res.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
        expect(res.data).toBeNull();
      }
      const listed = await wholeCatalog<{ name: string }>((q, v) => h.call(q, v, h.admin), 'name');
      expect(listed.map((m) => m.name)).not.toContain(name);
    });

    it('refuses bad input with BAD_USER_INPUT, naming every field, and writes nothing', async () => {
      const name = unique('bad');
      const input = {
        name,
        command: [],
        exposedPort: 70000,
        environment: [{ name: '1BAD', value: 'x' }],
        volumeMountPath: 'relative/path',
        cpuLimit: 0,
        maxInstancesPerUser: 0,
        capacity: -1,
      };
      const res = await h.call(CREATE_MACHINE, { input }, h.admin);
      expect(res.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        fields: {
          command: expect.any(Array),
          exposedPort: expect.any(Array),
          'environment.0.name': expect.any(Array),
          volumeMountPath: expect.any(Array),
          cpuLimit: expect.any(Array),
          maxInstancesPerUser: expect.any(Array),
          capacity: expect.any(Array),
        },
      });
      const dupEnv = await h.call(
        CREATE_MACHINE,
        {
          input: {
            name,
            command: ['true'],
            maxInstancesPerUser: 1,
            capacity: 1,
            environment: [
              { name: 'A', value: '1' },
              { name: 'A', value: '2' },
            ],
          },
        },
        h.admin,
      );
      expect(dupEnv.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
      const listed = await wholeCatalog<{ name: string }>((q, v) => h.call(q, v, h.admin), 'name');
      expect(listed.map((m) => m.name)).not.toContain(name);
    });

    it('refuses a taken name, whatever its case, with CONFLICT', async () => {
      const { name } = await h.machine();
      const res = await h.call(
        CREATE_MACHINE,
        { input: { name: name.toUpperCase(), command: ['true'], maxInstancesPerUser: 1, capacity: 1 } },
        h.admin,
      );
      expect(res.errors?.[0]?.extensions?.['code']).toBe('CONFLICT');
    });
  });

  describe('allocating instances', () => {
    it('persists an instance and shows it to its owner', async () => {
      const m = await h.machine();
      const owner = person();
      const created = await h.createInstance(m.id, owner);
      expect(created.errors).toBeUndefined();
      const instance = created.data.createInstance;
      expect(instance).toMatchObject({
        __typename: 'Instance',
        status: 'STARTING',
        host: h.host,
        port: expect.any(Number),
        owner: { id: owner.userId },
        machine: { id: m.id, name: m.name },
      });
      expect(instance.port).toBeGreaterThanOrEqual(20000);
      expect(instance.port).toBeLessThanOrEqual(20999);

      await h.idle();
      const read = await h.call(INSTANCE, { id: instance.id }, owner);
      expect(read.data.instance).toEqual({
        id: instance.id,
        status: 'RUNNING',
        host: h.host,
        port: instance.port,
        owner: { id: owner.userId },
        machine: { name: m.name },
      });
      const mine = await h.call(MY_INSTANCES, {}, owner);
      expect(mine.data.myInstances.edges.map((e: any) => e.node)).toEqual([{ id: instance.id, status: 'RUNNING', port: instance.port }]);
      const asAdmin = await h.call(INSTANCE, { id: instance.id }, h.admin);
      expect(asAdmin.data.instance.id).toBe(instance.id);
    });

    it('gives each new instance the lowest free port of the pool', async () => {
      const own = await startInstances('32000-32009');
      try {
        const m = await own.machine();
        const ports: number[] = [];
        for (let i = 0; i < 3; i++) ports.push((await own.createInstance(m.id, person())).data.createInstance.port);
        expect(ports).toEqual([32000, 32001, 32002]);
      } finally {
        await own.close();
      }
    });

    it('refuses a role the machine does not allow with FORBIDDEN and allocates nothing', async () => {
      const m = await h.machine({ allowedRoles: ['HOST'] });
      const buyer = person('BUYER');
      const res = await h.createInstance(m.id, buyer);
      expect(res.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
      expect((await h.call(MY_INSTANCES, {}, buyer)).data.myInstances.edges.map((e: any) => e.node)).toEqual([]);
      expect((await h.createInstance(m.id, person('HOST'))).data.createInstance.__typename).toBe('Instance');
      expect((await h.createInstance(m.id, person('ADMIN'))).data.createInstance.__typename).toBe('Instance');
    });

    it('answers NOT_FOUND for a machine that does not exist', async () => {
      for (const machineId of [randomUUID(), 'not-a-uuid']) {
        const res = await h.createInstance(machineId, person());
        expect(res.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
      }
    });

    it('needs a signed-in user', async () => {
      const m = await h.machine();
      const res = await h.createInstance(m.id, null as unknown as Identity);
      expect(res.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    });

    it('allocates exactly the quota to 100 concurrent requests of one user, on distinct ports', async () => {
      const m = await h.machine({ maxInstancesPerUser: 10, capacity: 500 });
      const user = person();
      const results = await Promise.all(Array.from({ length: 100 }, () => h.createInstance(m.id, user)));
      expect(results.filter((r) => r.errors)).toEqual([]);
      const outcomes = results.map((r) => r.data.createInstance);
      const instances = outcomes.filter((o) => o.__typename === 'Instance');
      const refused = outcomes.filter((o) => o.__typename === 'QuotaExceeded');
      expect(instances).toHaveLength(10);
      expect(refused).toHaveLength(90);
      expect(refused[0]).toMatchObject({ limit: 10, machine: { id: m.id }, message: expect.stringContaining('10') });
      expect(new Set(instances.map((i) => i.port)).size).toBe(10);
      const mine = await h.call(MY_INSTANCES, {}, user);
      expect(
        mine.data.myInstances.edges
          .map((e: any) => e.node)
          .map((i: { id: string }) => i.id)
          .sort(),
      ).toEqual(instances.map((i) => i.id).sort());
    });

    it('hands out each port once when several machines allocate at the same time', async () => {
      const [a, b, c] = await Promise.all([h.machine({ capacity: 100 }), h.machine({ capacity: 100 }), h.machine({ capacity: 100 })]);
      const results = await Promise.all(Array.from({ length: 60 }, (_, i) => h.createInstance([a, b, c][i % 3]!.id, person())));
      expect(results.filter((r) => r.errors)).toEqual([]);
      const ports = results.map((r) => r.data.createInstance.port);
      expect(ports.every((p) => typeof p === 'number')).toBe(true);
      expect(new Set(ports).size).toBe(60);
    });

    it('answers CapacityExhausted once the machine is full, whoever asks', async () => {
      const m = await h.machine({ maxInstancesPerUser: 2, capacity: 3 });
      const [ann, bob, cat] = [person(), person(), person()];
      expect((await h.createInstance(m.id, ann)).data.createInstance.__typename).toBe('Instance');
      expect((await h.createInstance(m.id, ann)).data.createInstance.__typename).toBe('Instance');
      expect((await h.createInstance(m.id, ann)).data.createInstance.__typename).toBe('QuotaExceeded');
      expect((await h.createInstance(m.id, bob)).data.createInstance.__typename).toBe('Instance');
      for (const who of [bob, cat]) {
        const full = await h.createInstance(m.id, who);
        expect(full.data.createInstance).toEqual({
          __typename: 'CapacityExhausted',
          capacity: 3,
          message: expect.any(String),
          machine: { id: m.id },
        });
      }
    });

    it('never exceeds capacity under concurrent requests from many users', async () => {
      const m = await h.machine({ maxInstancesPerUser: 5, capacity: 7 });
      const results = await Promise.all(Array.from({ length: 40 }, () => h.createInstance(m.id, person())));
      const kinds = results.map((r) => r.data.createInstance.__typename);
      expect(kinds.filter((k) => k === 'Instance')).toHaveLength(7);
      expect(kinds.filter((k) => k === 'CapacityExhausted')).toHaveLength(33);
    });
  });

  describe('removing instances', () => {
    it('frees the port (and the slot) of a removed instance for the next allocation', async () => {
      const small = await startInstances('31000-31002');
      try {
        const m = await small.machine({ maxInstancesPerUser: 10, capacity: 10 });
        const user = person();
        const made: { id: string; port: number }[] = [];
        for (let i = 0; i < 3; i++) made.push((await small.createInstance(m.id, user)).data.createInstance);
        expect(made.map((i) => i.port)).toEqual([31000, 31001, 31002]);
        const middle = made[1]!.id;
        const full = await small.createInstance(m.id, user);
        expect(full.data.createInstance).toEqual({ __typename: 'NoPortAvailable', host: small.host, message: expect.any(String) });

        const removed = await small.call(REMOVE_INSTANCE, { id: middle }, user);
        expect(removed.data.removeInstance).toEqual({ id: middle, status: 'REMOVED', port: 31001 });
        const again = await small.createInstance(m.id, user);
        expect(again.data.createInstance).toMatchObject({ __typename: 'Instance', port: 31001 });

        const live = await small.call(MY_INSTANCES, {}, user);
        expect(
          live.data.myInstances.edges
            .map((e: any) => e.node)
            .map((i: { port: number }) => i.port)
            .sort(),
        ).toEqual([31000, 31001, 31002]);
        const all = await small.call(MY_INSTANCES, { all: true }, user);
        expect(all.data.myInstances.edges.map((e: any) => e.node)).toHaveLength(4);
        expect(all.data.myInstances.edges.map((e: any) => e.node)).toContainEqual({ id: middle, status: 'REMOVED', port: 31001 });
      } finally {
        await small.close();
      }
    });

    it('frees a quota slot', async () => {
      const m = await h.machine({ maxInstancesPerUser: 1 });
      const user = person();
      const first = (await h.createInstance(m.id, user)).data.createInstance;
      expect((await h.createInstance(m.id, user)).data.createInstance.__typename).toBe('QuotaExceeded');
      await h.call(REMOVE_INSTANCE, { id: first.id }, user);
      expect((await h.createInstance(m.id, user)).data.createInstance.__typename).toBe('Instance');
    });

    it('answers CONFLICT when the instance is already removed', async () => {
      const m = await h.machine();
      const user = person();
      const { id } = (await h.createInstance(m.id, user)).data.createInstance;
      expect((await h.call(REMOVE_INSTANCE, { id }, user)).data.removeInstance.status).toBe('REMOVED');
      const again = await h.call(REMOVE_INSTANCE, { id }, user);
      expect(again.errors?.[0]?.extensions?.['code']).toBe('CONFLICT');
    });

    it('lets an admin remove anyone’s instance', async () => {
      const m = await h.machine();
      const { id } = (await h.createInstance(m.id, person())).data.createInstance;
      expect((await h.call(REMOVE_INSTANCE, { id }, h.admin)).data.removeInstance.status).toBe('REMOVED');
    });
  });

  describe('another user', () => {
    it('can neither see nor remove someone else’s instance', async () => {
      const m = await h.machine();
      const owner = person();
      const stranger = person('HOST');
      const { id } = (await h.createInstance(m.id, owner)).data.createInstance;

      expect((await h.call(INSTANCE, { id }, stranger)).data.instance).toBeNull();
      expect((await h.call(MY_INSTANCES, {}, stranger)).data.myInstances.edges.map((e: any) => e.node)).toEqual([]);
      const entity = await h.call(ENTITIES, { r: [{ __typename: 'Instance', id }] }, stranger);
      expect(entity.data._entities).toEqual([null]);

      const removal = await h.call(REMOVE_INSTANCE, { id }, stranger);
      expect(removal.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
      expect(removal.errors?.[0]?.message).not.toContain(owner.userId);
      await h.idle();
      expect((await h.call(INSTANCE, { id }, owner)).data.instance.status).toBe('RUNNING');
    });

    it('is FORBIDDEN to read User.instances of someone else', async () => {
      const m = await h.machine();
      const owner = person();
      await h.createInstance(m.id, owner);
      const asStranger = await h.call(ENTITIES, { r: [{ __typename: 'User', id: owner.userId }] }, person());
      expect(asStranger.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
      expect(asStranger.data._entities).toEqual([{ __typename: 'User', id: owner.userId, instances: null }]);
      const asSelf = await h.call(ENTITIES, { r: [{ __typename: 'User', id: owner.userId }] }, owner);
      expect(asSelf.data._entities[0].instances.edges).toHaveLength(1);
    });
  });

  describe('entity references cost one SQL query', () => {
    it('resolves 50 Machine references in one query, in order', async () => {
      const machines: { id: string }[] = [];
      for (let i = 0; i < 5; i++) machines.push(await h.machine());
      const representations = Array.from({ length: 50 }, (_, i) => ({ __typename: 'Machine', id: machines[(i * 7) % 5]!.id }));
      await h.idle();
      h.queries.length = 0;
      const res = await h.call(ENTITIES, { r: representations }, person());
      expect(res.errors).toBeUndefined();
      expect(res.data._entities.map((m: { id: string }) => m.id)).toEqual(representations.map((r) => r.id));
      expect(h.queries).toHaveLength(1);
    });

    it('resolves 50 Instance references in one query, in order', async () => {
      const m = await h.machine({ maxInstancesPerUser: 50 });
      const owner = person();
      const ids: string[] = [];
      for (let i = 0; i < 50; i++) ids.push((await h.createInstance(m.id, owner)).data.createInstance.id);
      const representations = [...ids].reverse().map((id) => ({ __typename: 'Instance', id }));
      await h.idle();
      h.queries.length = 0;
      const res = await h.call(ENTITIES, { r: representations }, owner);
      expect(res.errors).toBeUndefined();
      expect(res.data._entities.map((i: { id: string }) => i.id)).toEqual(representations.map((r) => r.id));
      expect(h.queries).toHaveLength(1);
    });

    it('resolves User.instances of 50 users in one query', async () => {
      const m = await h.machine();
      const users = Array.from({ length: 50 }, () => person());
      for (const u of users.slice(0, 5)) await h.createInstance(m.id, u);
      await h.idle();
      h.queries.length = 0;
      const res = await h.call(ENTITIES, { r: users.map((u) => ({ __typename: 'User', id: u.userId })) }, h.admin);
      expect(res.errors).toBeUndefined();
      expect(res.data._entities.map((u: { instances: { edges: unknown[] } }) => u.instances.edges.length)).toEqual(
        users.map((_, i) => (i < 5 ? 1 : 0)),
      );
      expect(h.queries).toHaveLength(1);
    });
  });

  describe('when an account is deleted', () => {
    it('removes the user’s instances and frees their ports, even when the event comes twice', async () => {
      const bus = new InProcessEventBus(createLogger('bus', 'silent'));
      const own = await startInstances('33000-33001', bus);
      try {
        const m = await own.machine();
        const [leaving, staying] = [person(), person()];
        const gone = (await own.createInstance(m.id, leaving)).data.createInstance;
        const kept = (await own.createInstance(m.id, staying)).data.createInstance;
        const event = {
          id: randomUUID(),
          type: 'accounts.user.deleted' as const,
          version: 1,
          aggregateId: leaving.userId,
          occurredAt: new Date().toISOString(),
          payload: { userId: leaving.userId },
        };
        await bus.publish([event, event]);
        await bus.drain();
        expect(await bus.deadLetters()).toEqual([]);

        expect((await own.call(INSTANCE, { id: gone.id }, own.admin)).data.instance.status).toBe('REMOVED');
        await own.idle();
        expect((await own.call(INSTANCE, { id: kept.id }, own.admin)).data.instance.status).toBe('RUNNING');
        const next = await own.createInstance(m.id, person());
        expect(next.data.createInstance).toMatchObject({ __typename: 'Instance', port: gone.port });
      } finally {
        await own.close();
        await bus.close();
      }
    });
  });
});
