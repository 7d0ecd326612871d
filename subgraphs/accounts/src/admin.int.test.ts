import { unique } from '@market/platform/testing';
import { PASSWORD, REFRESH, SIGN_IN, call, signInAgain, startAccounts, verifiedAdmin, verifiedUser, type Harness } from './testing/harness';

const USERS = `query($first: Int, $after: String, $search: String) { users(first: $first, after: $after, search: $search) {
  edges { cursor node { id name email status } } pageInfo { hasNextPage endCursor } } }`;
const SET_ROLE = `mutation($id: ID!, $role: Role!) { setUserRole(userId: $id, role: $role) { id role } }`;
const SUSPEND = `mutation($id: ID!) { suspendUser(userId: $id) { id status } }`;
const UNSUSPEND = `mutation($id: ID!) { unsuspendUser(userId: $id) { id status } }`;

describe('accounts subgraph: administration', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startAccounts();
  });
  afterAll(async () => {
    await h.close();
  });

  const roleOf = async (id: string) => (await h.db.query(`SELECT role FROM users WHERE id = $1`, [id])).rows[0].role as string;

  describe('a non-admin', () => {
    it('gets FORBIDDEN for every admin operation, and cannot raise their own role', async () => {
      const user = await verifiedUser(h, { role: 'SELLER' });
      const other = await verifiedUser(h);
      const attempts = [
        call(h, USERS, {}, { identity: user.identity }),
        call(h, SET_ROLE, { id: user.id, role: 'ADMIN' }, { identity: user.identity }),
        call(h, SET_ROLE, { id: other.id, role: 'BUYER' }, { identity: user.identity }),
        call(h, SUSPEND, { id: other.id }, { identity: user.identity }),
        call(h, UNSUSPEND, { id: other.id }, { identity: user.identity }),
      ];
      for (const res of await Promise.all(attempts)) {
        expect(res.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
        expect(res.data).toBeNull();
      }
      expect(await roleOf(user.id)).toBe('SELLER');
      expect(await roleOf(other.id)).toBe('SELLER');
    });

    it('gets FORBIDDEN with an old ADMIN token once demoted, and UNAUTHENTICATED anonymously', async () => {
      const admin = await verifiedAdmin(h);
      await h.db.query(`UPDATE users SET role = 'BUYER' WHERE id = $1`, [admin.id]);
      expect((await call(h, USERS, {}, { identity: admin.identity })).errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
      expect((await call(h, USERS)).errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    });
  });

  describe('an admin', () => {
    it('pages through users newest first and searches by name or e-mail, wildcards taken literally', async () => {
      const admin = await verifiedAdmin(h);
      const marker = unique('zq');
      const made = [];
      for (let i = 0; i < 3; i++) made.push(await verifiedUser(h, { name: `Searchable ${marker} ${i}` }));
      const byEmail = await verifiedUser(h, { email: `${marker}-mail@example.com`, name: 'Other Name' });

      const first = await call(h, USERS, { first: 2, search: marker.toUpperCase() }, { identity: admin.identity });
      expect(first.errors).toBeUndefined();
      expect(first.data.users.edges.map((e: any) => e.node.id)).toEqual([byEmail.id, made[2]!.id]);
      expect(first.data.users.pageInfo.hasNextPage).toBe(true);
      const second = await call(
        h,
        USERS,
        { first: 2, search: marker, after: first.data.users.pageInfo.endCursor },
        { identity: admin.identity },
      );
      expect(second.data.users.edges.map((e: any) => e.node.id)).toEqual([made[1]!.id, made[0]!.id]);
      expect(second.data.users.pageInfo.hasNextPage).toBe(false);
      expect(second.data.users.edges[0].node.email).toBe(made[1]!.email);

      const literal = await call(h, USERS, { search: `${marker}%` }, { identity: admin.identity });
      expect(literal.data.users.edges).toEqual([]);
      const percent = await verifiedUser(h, { name: `Fifty ${marker}% off_sale` });
      const found = await call(h, USERS, { search: `${marker}% off_` }, { identity: admin.identity });
      expect(found.data.users.edges.map((e: any) => e.node.id)).toEqual([percent.id]);
    });

    it('refuses a foreign cursor or a page too large with BAD_USER_INPUT', async () => {
      const admin = await verifiedAdmin(h);
      expect((await call(h, USERS, { after: 'nonsense' }, { identity: admin.identity })).errors?.[0]?.extensions?.['code']).toBe(
        'BAD_USER_INPUT',
      );
      expect((await call(h, USERS, { first: 101 }, { identity: admin.identity })).errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    });

    it('sets another user’s role, but never their own', async () => {
      const admin = await verifiedAdmin(h);
      const user = await verifiedUser(h, { role: 'BUYER' });
      const res = await call(h, SET_ROLE, { id: user.id, role: 'AGENT' }, { identity: admin.identity });
      expect(res.data.setUserRole).toEqual({ id: user.id, role: 'AGENT' });
      expect(await roleOf(user.id)).toBe('AGENT');
      const self = await call(h, SET_ROLE, { id: admin.id, role: 'BUYER' }, { identity: admin.identity });
      expect(self.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
      expect(await roleOf(admin.id)).toBe('ADMIN');
      const missing = await call(h, SET_ROLE, { id: '00000000-0000-4000-8000-000000000000', role: 'BUYER' }, { identity: admin.identity });
      expect(missing.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    });

    it('suspends a user: every session ends, refresh and sign-in fail; unsuspending lets them back in', async () => {
      const admin = await verifiedAdmin(h);
      const user = await verifiedUser(h);
      const second = await signInAgain(h, user);
      const suspended = await call(h, SUSPEND, { id: user.id }, { identity: admin.identity });
      expect(suspended.data.suspendUser).toEqual({ id: user.id, status: 'SUSPENDED' });

      for (const token of [user.refreshToken, second.refreshToken]) {
        expect((await call(h, REFRESH, { t: token })).data.refreshSession.__typename).toBe('AccountSuspended');
      }
      const { rows } = await h.db.query(`SELECT count(*)::int AS live FROM sessions WHERE user_id = $1 AND revoked_at IS NULL`, [user.id]);
      expect(rows[0].live).toBe(0);
      expect((await call(h, SIGN_IN, { input: { email: user.email, password: PASSWORD } })).data.signIn.__typename).toBe(
        'AccountSuspended',
      );
      // What the access token still allows in accounts stops at once.
      expect(
        (await call(h, `{ mySessions { edges { node { id } } } }`, {}, { identity: user.identity })).errors?.[0]?.extensions?.['code'],
      ).toBe('UNAUTHENTICATED');

      expect((await call(h, SUSPEND, { id: admin.id }, { identity: admin.identity })).errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
      expect((await call(h, UNSUSPEND, { id: user.id }, { identity: admin.identity })).data.unsuspendUser.status).toBe('ACTIVE');
      expect((await call(h, SIGN_IN, { input: { email: user.email, password: PASSWORD } })).data.signIn.__typename).toBe('AuthPayload');
    });
  });
});
