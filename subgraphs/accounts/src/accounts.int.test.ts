import { createLogger, type RunningServer, type Subgraph } from '@market/platform';
import { callSubgraph, testDatabaseUrl, testSecrets, unique } from '@market/platform/testing';
import { createSubgraph, loadEnv } from './server';

const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) {
  __typename ... on AuthPayload { accessToken user { id name email role } } ... on EmailTaken { email message } } }`;
const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) {
  __typename ... on AuthPayload { accessToken user { id email } } ... on InvalidCredentials { message } } }`;

describe('accounts subgraph', () => {
  let subgraph: Subgraph;
  let running: RunningServer;
  let secret: string;
  const queries: string[] = [];

  beforeAll(async () => {
    const secrets = await testSecrets();
    secret = secrets.signingSecret;
    const env = loadEnv({
      NODE_ENV: 'test',
      DATABASE_URL: testDatabaseUrl('accounts'),
      GATEWAY_SIGNING_SECRET: secret,
      JWT_PRIVATE_KEY: secrets.privateKeyPem,
    });
    subgraph = await createSubgraph(env, createLogger('accounts', 'silent'), { bus: null, onQuery: (sql) => queries.push(sql) });
    running = await subgraph.server.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await running.close();
    await subgraph.close();
  });

  const call = <T = any>(query: string, variables?: Record<string, unknown>, identity: any = null) =>
    callSubgraph<T>(running.url, { query, variables }, { secret, identity });

  async function signUp(overrides: Record<string, unknown> = {}) {
    const email = `${unique('user')}@Example.com`;
    const input = { name: 'Ada Lovelace', email, password: 'correct horse battery', role: 'SELLER', ...overrides };
    const res = await call(SIGN_UP, { input });
    return { email, input, res };
  }

  it('signs a user up, then in, case-insensitively', async () => {
    const { email, res } = await signUp();
    expect(res.errors).toBeUndefined();
    expect(res.data.signUp).toMatchObject({ __typename: 'AuthPayload', user: { name: 'Ada Lovelace', role: 'SELLER', email: email.toLowerCase() } });
    expect(res.data.signUp.accessToken.split('.')).toHaveLength(3);

    const signedIn = await call(SIGN_IN, { input: { email: email.toUpperCase(), password: 'correct horse battery' } });
    expect(signedIn.data.signIn).toMatchObject({ __typename: 'AuthPayload', user: { id: res.data.signUp.user.id } });
  });

  it('answers EmailTaken for the same address in another case, and creates nothing', async () => {
    const { email } = await signUp();
    const again = await call(SIGN_UP, { input: { name: 'B', email: email.toUpperCase(), password: 'another password!' } });
    expect(again.data.signUp).toEqual({ __typename: 'EmailTaken', email: email.toLowerCase(), message: expect.any(String) });
  });

  it('answers InvalidCredentials for a wrong password or unknown e-mail', async () => {
    const { email } = await signUp();
    for (const input of [{ email, password: 'wrong password!!' }, { email: `${unique()}@nowhere.test`, password: 'whatever12345' }]) {
      const res = await call(SIGN_IN, { input });
      expect(res.data.signIn).toEqual({ __typename: 'InvalidCredentials', message: 'E-mail or password is wrong.' });
    }
  });

  it('refuses bad input with BAD_USER_INPUT and writes nothing', async () => {
    const email = `${unique()}@example.com`;
    const res = await call(SIGN_UP, { input: { name: '', email, password: 'short' } });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: { name: expect.any(Array), password: expect.any(Array) } });
    const later = await call(SIGN_IN, { input: { email, password: 'short' } });
    expect(later.data.signIn.__typename).toBe('InvalidCredentials');
  });

  it('never lets anyone choose ADMIN at sign-up', async () => {
    const { res } = await signUp({ role: 'ADMIN' });
    expect(res.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
  });

  it('shows e-mail and phone to the user and admins only', async () => {
    const { res } = await signUp({ phone: '+44 20 7946 0000' });
    const id = res.data.signUp.user.id;
    const q = `query($id: ID!) { user(id: $id) { id name email phone } }`;
    const anonymous = await call(q, { id });
    expect(anonymous.data.user).toEqual({ id, name: 'Ada Lovelace', email: null, phone: null });
    const self = await call(q, { id }, { userId: id, role: 'SELLER', sessionId: 's' });
    expect(self.data.user.phone).toBe('+44 20 7946 0000');
    const admin = await call(q, { id }, { userId: 'someone-else', role: 'ADMIN', sessionId: 's' });
    expect(admin.data.user.email).toMatch(/@example\.com$/);
  });

  it('resolves 50 user references with one SQL query, in order', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await signUp()).res.data.signUp.user.id);
    const representations = Array.from({ length: 50 }, (_, i) => ({ __typename: 'User', id: ids[i % ids.length] }));
    queries.length = 0;
    const res = await call(`query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id name } } }`, { r: representations });
    expect(res.errors).toBeUndefined();
    expect(res.data._entities.map((u: { id: string }) => u.id)).toEqual(representations.map((r) => r.id));
    expect(queries.filter((q) => /SELECT/i.test(q))).toHaveLength(1);
  });

  describe('only the gateway may call it', () => {
    const body = { query: '{ _service { sdl } }' };
    it('refuses an unsigned request, including a direct _entities call', async () => {
      const unsigned = await callSubgraph(running.url, body, { secret: null });
      expect(unsigned.status).toBe(403);
      expect(unsigned.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
      const entities = await callSubgraph(running.url, { query: `{ _entities(representations: [{__typename: "User", id: "x"}]) { __typename } }` }, { secret: null });
      expect(entities.status).toBe(403);
    });
    it('refuses a request signed with another secret (a forged identity)', async () => {
      const forged = await callSubgraph(running.url, { query: '{ me { id email } }' }, { secret: 'f'.repeat(64), identity: { userId: 'x', role: 'ADMIN', sessionId: 's' } });
      expect(forged.status).toBe(403);
      expect(forged.data).toBeUndefined();
    });
    it('answers the gateway-signed request', async () => {
      const ok = await callSubgraph<{ _service: { sdl: string } }>(running.url, body, { secret });
      expect(ok.status).toBe(200);
      expect(ok.data?._service.sdl).toContain('type User');
    });
  });
});
