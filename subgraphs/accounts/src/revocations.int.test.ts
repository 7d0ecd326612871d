import { once } from 'node:events';
import pino from 'pino';
import { Redis } from 'ioredis';
import { MemorySessionRevocations, RedisSessionRevocations, createLogger, type Identity, type SessionRevocations } from '@market/platform';
import {
  PASSWORD,
  REFRESH,
  call,
  latestCode,
  signInAgain,
  startAccounts,
  verifiedAdmin,
  verifiedUser,
  type Harness,
  type TestUser,
} from './testing/harness';

/**
 * Every commit that ends sessions is announced to the revocation store the gateway checks, so the
 * ended tokens stop working in every subgraph, not only here.
 */
const LOGOUT = `mutation { logout }`;
const REVOKE = `mutation($id: ID!) { revokeSession(id: $id) { id } }`;
const CHANGE_PASSWORD = `mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { __typename } }`;
const REQUEST_RESET = `mutation($e: String!) { requestPasswordReset(email: $e) { message } }`;
const RESET = `mutation($e: String!, $c: String!, $p: String!) { resetPassword(email: $e, code: $c, newPassword: $p) { __typename } }`;
const SUSPEND = `mutation($id: ID!) { suspendUser(userId: $id) { status } }`;
const UNSUSPEND = `mutation($id: ID!) { unsuspendUser(userId: $id) { status } }`;
const DELETE = `mutation($p: String!) { deleteAccount(password: $p) { __typename } }`;

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A token of this identity issued a minute ago (before whatever the test does next). */
const issuedBefore = (identity: Identity) => ({ identity, issuedAt: nowSeconds() - 60 });

