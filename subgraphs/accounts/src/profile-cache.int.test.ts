import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import { Redis } from 'ioredis';
import pino from 'pino';
import { InProcessEventBus, createLogger, enqueueEvent, type Identity, type RawSql } from '@market/platform';
import { unique, eventually } from '@market/platform/testing';
import { PROFILE_CACHE_CONSUMER } from './consumers/profile-cache';
import { USER_PROFILE_TTL_SECONDS } from './repositories/user-profile-cache';
import { PASSWORD, call, outboxEvents, startAccounts, verifiedAdmin, verifiedUser, type Harness } from './testing/harness';
import { PrivateRedis, deleteKeysByPrefix } from '@market/platform/testing';

/**
 * The profile cache behind the user loader: in-process always, and against the Redis at REDIS_URL
 * when it is set (shared by replicas, and through an outage of a private redis-server).
 */
const REDIS_URL = process.env['REDIS_URL'];
const describeRedis = REDIS_URL ? describe : describe.skip;
if (!REDIS_URL) {
  console.warn(
    '[profile-cache.int.test] REDIS_URL is not set: skipping the profile cache tests against Redis. Run with REDIS_URL=redis://127.0.0.1:6379.',
  );
}
/** This run's keys on the shared Redis, removed afterwards. */
const RUN = `test:${unique()}:accounts:`;

