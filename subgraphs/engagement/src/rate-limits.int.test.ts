import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { createLogger, type Identity, type Logger, type Subgraph } from '@market/platform';
import { callSubgraph, testDatabaseUrl, testSecrets, eventually, type GraphQLResponse } from '@market/platform/testing';
import { createSubgraph, loadEnv } from './subgraph';

/**
 * Per-user write limits on posts, comments and reactions. With REDIS_URL, replicas count together
 * (that part is skipped without it: run with REDIS_URL=redis://127.0.0.1:6379).
 */
const REDIS_URL = process.env['REDIS_URL'];
const describeRedis = REDIS_URL ? describe : describe.skip;

interface Running {
  subgraph: Subgraph;
  call<T = any>(as: Identity | null, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
}

const started: Running[] = [];

async function start(overrides: Record<string, string> = {}, logger: Logger = createLogger('engagement', 'silent')): Promise<Running> {
  const { signingSecret } = await testSecrets();
  const env = loadEnv({
    DATABASE_URL: testDatabaseUrl('engagement'),
    DATABASE_POOL_SIZE: '3',
    GATEWAY_SIGNING_SECRET: signingSecret,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    ...overrides,
  });
  const subgraph = await createSubgraph(env, logger, { bus: null });
  const { url } = await subgraph.listen(0, '127.0.0.1');
  const running: Running = {
    subgraph,
    call: (as, query, variables) => callSubgraph(url, { query, ...(variables && { variables }) }, { secret: signingSecret, identity: as }),
  };
  started.push(running);
  return running;
}

afterAll(async () => {
  await Promise.all(started.map((r) => r.subgraph.close()));
});

/** A replica on Redis, once connected (until then the limits let writes through, by design). */
async function replicaOnRedis(redisUrl: string, prefix: string): Promise<Running> {
  const lines: { msg: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string }) });
  const replica = await start({ REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix }, logger);
  await eventually(() => lines.some((l) => l.msg === 'redis connected'), { what: 'engagement to reach Redis' });
  return replica;
}

const person = (): Identity => ({ userId: randomUUID(), role: 'BUYER', sessionId: randomUUID() });
const POST = `mutation($body: String!) { createPost(input: { body: $body }) { ... on Post { id } } }`;
const COMMENT = `mutation($p: ID!, $body: String!) { addComment(postId: $p, body: $body) { ... on Comment { id } } }`;
const REACT = `mutation($p: ID!, $k: ReactionKind!) { react(postId: $p, kind: $k) { id kind } }`;
const codeOf = (res: GraphQLResponse<unknown>) => res.errors?.[0]?.extensions?.['code'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function post(r: Running, as: Identity, body = 'hello'): Promise<string> {
  const res = await r.call(as, POST, { body });
  expect(res.errors).toBeUndefined();
  return res.data.createPost.id as string;
}

describe('write limits per user', () => {
  it('lets 10 posts a minute through, refuses the 11th with when to retry, and leaves others alone', async () => {
    const r = await start();
    const author = person();
    const burst = await Promise.all(Array.from({ length: 10 }, (_, i) => r.call(author, POST, { body: `post ${i}` })));
    expect(burst.map((b) => b.errors)).toEqual(Array(10).fill(undefined));

    const refused = await r.call(author, POST, { body: 'one too many' });
    expect(codeOf(refused)).toBe('RATE_LIMITED');
    expect(refused.data?.createPost ?? null).toBeNull();
    const retryAfter = refused.errors?.[0]?.extensions?.['retryAfterSeconds'] as number;
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.errors?.[0]?.message).toBe(`Too many posts. Try again in ${retryAfter} s.`);
    const mine = await r.call(
      author,
      `query($id: ID!) { _entities(representations: [{ __typename: "User", id: $id }]) { ... on User { posts { id } } } }`,
      {
        id: author.userId,
      },
    );
    expect(mine.errors).toBeUndefined();
    expect(mine.data._entities[0].posts).toHaveLength(10);
    await post(r, person());
  });

  it('limits comments and reactions separately, 60 a minute each by default', async () => {
    const r = await start();
    const [author, fan] = [person(), person()];
    const postId = await post(r, author);
    const comments = await Promise.all(Array.from({ length: 60 }, (_, i) => r.call(fan, COMMENT, { p: postId, body: `c${i}` })));
    expect(comments.map((c) => c.errors)).toEqual(Array(60).fill(undefined));
    const refusedComment = await r.call(fan, COMMENT, { p: postId, body: 'c61' });
    expect(codeOf(refusedComment)).toBe('RATE_LIMITED');
    expect(refusedComment.errors?.[0]?.message).toMatch(/^Too many comments\. Try again in \d+ s\.$/);
    // Reactions have their own count.
    expect((await r.call(fan, REACT, { p: postId, k: 'LIKE' })).errors).toBeUndefined();
  });

  it('lets a writer go on once the window has moved on', async () => {
    const r = await start({ RATE_LIMIT_CREATE_POST: '2/1s', RATE_LIMIT_ADD_COMMENT: '2/1s', RATE_LIMIT_REACT: '2/1s' });
    const [author, fan] = [person(), person()];
    const postId = await post(r, author);
    await post(r, author);
    expect(codeOf(await r.call(author, POST, { body: 'too soon' }))).toBe('RATE_LIMITED');

    for (const k of ['LIKE', 'LOVE']) expect((await r.call(fan, REACT, { p: postId, k })).errors).toBeUndefined();
    const refused = await r.call(fan, REACT, { p: postId, k: 'WOW' });
    expect(codeOf(refused)).toBe('RATE_LIMITED');
    expect(refused.errors?.[0]).toMatchObject({ message: 'Too many reactions. Try again in 1 s.', extensions: { retryAfterSeconds: 1 } });

    await sleep(1_050);
    await post(r, author);
    expect((await r.call(fan, REACT, { p: postId, k: 'WOW' })).data?.react.kind).toBe('WOW');
  });

  it('refuses a malformed limit at start-up, naming the variable', async () => {
    await expect(start({ RATE_LIMIT_REACT: '0/1m' })).rejects.toThrow(/RATE_LIMIT_REACT/);
  });
});

describeRedis('write limits across replicas (Redis)', () => {
  it("counts one user's posts on every replica together", async () => {
    const prefix = `test:engagement:${randomUUID()}:`;
    const [a, b] = [await replicaOnRedis(REDIS_URL!, prefix), await replicaOnRedis(REDIS_URL!, prefix)];
    const author = person();
    for (let i = 0; i < 5; i++) await post(a, author);
    for (let i = 0; i < 5; i++) await post(b, author);
    expect(codeOf(await a.call(author, POST, { body: 'eleventh' }))).toBe('RATE_LIMITED');
    expect(codeOf(await b.call(author, POST, { body: 'eleventh' }))).toBe('RATE_LIMITED');
  });
});