describe('accounts records ended sessions for the gateway', () => {
  let h: Harness;
  const store = new MemorySessionRevocations();
  beforeAll(async () => {
    h = await startAccounts({}, { revocations: store });
  });
  afterAll(async () => {
    await h.close();
  });

  const check = (identity: Identity) => store.check(issuedBefore(identity));

  it('a restarted accounts writes again the revocations of the last token lifetime from its own table', async () => {
    const user = await verifiedUser(h);
    // Ended in the database only: what a process that stopped during a Redis outage leaves behind.
    await h.db.query(`UPDATE sessions SET revoked_at = now(), revoked_reason = 'LOGOUT' WHERE id = $1`, [user.identity.sessionId]);
    const fresh = new MemorySessionRevocations();
    const restarted = await startAccounts({}, { revocations: fresh });
    try {
      const deadline = Date.now() + 10_000;
      while ((await fresh.check(issuedBefore(user.identity))) !== 'revoked' && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(await fresh.check(issuedBefore(user.identity))).toBe('revoked');
    } finally {
      await restarted.close();
    }
  });

  it("logout revokes the caller's session only", async () => {
    const user = await verifiedUser(h);
    const other = await signInAgain(h, user);
    expect((await call(h, LOGOUT, {}, { identity: user.identity })).data).toEqual({ logout: true });
    expect(await check(user.identity)).toBe('revoked');
    expect(await check(other.identity)).toBe('ok');
  });

  it("revokeSession revokes that session, not the caller's", async () => {
    const user = await verifiedUser(h);
    const other = await signInAgain(h, user);
    expect((await call(h, REVOKE, { id: other.sessionId }, { identity: user.identity })).errors).toBeUndefined();
    expect(await check(other.identity)).toBe('revoked');
    expect(await check(user.identity)).toBe('ok');
  });

  it('reuse of a rotated refresh token revokes that session', async () => {
    const user = await verifiedUser(h);
    const other = await signInAgain(h, user);
    const rotated = await call(h, REFRESH, { t: user.refreshToken });
    expect(rotated.data.refreshSession.__typename).toBe('AuthPayload');
    expect(await check(user.identity)).toBe('ok');
    // Past the reuse grace window (REFRESH_REUSE_GRACE_SECONDS): the first use a minute ago.
    await h.db.query(`UPDATE refresh_tokens SET used_at = now() - interval '60 seconds' WHERE session_id = $1 AND used_at IS NOT NULL`, [
      user.identity.sessionId,
    ]);
    expect((await call(h, REFRESH, { t: user.refreshToken })).data.refreshSession.__typename).toBe('InvalidRefreshToken');
    expect(await check(user.identity)).toBe('revoked');
    expect(await check(other.identity)).toBe('ok');
  });

  it('changing the password revokes the other sessions, not the current one', async () => {
    const user = await verifiedUser(h);
    const other = await signInAgain(h, user);
    const res = await call(h, CHANGE_PASSWORD, { c: PASSWORD, n: 'a brand new passphrase' }, { identity: user.identity });
    expect(res.data.changePassword.__typename).toBe('PasswordChanged');
    expect(await check(other.identity)).toBe('revoked');
    expect(await check(user.identity)).toBe('ok');
  });

  it('a password reset revokes every session, by id: a sign-in right after it works', async () => {
    const user = await verifiedUser(h);
    const other = await signInAgain(h, user);
    await call(h, REQUEST_RESET, { e: user.email }, { ip: user.ip });
    const code = await latestCode(h, user.email);
    const res = await call(h, RESET, { e: user.email, c: code, p: 'a brand new passphrase' }, { ip: user.ip });
    expect(res.data.resetPassword.__typename).toBe('PasswordReset');
    expect(await check(user.identity)).toBe('revoked');
    expect(await check(other.identity)).toBe('revoked');
    const fresh = await signInAgain(h, { ...user, password: 'a brand new passphrase' });
    expect(await store.check({ identity: fresh.identity, issuedAt: nowSeconds() })).toBe('ok');
  });

  describe('suspension and deletion', () => {
    let admin: TestUser;
    beforeAll(async () => {
      admin = await verifiedAdmin(h);
    });

    it('suspending revokes the user (all tokens up to now); lifting it lets new tokens through, never the old ones', async () => {
      const user = await verifiedUser(h);
      expect((await call(h, SUSPEND, { id: user.id }, { identity: admin.identity })).data.suspendUser.status).toBe('SUSPENDED');
      expect(await store.check({ identity: { ...user.identity, sessionId: 'a-session-opened-meanwhile' }, issuedAt: nowSeconds() })).toBe(
        'revoked',
      );
      expect(await check(user.identity)).toBe('revoked');
      expect((await call(h, UNSUSPEND, { id: user.id }, { identity: admin.identity })).data.unsuspendUser.status).toBe('ACTIVE');
      const fresh = await signInAgain(h, user);
      expect(await store.check({ identity: fresh.identity, issuedAt: nowSeconds() })).toBe('ok');
      expect(await check(user.identity)).toBe('revoked');
    });

    it('deleting the account revokes every token of the user', async () => {
      const user = await verifiedUser(h);
      const other = await signInAgain(h, user);
      expect((await call(h, DELETE, { p: PASSWORD }, { identity: user.identity })).data.deleteAccount.__typename).toBe('AccountDeleted');
      expect(await check(user.identity)).toBe('revoked');
      expect(await check(other.identity)).toBe('revoked');
    });
  });
});

describe('when the revocation store cannot be written', () => {
  it('the session still ends (the database is the truth) and the failure is logged at error', async () => {
    const lines: { level: number; msg: string }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const failing: SessionRevocations = {
      revokeSessions: async () => {
        throw new Error('redis down');
      },
      revokeUser: async () => {
        throw new Error('redis down');
      },
      reinstateUser: async () => undefined,
      check: async () => 'ok',
    };
    const h = await startAccounts({}, { revocations: failing }, logger);
    try {
      const user = await verifiedUser(h);
      expect((await call(h, LOGOUT, {}, { identity: user.identity })).data).toEqual({ logout: true });
      const { rows } = await h.db.query(`SELECT revoked_reason FROM sessions WHERE id = $1`, [user.sessionId]);
      expect(rows[0].revoked_reason).toBe('LOGOUT');
      const logged = lines.filter(
        (l) => l.msg.startsWith('could not record a session revocation') && (l as { reason?: string }).reason === 'LOGOUT',
      );
      expect(logged).toHaveLength(1);
      expect(logged[0]?.level).toBe(50);
    } finally {
      await h.close();
    }
  });
});

const REDIS_URL = process.env['REDIS_URL'];
const describeRedis = REDIS_URL ? describe : describe.skip;
if (!REDIS_URL) {
  console.warn(
    '[revocations.int.test] REDIS_URL is not set: skipping accounts -> Redis revocations. Run with REDIS_URL=redis://127.0.0.1:6379.',
  );
}

describeRedis('with REDIS_URL, accounts writes where every gateway reads', () => {
  let h: Harness;
  let reader: Redis;
  beforeAll(async () => {
    h = await startAccounts({ REDIS_URL: REDIS_URL as string });
    reader = new Redis(REDIS_URL as string);
    await once(reader, 'ready');
  });
  afterAll(async () => {
    await h.close();
    await reader.quit();
  });

  it("a logout is visible to a gateway's RedisSessionRevocations on the same Redis", async () => {
    const gatewaySide = new RedisSessionRevocations(reader, createLogger('gateway', 'silent'));
    const user = await verifiedUser(h);
    const other = await signInAgain(h, user);
    expect(await gatewaySide.check(issuedBefore(user.identity))).toBe('ok');
    await call(h, LOGOUT, {}, { identity: user.identity });
    expect(await gatewaySide.check(issuedBefore(user.identity))).toBe('revoked');
    expect(await gatewaySide.check(issuedBefore(other.identity))).toBe('ok');
    const ttl = await reader.ttl(`market:revoked:s:${user.sessionId}`);
    expect(ttl).toBeGreaterThan(900);
    expect(ttl).toBeLessThanOrEqual(960);
  });
});
