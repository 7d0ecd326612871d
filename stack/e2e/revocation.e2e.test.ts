import WebSocket from 'ws';
import { createUser, PASSWORD, startTestStack, type TestStack, type TestUser } from '../src/testing/stack';

/**
 * Ended sessions end at the gateway: once accounts has ended a session (logout, revokeSession,
 * suspension, a deleted account), its still-unexpired access token is refused for every subgraph,
 * over HTTP and on graphql-ws connection_init, not only by accounts.
 */
const ENDED = 'This session has ended: sign in again.';

const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) {
  __typename ... on AuthPayload { accessToken sessionId } } }`;
const CREATE_POST = `mutation { createPost(input: { body: "still here?" }) { ... on Post { id } } }`;
const MY_NOTIFICATIONS = `{ myNotifications { id } }`;

/** Opens a graphql-ws socket and sends connection_init with the token: 'ack', or how it was closed. */
async function connectionInit(stack: TestStack, token: string): Promise<'ack' | { code: number; reason: string }> {
  const socket = new WebSocket(stack.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const outcome = new Promise<'ack' | { code: number; reason: string }>((resolve) => {
    socket.on('message', (data) => {
      if ((JSON.parse(String(data)) as { type?: string }).type === 'connection_ack') resolve('ack');
    });
    socket.once('close', (code, reason) => resolve({ code, reason: String(reason) }));
  });
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
  const result = await outcome;
  if (socket.readyState === WebSocket.OPEN) {
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.close();
    await closed;
  }
  return result;
}

describe('ended sessions are refused at the gateway', () => {
  let stack: TestStack;
  let admin: TestUser;
  beforeAll(async () => {
    stack = await startTestStack();
    admin = await createUser(stack, 'ADMIN', 'Ada Admin');
  });
  afterAll(async () => {
    await stack.stop();
  });

  async function signIn(user: TestUser): Promise<{ token: string; sessionId: string }> {
    const res = await stack.request(SIGN_IN, { input: { email: user.email, password: PASSWORD } });
    const payload = res.data?.signIn;
    if (payload?.__typename !== 'AuthPayload') throw new Error(`sign-in failed: ${JSON.stringify(res)}`);
    return { token: payload.accessToken, sessionId: payload.sessionId };
  }

  /** What a refused token gets: 401 and UNAUTHENTICATED, the same shape as an expired token's answer. */
  async function expectEnded(query: string, token: string) {
    const res = await stack.request(query, {}, token);
    expect(res.status).toBe(401);
    expect(res.data).toBeUndefined();
    expect(res.errors).toEqual([
      expect.objectContaining({ message: ENDED, extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }),
    ]);
    expect(await connectionInit(stack, token)).toEqual({ code: 4401, reason: ENDED });
  }

  async function expectWorks(query: string, token: string) {
    const res = await stack.request(query, {}, token);
    expect(res.errors).toBeUndefined();
    expect(res.status).toBe(200);
    expect(await connectionInit(stack, token)).toBe('ack');
  }

  it("after logout, that session's token is refused by other subgraphs; another session of the same user still works", async () => {
    const user = await createUser(stack, 'BUYER', 'Logan Out');
    const laptop = await signIn(user);
    await expectWorks(MY_NOTIFICATIONS, user.token);

    const out = await stack.request(`mutation { logout }`, {}, user.token);
    expect(out.data).toEqual({ logout: true });

    await expectEnded(MY_NOTIFICATIONS, user.token);
    await expectEnded(CREATE_POST, user.token);
    await expectWorks(MY_NOTIFICATIONS, laptop.token);
    await expectWorks(CREATE_POST, laptop.token);
  });

  it("after revokeSession, the revoked session's token is refused and the caller's own still works", async () => {
    const user = await createUser(stack, 'BUYER', 'Rhea Voke');
    const stolen = await signIn(user);
    await expectWorks(CREATE_POST, stolen.token);

    const revoked = await stack.request(`mutation($id: ID!) { revokeSession(id: $id) { id } }`, { id: stolen.sessionId }, user.token);
    expect(revoked.errors).toBeUndefined();

    await expectEnded(CREATE_POST, stolen.token);
    await expectWorks(CREATE_POST, user.token);
  });

  it("after deleteAccount, the deleted user's token creates nothing anywhere", async () => {
    const user = await createUser(stack, 'BUYER', 'Del Eted');
    const phone = await signIn(user);
    await expectWorks(CREATE_POST, user.token);

    const deleted = await stack.request(
      `mutation($p: String!) { deleteAccount(password: $p) { __typename } }`,
      { p: PASSWORD },
      user.token,
    );
    expect(deleted.data).toEqual({ deleteAccount: { __typename: 'AccountDeleted' } });

    await expectEnded(CREATE_POST, user.token);
    await expectEnded(MY_NOTIFICATIONS, phone.token);
  });

  it("a suspended user's tokens are refused; once unsuspended, a new sign-in works at once and the old tokens stay refused", async () => {
    const user = await createUser(stack, 'BUYER', 'Sue Spended');
    const other = await signIn(user);
    await expectWorks(CREATE_POST, user.token);

    const suspended = await stack.request(`mutation($id: ID!) { suspendUser(userId: $id) { status } }`, { id: user.id }, admin.token);
    expect(suspended.data).toEqual({ suspendUser: { status: 'SUSPENDED' } });

    await expectEnded(CREATE_POST, user.token);
    await expectEnded(MY_NOTIFICATIONS, other.token);
    const refused = await stack.request(SIGN_IN, { input: { email: user.email, password: PASSWORD } });
    expect(refused.data?.signIn.__typename).toBe('AccountSuspended');

    const lifted = await stack.request(`mutation($id: ID!) { unsuspendUser(userId: $id) { status } }`, { id: user.id }, admin.token);
    expect(lifted.data).toEqual({ unsuspendUser: { status: 'ACTIVE' } });
    // Typically within the second of the suspension: the user-wide revocation must not refuse it.
    const again = await signIn(user);
    await expectWorks(CREATE_POST, again.token);
    await expectEnded(CREATE_POST, user.token);
    await expectEnded(CREATE_POST, other.token);
  });

  it('a token of a session that ended is refused even for fields that need no sign-in', async () => {
    const user = await createUser(stack, 'BUYER', 'Anne Onymous');
    await stack.request(`mutation { logout }`, {}, user.token);
    const res = await stack.request(`{ __typename }`, {}, user.token);
    expect(res.status).toBe(401);
    expect(res.errors?.[0]?.message).toBe(ENDED);
  });
});

describe('what a subgraph refuses as input reaches the client as input errors', () => {
  let stack: TestStack;
  let user: TestUser;
  beforeAll(async () => {
    stack = await startTestStack();
    user = await createUser(stack, 'BUYER', 'Val Idate');
  });
  afterAll(async () => {
    await stack.stop();
  });

  it("a Date that does not exist, in a variable, is BAD_USER_INPUT with the subgraph's message, not an internal error", async () => {
    const res = await stack.request(`query($from: Date!, $to: Date!) { availableListings(from: $from, to: $to, guests: 1) { id } }`, {
      from: '2027-02-30',
      to: '2027-03-02',
    });
    expect(res.errors).toHaveLength(1);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/\$from/);
    expect(res.errors?.[0]?.message).not.toMatch(/^400/);
    expect(res.data ?? null).toBeNull();
  });

  it("a body just under the gateway's limit reaches the subgraph, which answers about the input, not with 413", async () => {
    const body = 'x'.repeat(1_900_000);
    const res = await stack.request(
      `mutation($body: String!) { createPost(input: { body: $body }) { ... on Post { id } } }`,
      { body },
      user.token,
    );
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).not.toMatch(/413/);
  });

  it("a body over the gateway's limit gets the gateway's clear 413", async () => {
    const body = 'x'.repeat(2_100_000);
    const res = await stack.request(
      `mutation($body: String!) { createPost(input: { body: $body }) { ... on Post { id } } }`,
      { body },
      user.token,
    );
    expect(res.status).toBe(413);
    expect(res.errors?.[0]?.message).toMatch(/Request body too large/);
  });
});