const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id name } } }`;
const USER = `query($id: ID!) { user(id: $id) { id name bio role email phone status emailVerified } }`;
const UPDATE_PROFILE = `mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { id name bio } }`;

/** SQL statements that read users (the profile cache saves exactly these). */
const userReads = (h: Harness) => h.queries.filter((q) => /^\s*SELECT/i.test(q) && /"users"/.test(q));

/** Users written straight to the database: many at once, no events, nothing cached. */
async function insertUsers(h: Harness, count: number): Promise<{ id: string; name: string }[]> {
  const tag = unique('ref');
  const { rows } = await h.db.query<{ id: string; name: string; n: number }>(
    `INSERT INTO users (id, name, email, password_hash, role, status, email_verified_at, created_at, updated_at)
     SELECT gen_random_uuid(), $1::text || ' #' || i, $1::text || '.' || i || '@example.com', '!', 'SELLER', 'ACTIVE', now(), now(), now()
     FROM generate_series(1, $2::int) AS i
     RETURNING id, name, split_part(name, '#', 2)::int AS n`,
    [tag, count],
  );
  return rows.sort((a, b) => a.n - b.n).map(({ id, name }) => ({ id, name }));
}

/** The outbox through pg, as enqueueEvent expects a Prisma transaction to be. */
function rawSql(client: PoolClient): RawSql {
  return {
    $executeRaw: async (strings: TemplateStringsArray, ...values: unknown[]) =>
      (
        await client.query(
          strings.reduce((sql, part, i) => `${sql}$${i}${part}`),
          values,
        )
      ).rowCount ?? 0,
  };
}

/** Waits until the profile-cache consumer handled every event about this user so far (each deletes the entry). */
async function eventsSettled(h: Harness, userId: string): Promise<void> {
  await eventually(
    async () => {
      const { rows } = await h.db.query<{ pending: number }>(
        `SELECT count(*)::int AS pending FROM outbox_events o
       WHERE o.aggregate_id = $1 AND o.type IN ('accounts.user.registered', 'accounts.user.updated', 'accounts.user.deleted')
         AND NOT EXISTS (SELECT 1 FROM inbox_events i WHERE i.consumer = $2 AND i.event_id = o.id)`,
        [userId, PROFILE_CACHE_CONSUMER],
      );
      return rows[0]!.pending === 0 ? true : undefined;
    },
    { what: `the profile-cache consumer to catch up with ${userId}` },
  );
}

async function readUser(h: Harness, id: string, identity: Identity | null = null) {
  const res = await call(h, USER, { id }, { identity });
  expect(res.errors).toBeUndefined();
  return res.data.user;
}

interface LogLine {
  level: string;
  msg: string;
}

function captureLogger() {
  const lines: LogLine[] = [];
  const logger = pino(
    { level: 'info', formatters: { level: (label) => ({ level: label }) } },
    { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) },
  );
  return { logger, lines };
}

/**
 * Accounts on Redis, once connected: until then every Redis command fails fast, which the cache
 * survives but the sign-up limit (deny when Redis is unavailable) would not.
 */
async function startOnRedis(redisUrl: string, deps: Parameters<typeof startAccounts>[1] = {}) {
  const { logger, lines } = captureLogger();
  const h = await startAccounts({ REDIS_URL: redisUrl, REDIS_KEY_PREFIX: RUN }, deps, logger);
  await eventually(async () => (lines.some((l) => l.msg === 'redis connected') ? true : undefined), { what: 'accounts to reach Redis' });
  return { h, lines };
}

describe.each(REDIS_URL ? ['in-process', 'Redis'] : ['in-process'])('accounts profile cache (%s)', (mode) => {
  let h: Harness;
  let bus: InProcessEventBus;

  beforeAll(async () => {
    bus = new InProcessEventBus(createLogger('bus', 'silent'));
    h = mode === 'Redis' ? (await startOnRedis(REDIS_URL as string, { bus })).h : await startAccounts({}, { bus });
  });

  afterAll(async () => {
    await h?.close();
    await bus?.close();
  });

  it('resolves 50 uncached references with one SQL query and the same 50 again with none, in order', async () => {
    const users = (await insertUsers(h, 50)).reverse();
    const representations = users.map((u) => ({ __typename: 'User', id: u.id }));
    h.queries.length = 0;
    const first = await call(h, ENTITIES, { r: representations });
    expect(first.errors).toBeUndefined();
    expect(first.data._entities).toEqual(users);
    expect(userReads(h)).toHaveLength(1);

    h.queries.length = 0;
    const again = await call(h, ENTITIES, { r: representations });
    expect(again.data._entities).toEqual(users);
    expect(userReads(h)).toHaveLength(0);

    // Half cached, half new: one query, for the new half only.
    const fresh = await insertUsers(h, 25);
    const mixed = users.slice(0, 25).flatMap((u, i) => [u, fresh[i]!]);
    h.queries.length = 0;
    const res = await call(h, ENTITIES, { r: mixed.map((u) => ({ __typename: 'User', id: u.id })) });
    expect(res.data._entities).toEqual(mixed);
    expect(userReads(h)).toHaveLength(1);
  });

  it('answers null for unknown and malformed ids, and never caches them', async () => {
    const unknown = randomUUID();
    for (let i = 0; i < 2; i++) {
      h.queries.length = 0;
      const res = await call(h, ENTITIES, {
        r: [
          { __typename: 'User', id: unknown },
          { __typename: 'User', id: 'x' },
        ],
      });
      expect(res.data._entities).toEqual([null, null]);
      expect(userReads(h)).toHaveLength(1);
    }
  });

  it('serves a cached user without a query and still shows e-mail, phone and status to the user and admins only', async () => {
    const user = await verifiedUser(h, { phone: '+44 20 7946 0000' });
    await eventsSettled(h, user.id); // accounts.user.registered would otherwise drop the entry mid-test
    const anonymous = await readUser(h, user.id);
    expect(anonymous).toMatchObject({ name: 'Ada Lovelace', email: null, phone: null, status: null, emailVerified: null });

    h.queries.length = 0;
    expect(await readUser(h, user.id, user.identity)).toMatchObject({
      email: user.email,
      phone: '+44 20 7946 0000',
      status: 'ACTIVE',
      emailVerified: true,
    });
    expect(await readUser(h, user.id, { userId: randomUUID(), role: 'BUYER', sessionId: randomUUID() })).toMatchObject({
      email: null,
      phone: null,
      status: null,
    });
    expect(await readUser(h, user.id, { userId: randomUUID(), role: 'ADMIN', sessionId: randomUUID() })).toMatchObject({
      email: user.email,
    });
    expect(await readUser(h, user.id)).toEqual(anonymous);
    expect(userReads(h)).toHaveLength(0);
  });

  it('shows the user their profile change at once and tells the other replicas through accounts.user.updated', async () => {
    const user = await verifiedUser(h);
    expect((await readUser(h, user.id)).name).toBe('Ada Lovelace');
    const updated = await call(h, UPDATE_PROFILE, { input: { name: 'Ada King', bio: 'Countess' } }, { identity: user.identity });
    expect(updated.errors).toBeUndefined();
    expect(await readUser(h, user.id)).toMatchObject({ name: 'Ada King', bio: 'Countess' });
    expect((await call(h, `{ me { name } }`, {}, { identity: user.identity })).data.me).toEqual({ name: 'Ada King' });

    const events = (await outboxEvents(h, user.id)).filter((e) => e.type === 'accounts.user.updated');
    expect(events.map((e) => e.payload)).toEqual([{ userId: user.id, name: 'Ada King' }]);
    // The profile-cache consumer receives it through the outbox relay and the bus.
    await eventsSettled(h, user.id);
  });

  it('drops a user from the cache when accounts.user.updated arrives for a change made elsewhere', async () => {
    const [user] = await insertUsers(h, 1);
    expect((await readUser(h, user!.id)).name).toBe(user!.name);
    // Another replica's write: the row changes, its event is not delivered yet. This replica's cache still answers.
    await h.db.query(`UPDATE users SET name = 'Renamed elsewhere', updated_at = now() WHERE id = $1`, [user!.id]);
    h.queries.length = 0;
    expect((await readUser(h, user!.id)).name).toBe(user!.name);
    expect(userReads(h)).toHaveLength(0);

    const client = await h.db.connect();
    try {
      await client.query('BEGIN');
      await enqueueEvent(rawSql(client), 'accounts.user.updated', user!.id, { userId: user!.id });
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    await eventually(async () => ((await readUser(h, user!.id)).name === 'Renamed elsewhere' ? true : undefined), {
      what: 'the event to invalidate the cached user',
    });
  });

  it('shows role changes, suspension and account deletion on the next read', async () => {
    const admin = await verifiedAdmin(h);
    const user = await verifiedUser(h, { role: 'BUYER' });
    expect(await readUser(h, user.id, admin.identity)).toMatchObject({ role: 'BUYER', status: 'ACTIVE' });

    const promoted = await call(
      h,
      `mutation($id: ID!) { setUserRole(userId: $id, role: AGENT) { id } }`,
      { id: user.id },
      { identity: admin.identity },
    );
    expect(promoted.errors).toBeUndefined();
    expect(await readUser(h, user.id, admin.identity)).toMatchObject({ role: 'AGENT', status: 'ACTIVE' });

    const suspended = await call(
      h,
      `mutation($id: ID!) { suspendUser(userId: $id) { id } }`,
      { id: user.id },
      { identity: admin.identity },
    );
    expect(suspended.errors).toBeUndefined();
    expect(await readUser(h, user.id, admin.identity)).toMatchObject({ role: 'AGENT', status: 'SUSPENDED' });
    await call(h, `mutation($id: ID!) { unsuspendUser(userId: $id) { id } }`, { id: user.id }, { identity: admin.identity });
    expect(await readUser(h, user.id, admin.identity)).toMatchObject({ status: 'ACTIVE' });

    const other = await verifiedUser(h);
    expect((await readUser(h, other.id)).name).toBe('Ada Lovelace');
    const deleted = await call(
      h,
      `mutation($p: String!) { deleteAccount(password: $p) { __typename } }`,
      { p: PASSWORD },
      { identity: other.identity },
    );
    expect(deleted.data.deleteAccount.__typename).toBe('AccountDeleted');
    expect(await readUser(h, other.id)).toMatchObject({ name: 'Deleted user', bio: null });

    expect((await outboxEvents(h, user.id)).map((e) => e.type).filter((t) => t === 'accounts.user.updated')).toHaveLength(3);
    expect((await outboxEvents(h, other.id)).map((e) => e.type)).toContain('accounts.user.deleted');
  });
});

describeRedis('accounts profile cache shared through Redis', () => {
  let a: Harness;
  let b: Harness;
  let admin: Redis;

  beforeAll(async () => {
    [{ h: a }, { h: b }] = await Promise.all([startOnRedis(REDIS_URL as string), startOnRedis(REDIS_URL as string)]);
    admin = new Redis(REDIS_URL as string);
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await deleteKeysByPrefix(admin, RUN);
    await admin.quit();
  });

  it('replicas share cached users: no secrets in the entry, a 300 s TTL, and a change on one replica shows on the other at once', async () => {
    const user = await verifiedUser(a, { phone: '+33 1 23 45 67 89' });
    a.queries.length = 0;
    b.queries.length = 0;
    expect((await readUser(a, user.id)).name).toBe('Ada Lovelace');
    expect(userReads(a)).toHaveLength(1);
    expect((await readUser(b, user.id)).name).toBe('Ada Lovelace');
    expect(userReads(b)).toHaveLength(0);

    const key = `${RUN}cache:user:v1:${user.id}`;
    const entry = JSON.parse((await admin.get(key)) as string) as Record<string, unknown>;
    expect(Object.keys(entry).sort()).toEqual([
      'avatarUrl',
      'bio',
      'createdAt',
      'email',
      'emailVerifiedAt',
      'id',
      'name',
      'phone',
      'role',
      'status',
    ]);
    expect(JSON.stringify(entry)).not.toMatch(/argon2|password/i);
    const ttl = await admin.pttl(key);
    expect(ttl).toBeGreaterThan((USER_PROFILE_TTL_SECONDS - 10) * 1000);
    expect(ttl).toBeLessThanOrEqual(USER_PROFILE_TTL_SECONDS * 1000);
    // The cached entry has the e-mail; other viewers still never see it.
    expect(await readUser(b, user.id)).toMatchObject({ email: null, phone: null });

    const updated = await call(b, UPDATE_PROFILE, { input: { name: 'Ada Byron' } }, { identity: user.identity });
    expect(updated.errors).toBeUndefined();
    expect((await readUser(a, user.id)).name).toBe('Ada Byron');
  });
});

describeRedis('accounts profile cache through a Redis outage (a private redis-server, killed and restarted)', () => {
  let server: PrivateRedis;
  let h: Harness;
  let lines: LogLine[];

  beforeAll(async () => {
    server = await PrivateRedis.start();
    ({ h, lines } = await startOnRedis(server.url));
  });

  afterAll(async () => {
    await h?.close();
    await server?.dispose();
  });

  it('keeps answering from the database while Redis is down, logs it, and caches again by itself once Redis is back', async () => {
    const users = await insertUsers(h, 3);
    const user = await verifiedUser(h);
    const all = [...users, { id: user.id, name: 'Ada Lovelace' }];
    const representations = all.map((u) => ({ __typename: 'User', id: u.id }));
    const read = async () => {
      h.queries.length = 0;
      const res = await call(h, ENTITIES, { r: representations });
      expect(res.errors).toBeUndefined();
      expect(res.data._entities).toEqual(all);
      return userReads(h).length;
    };
    expect(await read()).toBe(1);
    expect(await read()).toBe(0);

    await server.kill();
    const started = Date.now();
    for (let i = 0; i < 5; i++) expect(await read()).toBe(1); // bypassed: every read goes to the database
    expect(Date.now() - started).toBeLessThan(5_000);
    // A change during the outage is seen at once (nothing is cached while Redis is away).
    const renamed = await call(h, UPDATE_PROFILE, { input: { name: 'Ada Outage' } }, { identity: user.identity });
    expect(renamed.errors).toBeUndefined();
    all[3]!.name = 'Ada Outage';
    expect(await read()).toBe(1);
    expect(lines.filter((l) => l.msg.startsWith('redis cache unavailable')).length).toBeGreaterThanOrEqual(1);
    expect(lines.filter((l) => l.msg.startsWith('redis cache unavailable')).length).toBeLessThanOrEqual(3);

    await server.start();
    const restarted = Date.now();
    await eventually(async () => ((await read()) === 0 ? true : undefined), { what: 'the cache to answer again' });
    expect(Date.now() - restarted).toBeLessThan(10_000);
    expect(lines.some((l) => l.msg === 'redis reconnected')).toBe(true);
  });
});
