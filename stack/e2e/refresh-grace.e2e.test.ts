import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { testDatabaseUrl } from '@market/platform/testing';
import { PASSWORD, createUser, startTestStack, type TestStack } from '../src/testing/stack';

/**
 * Refresh with a reuse grace window (REFRESH_REUSE_GRACE_SECONDS, 30 by default): two tabs, or a
 * retry after a lost response, refreshing with one token get the same new pair; presenting a
 * rotated token after the window still ends the whole session.
 */

const AUTH_FIELDS = `__typename ... on AuthPayload { accessToken refreshToken sessionId }`;
const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) { ${AUTH_FIELDS} } }`;
const REFRESH = `mutation($t: String!) { refreshSession(refreshToken: $t) { ${AUTH_FIELDS} } }`;
const MY_SESSIONS = `{ mySessions { edges { node { id } } } }`;

type Auth = { __typename: string; accessToken: string; refreshToken: string; sessionId: string };

describe('refresh reuse grace window', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const session = async (): Promise<Auth> => {
    const user = await createUser(stack, 'BUYER', 'Rae Refresh');
    return (await stack.request(SIGN_IN, { input: { email: user.email, password: PASSWORD } })).data.signIn as Auth;
  };
  const refresh = async (token: string): Promise<Auth> => (await stack.request(REFRESH, { t: token })).data.refreshSession as Auth;

  it('concurrent refreshes of one token get the same new pair, and the session lives on', async () => {
    const start = await session();
    const results = await Promise.all([refresh(start.refreshToken), refresh(start.refreshToken), refresh(start.refreshToken)]);
    expect(results.map((r) => r.__typename)).toEqual(['AuthPayload', 'AuthPayload', 'AuthPayload']);
    expect(new Set(results.map((r) => r.refreshToken)).size).toBe(1);
    expect(results[0]?.refreshToken).not.toBe(start.refreshToken);
    expect(results.every((r) => r.sessionId === start.sessionId)).toBe(true);
    // The shared new token works, and every access token handed out is good.
    const next = await refresh(results[0]!.refreshToken);
    expect(next.__typename).toBe('AuthPayload');
    for (const r of results) expect((await stack.request(MY_SESSIONS, {}, r.accessToken)).errors).toBeUndefined();
  });

  it('a retry after a lost response, within the window, gets the same pair again', async () => {
    const start = await session();
    const first = await refresh(start.refreshToken);
    const retried = await refresh(start.refreshToken);
    expect(retried).toMatchObject({ __typename: 'AuthPayload', refreshToken: first.refreshToken, sessionId: start.sessionId });
  });

  it('reuse after the window still ends the whole session', async () => {
    const start = await session();
    const first = await refresh(start.refreshToken);
    expect(first.__typename).toBe('AuthPayload');
    // As if the 30 s had passed: the token's first use moved back a minute.
    const db = new Client({ connectionString: testDatabaseUrl('accounts') });
    await db.connect();
    try {
      const hash = createHash('sha256').update(start.refreshToken).digest('hex');
      await db.query(`UPDATE refresh_tokens SET used_at = now() - interval '60 seconds' WHERE token_hash = $1`, [hash]);
    } finally {
      await db.end();
    }
    expect((await refresh(start.refreshToken)).__typename).toBe('InvalidRefreshToken');
    expect((await refresh(first.refreshToken)).__typename).toBe('InvalidRefreshToken');
    expect((await stack.request(MY_SESSIONS, {}, first.accessToken)).errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });
});
