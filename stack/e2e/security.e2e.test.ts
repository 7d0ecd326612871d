import { createHmac } from 'node:crypto';
import { CALLER_HEADER, encodeCaller } from '@market/platform';
import { createUser, startTestStack, type TestStack } from '../src/testing/stack';

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

/** The probes of the security baseline, each answered with a clear error and nothing changed. */
describe('the gateway under abuse', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ nodeEnv: 'production' });
  });
  afterAll(async () => {
    await stack.stop();
  });

  const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    fetch(stack.url, { method: 'POST', headers, body });

  describe('identity', () => {
    it('serves anonymous callers, and `me` is null for them', async () => {
      const res = await stack.request('{ me { id } }');
      expect(res.status).toBe(200);
      expect(res.data).toEqual({ me: null });
    });

    it('ignores identity headers a client sends itself', async () => {
      const forged = encodeCaller({
        identity: { userId: '00000000-0000-4000-8000-000000000000', role: 'ADMIN', sessionId: 'x' },
        ip: null,
        userAgent: null,
      });
      const res = await stack.request('{ me { id } }', {}, undefined, {
        [CALLER_HEADER]: forged,
        'x-market-signature': 't=1,v1=' + '0'.repeat(64),
      });
      expect(res.data).toEqual({ me: null });
    });

    it('refuses a malformed, forged, alg:none or expired token with 401 UNAUTHENTICATED', async () => {
      const now = Math.floor(Date.now() / 1000);
      const claims = { sub: 'x', role: 'ADMIN', sid: 's', iat: now, exp: now + 600, iss: 'market-accounts', aud: 'market-gateway' };
      const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
      const hs = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
      const forged = `${hs}.${createHmac('sha256', 'guess').update(hs).digest('base64url')}`;
      for (const token of ['not-a-jwt', none, forged]) {
        const res = await stack.request('{ me { id } }', {}, token);
        expect(res.status).toBe(401);
        expect(res.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
      }
    });

    it('accepts a real token', async () => {
      const user = await createUser(stack, 'BUYER', 'Real Token');
      const res = await stack.request('{ me { id name } }', {}, user.token);
      expect(res.data).toEqual({ me: { id: user.id, name: 'Real Token' } });
    });
  });

  describe('operation limits', () => {
    it('answers a subscription sent as a plain POST with 400 naming both transports (WebSocket and SSE)', async () => {
      const res = await stack.request(`subscription { notificationAdded { id } }`);
      expect(res.status).toBe(400);
      expect(res.errors?.[0]?.extensions?.['code']).toBe('BAD_REQUEST');
      expect(res.errors?.[0]?.message).toMatch(/WebSocket.*graphql-transport-ws.*Server-Sent Events.*text\/event-stream/);
    });

    it('refuses deep nesting', async () => {
      const deep = `{ me { listings { owner { listings { owner { listings { owner { listings { owner { id } } } } } } } } } }`;
      const res = await stack.request(deep);
      expect(res.status).toBe(400);
      expect(res.errors?.[0]?.message).toMatch(/depth/i);
      expect(res.errors?.[0]?.message).not.toMatch(/Syntax Error/);
    });

    it('refuses more than 15 aliases, __typename included', async () => {
      const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: __typename`).join(' ');
      const res = await stack.request(`{ ${aliases} }`);
      expect(res.status).toBe(400);
      expect(res.errors?.[0]?.message).toMatch(/aliases/i);
      const many = Array.from({ length: 120 }, (_, i) => `u${i}: user(id: "x") { id }`).join(' ');
      expect((await stack.request(`{ ${many} }`)).status).toBe(400);
    });

    it('refuses a document over the token limit (500 duplicated fields and more)', async () => {
      const res = await stack.request(`{ me { ${'id '.repeat(1200)} } }`);
      expect(res.status).toBe(400);
    });

    it('refuses circular fragments', async () => {
      const res = await stack.request(`{ me { ...A } } fragment A on User { ...B } fragment B on User { ...A }`);
      expect(res.status).toBe(400);
    });

    it('refuses batched operations', async () => {
      const res = await post(JSON.stringify([{ query: '{ me { id } }' }, { query: '{ me { id } }' }]));
      expect(res.status).toBe(400);
    });

    it('refuses bodies over the size limit with 413', async () => {
      const res = await post(JSON.stringify({ query: '{ me { id } }', variables: { pad: 'x'.repeat(2_100_000) } }));
      expect(res.status).toBe(413);
    });

    it('refuses malformed JSON with 400', async () => {
      const res = await post('{"query": "{ me { id } }"');
      expect(res.status).toBe(400);
      const body = (await res.json()) as { errors: { message: string }[] };
      expect(body.errors[0]?.message).toMatch(/JSON/);
    });
  });

  describe('transport', () => {
    it('refuses a mutation over GET', async () => {
      const url = `${stack.url}?query=${encodeURIComponent('mutation { signIn(input: {email: "a@b.c", password: "x"}) { __typename } }')}`;
      const res = await fetch(url, { headers: { 'apollo-require-preflight': 'true' } });
      expect(res.status).toBe(405);
    });

    it('refuses a form-encoded POST (CSRF)', async () => {
      const res = await post('query=%7B%20me%20%7B%20id%20%7D%20%7D', { 'content-type': 'application/x-www-form-urlencoded' });
      expect(res.status).toBe(400);
    });

    it('hides introspection and field suggestions in production', async () => {
      const intro = await stack.request('{ __schema { types { name } } }');
      expect(intro.status).toBe(400);
      const typo = await stack.request('{ mee { id } }');
      expect(typo.errors?.[0]?.message).not.toMatch(/Did you mean/);
    });

    it('never shows internal details of a failure', async () => {
      const res = await stack.request('{ listing(id: "not-a-uuid") { id } }');
      for (const e of res.errors ?? []) {
        expect(e.extensions?.['stacktrace']).toBeUndefined();
        expect(e.message).not.toMatch(/prisma|invalid input syntax|at \w+ \(/i);
      }
    });
  });
});
