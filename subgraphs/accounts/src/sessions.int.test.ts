import {
  DEV_OUTBOX,
  PASSWORD,
  REFRESH,
  SIGN_IN,
  call,
  latestCode,
  newEmail,
  signInAgain,
  signUp,
  startAccounts,
  verifiedUser,
  type Harness,
} from './testing/harness';

const MY_SESSIONS = `{ mySessions { edges { node { id user { id name } createdAt expiresAt lastActivityAt ipAddress userAgent deviceInfo active revoked current } } } }`;
const LOGOUT = `mutation { logout }`;
const REVOKE = `mutation($id: ID!) { revokeSession(id: $id) { id active revoked current } }`;
const CHANGE_PASSWORD = `mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) {
  __typename ... on PasswordChanged { endedSessions message } ... on InvalidCredentials { message } } }`;
const REQUEST_RESET = `mutation($e: String!) { requestPasswordReset(email: $e) { message } }`;
const RESET = `mutation($e: String!, $c: String!, $p: String!) { resetPassword(email: $e, code: $c, newPassword: $p) {
  __typename ... on PasswordReset { message } ... on InvalidCode { message } ... on CodeExpired { message } ... on TooManyAttempts { message } } }`;
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

describe('accounts subgraph: sessions, refresh tokens and passwords', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startAccounts();
  });
  afterAll(async () => {
    await h.close();
  });

  const refresh = (token: string) => call(h, REFRESH, { t: token });

  describe('refresh tokens', () => {
    it('rotate: each refresh gives a new pair in the same session, and the old token stops working', async () => {
      const user = await verifiedUser(h);
      const first = await refresh(user.refreshToken);
      expect(first.data.refreshSession).toMatchObject({ __typename: 'AuthPayload', sessionId: user.sessionId, user: { id: user.id } });
      expect(first.data.refreshSession.refreshToken).not.toBe(user.refreshToken);
      expect(first.data.refreshSession.accessToken.split('.')).toHaveLength(3);
      const second = await refresh(first.data.refreshSession.refreshToken);
      expect(second.data.refreshSession.__typename).toBe('AuthPayload');
    });

    it('reuse of a rotated token revokes the whole family, the newest token included', async () => {
      const user = await verifiedUser(h);
      const rotated = (await refresh(user.refreshToken)).data.refreshSession.refreshToken as string;
      // Past the reuse grace window (REFRESH_REUSE_GRACE_SECONDS): the first use a minute ago.
      await h.db.query(`UPDATE refresh_tokens SET used_at = now() - interval '60 seconds' WHERE session_id = $1 AND used_at IS NOT NULL`, [
        user.sessionId,
      ]);
      const replay = await refresh(user.refreshToken);
      expect(replay.data.refreshSession).toEqual({ __typename: 'InvalidRefreshToken', message: expect.any(String) });
      expect((await refresh(rotated)).data.refreshSession.__typename).toBe('InvalidRefreshToken');
      const { rows } = await h.db.query(`SELECT revoked_reason FROM sessions WHERE id = $1`, [user.sessionId]);
      expect(rows[0].revoked_reason).toBe('REFRESH_TOKEN_REUSE');
      // The user's other sessions are another family, untouched.
      const other = await signInAgain(h, user);
      expect((await refresh(other.refreshToken)).data.refreshSession.__typename).toBe('AuthPayload');
    });

    it('of two concurrent refreshes with one token, one rotates and the other gets the same new pair (reuse grace)', async () => {
      const user = await verifiedUser(h);
      const results = await Promise.all([refresh(user.refreshToken), refresh(user.refreshToken)]);
      expect(results.map((r) => r.data.refreshSession.__typename)).toEqual(['AuthPayload', 'AuthPayload']);
      expect(results[0]?.data.refreshSession.refreshToken).toBe(results[1]?.data.refreshSession.refreshToken);
      const { rows } = await h.db.query(`SELECT count(*)::int AS n FROM refresh_tokens WHERE session_id = $1`, [user.sessionId]);
      expect(rows[0].n).toBe(2);
    });

    it('refuses unknown, malformed and expired tokens', async () => {
      const user = await verifiedUser(h);
      expect((await refresh('A'.repeat(43))).data.refreshSession.__typename).toBe('InvalidRefreshToken');
      expect((await refresh('not a token')).data.refreshSession.__typename).toBe('InvalidRefreshToken');
      await h.db.query(`UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE session_id = $1`, [user.sessionId]);
      expect((await refresh(user.refreshToken)).data.refreshSession.__typename).toBe('InvalidRefreshToken');
    });

    it('takes up a changed role at the next refresh', async () => {
      const user = await verifiedUser(h, { role: 'BUYER' });
      await h.db.query(`UPDATE users SET role = 'AGENT' WHERE id = $1`, [user.id]);
      expect((await refresh(user.refreshToken)).data.refreshSession.user.role).toBe('AGENT');
    });
  });

  describe('sessions', () => {
    it('lists the caller’s sessions with their device, and marks the current one', async () => {
      const user = await verifiedUser(h);
      const other = await signInAgain(h, user, FIREFOX);
      const res = await call(h, MY_SESSIONS, {}, { identity: user.identity });
      expect(res.errors).toBeUndefined();
      const sessions = res.data.mySessions.edges.map((e: any) => e.node) as { id: string }[];
      expect(sessions.map((s) => s.id).sort()).toEqual([user.sessionId, other.sessionId].sort());
      expect(sessions.find((s) => s.id === other.sessionId)).toMatchObject({
        user: { id: user.id, name: 'Ada Lovelace' },
        userAgent: FIREFOX,
        deviceInfo: 'Firefox on Linux',
        ipAddress: user.ip,
        active: true,
        revoked: false,
        current: false,
      });
      expect(sessions.find((s) => s.id === user.sessionId)).toMatchObject({ current: true, active: true });
    });

    it('logout ends the current session: its refresh token and its access token stop working here', async () => {
      const user = await verifiedUser(h);
      expect((await call(h, LOGOUT, {}, { identity: user.identity })).data.logout).toBe(true);
      expect((await refresh(user.refreshToken)).data.refreshSession.__typename).toBe('InvalidRefreshToken');
      const after = await call(h, MY_SESSIONS, {}, { identity: user.identity });
      expect(after.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    });

    it('revokeSession ends one of the caller’s sessions; another user’s session is NOT_FOUND and stays', async () => {
      const user = await verifiedUser(h);
      const other = await signInAgain(h, user);
      const revoked = await call(h, REVOKE, { id: other.sessionId }, { identity: user.identity });
      expect(revoked.data.revokeSession).toEqual({ id: other.sessionId, active: false, revoked: true, current: false });
      expect((await refresh(other.refreshToken)).data.refreshSession.__typename).toBe('InvalidRefreshToken');

      const stranger = await verifiedUser(h);
      const foreign = await call(h, REVOKE, { id: stranger.sessionId }, { identity: user.identity });
      expect(foreign.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
      expect((await refresh(stranger.refreshToken)).data.refreshSession.__typename).toBe('AuthPayload');
      expect((await call(h, REVOKE, { id: 'nope' }, { identity: user.identity })).errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    });

    it('needs a signed-in caller', async () => {
      expect((await call(h, MY_SESSIONS)).errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
      expect((await call(h, LOGOUT)).errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    });
  });

  describe('changing the password', () => {
    it('needs the current password, and ends every other session', async () => {
      const user = await verifiedUser(h);
      const other = await signInAgain(h, user);
      const wrong = await call(h, CHANGE_PASSWORD, { c: 'not my password', n: 'a brand new password' }, { identity: user.identity });
      expect(wrong.data.changePassword.__typename).toBe('InvalidCredentials');

      const changed = await call(h, CHANGE_PASSWORD, { c: PASSWORD, n: 'a brand new password' }, { identity: user.identity });
      expect(changed.data.changePassword).toEqual({ __typename: 'PasswordChanged', endedSessions: 1, message: expect.any(String) });
      expect((await refresh(other.refreshToken)).data.refreshSession.__typename).toBe('InvalidRefreshToken');
      expect((await refresh(user.refreshToken)).data.refreshSession.__typename).toBe('AuthPayload');
      expect((await call(h, SIGN_IN, { input: { email: user.email, password: PASSWORD } })).data.signIn.__typename).toBe(
        'InvalidCredentials',
      );
      expect((await call(h, SIGN_IN, { input: { email: user.email, password: 'a brand new password' } })).data.signIn.__typename).toBe(
        'AuthPayload',
      );
    });

    it('refuses a weak new password with BAD_USER_INPUT and changes nothing', async () => {
      const user = await verifiedUser(h);
      const res = await call(h, CHANGE_PASSWORD, { c: PASSWORD, n: 'short' }, { identity: user.identity });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: { newPassword: expect.any(Array) } });
      expect((await call(h, SIGN_IN, { input: { email: user.email, password: PASSWORD } })).data.signIn.__typename).toBe('AuthPayload');
    });
  });

  describe('resetting a forgotten password', () => {
    it('e-mails a code that sets a new password once, and ends every session', async () => {
      const user = await verifiedUser(h);
      const other = await signInAgain(h, user);
      expect((await call(h, REQUEST_RESET, { e: user.email.toUpperCase() })).data.requestPasswordReset.message).toMatch(/If an account/);
      const mail = (await call(h, DEV_OUTBOX, { email: user.email })).data.devOutbox[0];
      expect(mail.subject).toBe('Your Market password reset code');
      const code = await latestCode(h, user.email);
      const wrong = code === '000000' ? '111111' : '000000';

      expect((await call(h, RESET, { e: user.email, c: wrong, p: 'reset password 123' })).data.resetPassword.__typename).toBe(
        'InvalidCode',
      );
      expect((await call(h, RESET, { e: user.email, c: code, p: 'reset password 123' })).data.resetPassword.__typename).toBe(
        'PasswordReset',
      );
      expect((await call(h, RESET, { e: user.email, c: code, p: 'another one 12345' })).data.resetPassword.__typename).toBe('InvalidCode');

      for (const token of [user.refreshToken, other.refreshToken]) {
        expect((await refresh(token)).data.refreshSession.__typename).toBe('InvalidRefreshToken');
      }
      expect((await call(h, SIGN_IN, { input: { email: user.email, password: 'reset password 123' } })).data.signIn.__typename).toBe(
        'AuthPayload',
      );
    });

    it('an expired reset code is CodeExpired and changes nothing', async () => {
      const user = await verifiedUser(h);
      await call(h, REQUEST_RESET, { e: user.email });
      const code = await latestCode(h, user.email);
      await h.db.query(
        `UPDATE verification_codes SET expires_at = now() - interval '1 second' WHERE user_id = $1 AND purpose = 'PASSWORD_RESET'`,
        [user.id],
      );
      expect((await call(h, RESET, { e: user.email, c: code, p: 'reset password 123' })).data.resetPassword.__typename).toBe('CodeExpired');
      expect((await call(h, SIGN_IN, { input: { email: user.email, password: PASSWORD } })).data.signIn.__typename).toBe('AuthPayload');
    });

    it('5 wrong reset codes end the code, even for the right one', async () => {
      const user = await verifiedUser(h);
      await call(h, REQUEST_RESET, { e: user.email });
      const code = await latestCode(h, user.email);
      const guesses = Array.from({ length: 6 }, (_, i) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0'));
      const kinds = [];
      for (const c of guesses)
        kinds.push((await call(h, RESET, { e: user.email, c, p: 'reset password 123' })).data.resetPassword.__typename);
      expect(kinds).toEqual([...Array(5).fill('InvalidCode'), 'TooManyAttempts']);
      expect((await call(h, RESET, { e: user.email, c: code, p: 'reset password 123' })).data.resetPassword.__typename).toBe(
        'TooManyAttempts',
      );
    });

    it('also confirms the address of an account that was never verified', async () => {
      const { email } = await signUp(h);
      await h.db.query(
        `UPDATE verification_codes SET last_sent_at = now() - interval '2 minutes' WHERE user_id = (SELECT id FROM users WHERE email = $1)`,
        [email.toLowerCase()],
      );
      await call(h, REQUEST_RESET, { e: email });
      const code = await latestCode(h, email);
      expect((await call(h, RESET, { e: email, c: code, p: 'reset password 123' })).data.resetPassword.__typename).toBe('PasswordReset');
      expect((await call(h, SIGN_IN, { input: { email, password: 'reset password 123' } })).data.signIn.__typename).toBe('AuthPayload');
    });

    it('answers the same for an unknown address and e-mails nothing', async () => {
      const email = newEmail('nobody');
      expect((await call(h, REQUEST_RESET, { e: email })).data.requestPasswordReset.message).toMatch(/If an account/);
      expect((await call(h, DEV_OUTBOX, { email })).data.devOutbox).toEqual([]);
      expect((await call(h, RESET, { e: email, c: '123456', p: 'reset password 123' })).data.resetPassword.__typename).toBe('InvalidCode');
    });
  });
});
