import pino from 'pino';
import { testDatabaseUrl, unique, eventually } from '@market/platform/testing';
import { createPrisma, type Db } from './db';
import { RetentionRepository } from './repositories/retention-repository';
import { RETENTION_JOB, createRetentionPurge, type PurgeCounts } from './retention';
import {
  DEV_OUTBOX,
  PASSWORD,
  REFRESH,
  SIGN_IN,
  VERIFY_EMAIL,
  call,
  latestCode,
  signInAgain,
  signUp,
  startAccounts,
  verifiedUser,
  type Harness,
} from './testing/harness';

const MY_SESSIONS = `{ mySessions { edges { node { id active revoked user { id } } } } }`;
const RESEND = `mutation($email: String!) { resendVerificationCode(email: $email) { message } }`;

interface LogLine {
  level: string;
  msg: string;
  job?: string;
  purged?: PurgeCounts;
  retention?: Record<string, number>;
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
 * The retention purge against the real accounts database: what it deletes, what it keeps, what it
 * logs, and that replicas neither run it twice per interval nor trip over each other.
 */
describe('accounts retention purge', () => {
  let h: Harness;
  let lines: LogLine[];
  beforeAll(async () => {
    const captured = captureLogger();
    lines = captured.lines;
    // No schedule here (the harness sets none): the test runs the purge itself, when it chooses.
    // The limiter's windows (in-process, minutes long) are not what is tested: out of the way.
    const unlimited = { allowed: true, remaining: Infinity, retryAfterSeconds: 0 };
    h = await startAccounts({}, { rateLimiter: { hit: async () => unlimited, consume: async () => unlimited } }, captured.logger);
  });
  afterAll(async () => {
    await h.close();
  });

  const exists = async (table: string, column: string, value: string) =>
    (await h.db.query(`SELECT 1 FROM ${table} WHERE ${column} = $1`, [value])).rowCount! > 0;
  const tokensOf = async (sessionId: string) =>
    (await h.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM refresh_tokens WHERE session_id = $1`, [sessionId])).rows[0]!.n;
  const codeOf = async (email: string) =>
    (await h.db.query(`SELECT c.* FROM verification_codes c JOIN users u ON u.id = c.user_id WHERE u.email = $1`, [email.toLowerCase()]))
      .rows[0];
  const ageCode = (email: string, set: string) =>
    h.db.query(`UPDATE verification_codes SET ${set} WHERE user_id = (SELECT id FROM users WHERE email = $1)`, [email.toLowerCase()]);

  it('deletes sessions 30 days after they ended (with their refresh tokens), and keeps the rest listed', async () => {
    const user = await verifiedUser(h);
    // A session refreshed twice (three tokens), then signed out 31 days ago: purged.
    const old = await signInAgain(h, user);
    const rotated = (await call(h, REFRESH, { t: old.refreshToken })).data.refreshSession.refreshToken as string;
    await call(h, REFRESH, { t: rotated });
    expect(await tokensOf(old.sessionId)).toBe(3);
    await call(h, `mutation { logout }`, {}, { identity: old.identity });
    await h.db.query(`UPDATE sessions SET revoked_at = now() - interval '31 days', created_at = now() - interval '40 days' WHERE id = $1`, [
      old.sessionId,
    ]);
    // Revoked 29 days ago: still listed.
    const recent = await signInAgain(h, user);
    await call(h, `mutation($id: ID!) { revokeSession(id: $id) { id } }`, { id: recent.sessionId }, { identity: user.identity });
    await h.db.query(`UPDATE sessions SET revoked_at = now() - interval '29 days' WHERE id = $1`, [recent.sessionId]);
    // Never revoked, expired 31 days ago: purged; expired 29 days ago: kept.
    const expired = await signInAgain(h, user);
    const lapsed = await signInAgain(h, user);
    await h.db.query(
      `UPDATE sessions SET created_at = now() - interval '61 days', last_activity_at = now() - interval '61 days', expires_at = now() - interval '31 days' WHERE id = $1`,
      [expired.sessionId],
    );
    await h.db.query(`UPDATE sessions SET expires_at = now() - interval '29 days' WHERE id = $1`, [lapsed.sessionId]);

    const before = (await call(h, MY_SESSIONS, {}, { identity: user.identity })).data.mySessions.edges
      .map((e: any) => e.node)
      .map((s: { id: string }) => s.id);
    expect(before).toHaveLength(5);

    const purged = await h.subgraph.retention.purgeNow();
    expect(purged.sessions).toBeGreaterThanOrEqual(2);
    expect(purged.refreshTokens).toBeGreaterThanOrEqual(4);

    const after = await call(h, MY_SESSIONS, {}, { identity: user.identity });
    expect(after.errors).toBeUndefined();
    expect(
      after.data.mySessions.edges
        .map((e: any) => e.node)
        .map((s: { id: string }) => s.id)
        .sort(),
    ).toEqual([user.sessionId, recent.sessionId, lapsed.sessionId].sort());
    expect(after.data.mySessions.edges.map((e: any) => e.node).find((s: { id: string }) => s.id === recent.sessionId)).toEqual({
      id: recent.sessionId,
      active: false,
      revoked: true,
      user: { id: user.id },
    });
    for (const gone of [old.sessionId, expired.sessionId]) {
      expect(await exists('sessions', 'id', gone)).toBe(false);
      expect(await tokensOf(gone)).toBe(0);
    }
    // The live session and its refresh token are untouched.
    expect(await tokensOf(user.sessionId)).toBe(1);
    expect((await call(h, REFRESH, { t: user.refreshToken })).data.refreshSession.__typename).toBe('AuthPayload');
    // A token of a purged session is simply unknown.
    expect((await call(h, REFRESH, { t: rotated })).data.refreshSession.__typename).toBe('InvalidRefreshToken');
  });

  it('deletes codes a day after they were used or expired, and never a live one', async () => {
    const used = await verifiedUser(h);
    await ageCode(
      used.email,
      `last_sent_at = now() - interval '25 hours', expires_at = now() - interval '24 hours 50 minutes', consumed_at = now() - interval '25 hours'`,
    );
    const { email: expiredLongAgo } = await signUp(h);
    await ageCode(
      expiredLongAgo,
      `last_sent_at = now() - interval '2 days', expires_at = now() - interval '2 days' + interval '10 minutes'`,
    );
    const { email: expiredRecently } = await signUp(h);
    await ageCode(expiredRecently, `last_sent_at = now() - interval '23 hours', expires_at = now() - interval '22 hours 50 minutes'`);
    const { email: live } = await signUp(h);
    const liveCode = await latestCode(h, live);

    const purged = await h.subgraph.retention.purgeNow();
    expect(purged.verificationCodes).toBeGreaterThanOrEqual(2);

    expect(await codeOf(used.email)).toBeUndefined();
    expect(await codeOf(expiredLongAgo)).toBeUndefined();
    expect(await codeOf(expiredRecently)).toBeDefined();
    expect(await codeOf(live)).toBeDefined();
    // Nothing a user relies on went: the live code verifies, the verified user signs in, and the
    // account whose code was purged gets a new one and verifies with it.
    expect((await call(h, VERIFY_EMAIL, { email: live, code: liveCode })).data.verifyEmail.__typename).toBe('AuthPayload');
    expect((await call(h, SIGN_IN, { input: { email: used.email, password: PASSWORD } })).data.signIn.__typename).toBe('AuthPayload');
    expect((await call(h, RESEND, { email: expiredLongAgo })).errors).toBeUndefined();
    const fresh = await latestCode(h, expiredLongAgo);
    expect((await call(h, VERIFY_EMAIL, { email: expiredLongAgo, code: fresh })).data.verifyEmail.__typename).toBe('AuthPayload');
  });

  it('deletes development outbox messages after 7 days', async () => {
    const { email: stale } = await signUp(h);
    const { email: kept } = await signUp(h);
    await h.db.query(`UPDATE dev_outbox SET created_at = now() - interval '8 days' WHERE recipient = $1`, [stale.toLowerCase()]);
    await h.db.query(`UPDATE dev_outbox SET created_at = now() - interval '6 days' WHERE recipient = $1`, [kept.toLowerCase()]);
    expect((await call(h, DEV_OUTBOX, { email: stale })).data.devOutbox).toHaveLength(1);

    const purged = await h.subgraph.retention.purgeNow();
    expect(purged.devOutboxMessages).toBeGreaterThanOrEqual(1);
    expect((await call(h, DEV_OUTBOX, { email: stale })).data.devOutbox).toEqual([]);
    expect((await call(h, DEV_OUTBOX, { email: kept })).data.devOutbox).toHaveLength(1);
  });

  it('logs what each run deleted, with the retention it applied', async () => {
    lines.length = 0;
    const purged = await h.subgraph.retention.purgeNow();
    const logged = lines.filter((l) => l.msg === 'retention purge finished');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      level: 'info',
      job: RETENTION_JOB,
      purged,
      retention: { sessionsDays: 30, codesHours: 24, devOutboxDays: 7 },
    });
    expect(Object.keys(purged).sort()).toEqual(['devOutboxMessages', 'refreshTokens', 'sessions', 'verificationCodes']);
  });

  it('runs by itself once the subgraph starts and the job is due', async () => {
    await h.db.query(
      `INSERT INTO maintenance_runs (job, last_run_at) VALUES ($1, now() - interval '2 hours')
       ON CONFLICT (job) DO UPDATE SET last_run_at = EXCLUDED.last_run_at`,
      [RETENTION_JOB],
    );
    const captured = captureLogger();
    const scheduled = await startAccounts({ RETENTION_PURGE_INTERVAL_MINUTES: '60' }, {}, captured.logger);
    try {
      await eventually(async () => (captured.lines.some((l) => l.msg === 'retention purge finished') ? true : undefined), {
        what: 'the scheduled purge',
      });
      const { rows } = await h.db.query(`SELECT last_run_at > now() - interval '1 minute' AS recent FROM maintenance_runs WHERE job = $1`, [
        RETENTION_JOB,
      ]);
      expect(rows[0].recent).toBe(true);
    } finally {
      await scheduled.close();
    }
  });

  describe('with several replicas', () => {
    let dbs: Db[];
    beforeAll(() => {
      dbs = [createPrisma(testDatabaseUrl('accounts'), 3), createPrisma(testDatabaseUrl('accounts'), 3)];
    });
    afterAll(async () => {
      await Promise.all(dbs.map((db) => db.$disconnect()));
    });

    it('hands each interval’s run to exactly one of them', async () => {
      const job = unique('job');
      const replicas = dbs.map((db) => new RetentionRepository(db));
      const first = await Promise.all(Array.from({ length: 10 }, (_, i) => replicas[i % 2]!.claimRun(job, 3600)));
      expect(first.filter(Boolean)).toHaveLength(1);
      expect(await Promise.all(replicas.map((r) => r.claimRun(job, 3600)))).toEqual([false, false]);
      await h.db.query(`UPDATE maintenance_runs SET last_run_at = now() - interval '61 minutes' WHERE job = $1`, [job]);
      const next = await Promise.all(Array.from({ length: 10 }, (_, i) => replicas[i % 2]!.claimRun(job, 3600)));
      expect(next.filter(Boolean)).toHaveLength(1);
    });

    it('runs the scheduled purge on one replica per interval', async () => {
      const silent = pino({ level: 'silent' });
      const policy = { sessionsDays: 30, codesHours: 24, devOutboxDays: 7 };
      const purges = dbs.map((db) =>
        createRetentionPurge({ repository: new RetentionRepository(db), policy, intervalMinutes: 60, logger: silent }),
      );
      // Each replica's scheduler checks at start; make the job due again and let both check at once.
      await Promise.all(purges.map((p) => p.tick()));
      await h.db.query(`UPDATE maintenance_runs SET last_run_at = now() - interval '61 minutes' WHERE job = $1`, [RETENTION_JOB]);
      const runs = await Promise.all(purges.map((p) => p.tick()));
      expect(runs.filter((r) => r !== null)).toHaveLength(1);
      expect(await Promise.all(purges.map((p) => p.tick()))).toEqual([null, null]);
    });

    it('purges in batches, concurrently, without deleting a row twice or failing', async () => {
      const recipient = `${unique('bulk')}@example.com`;
      await h.db.query(
        `INSERT INTO dev_outbox (id, channel, recipient, subject, body, created_at)
         SELECT gen_random_uuid(), 'EMAIL', $1, 'old', 'old', now() - interval '10 days' FROM generate_series(1, 57)`,
        [recipient],
      );
      const silent = pino({ level: 'silent' });
      const policy = { sessionsDays: 30, codesHours: 24, devOutboxDays: 7 };
      const purges = dbs.map((db) =>
        createRetentionPurge({ repository: new RetentionRepository(db), policy, intervalMinutes: 0, logger: silent, batchSize: 5 }),
      );
      const results = await Promise.all(purges.map((p) => p.purgeNow()));
      const deleted = results.reduce((sum, r) => sum + r.devOutboxMessages, 0);
      expect(deleted).toBeGreaterThanOrEqual(57);
      const left = await h.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM dev_outbox WHERE recipient = $1`, [recipient]);
      expect(left.rows[0]!.n).toBe(0);
    });
  });
});
