import { randomUUID } from 'node:crypto';
import { createLogger, InProcessEventBus, type Identity, type Role, type Subgraph } from '@market/platform';
import { callSubgraph, testDatabaseUrl, testSecrets, type GraphQLResponse } from '@market/platform/testing';
import { createSubgraph, loadEnv } from './subgraph';
import { createPrisma } from './db';
import { PostRepository } from './repositories/post-repository';

let subgraph: Subgraph;
let url: string;
let secret: string;
let queries: string[] = [];
let db: ReturnType<typeof createPrisma>;
let postRepository: PostRepository;

beforeAll(async () => {
  const secrets = await testSecrets();
  secret = secrets.signingSecret;
  const env = loadEnv({
    DATABASE_URL: testDatabaseUrl('engagement'),
    GATEWAY_SIGNING_SECRET: secret,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
  });
  subgraph = await createSubgraph(env, createLogger('engagement', 'silent'), {
    bus: null,
    onQuery: (sql) => queries.push(sql),
  });
  url = (await subgraph.listen(0, '127.0.0.1')).url;
  // Moderation does not exist yet: tests set statuses through the repository, as it will.
  db = createPrisma(env.DATABASE_URL, 2);
  postRepository = new PostRepository(db);
});

afterAll(async () => {
  await subgraph?.close();
  await db?.$disconnect();
});

const person = (role: Role = 'BUYER'): Identity => ({ userId: randomUUID(), role, sessionId: randomUUID() });

async function call<T = any>(identity: Identity | null, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>> {
  return callSubgraph<T>(url, { query, ...(variables && { variables }) }, { secret, identity });
}

/** The data of a call that must succeed. */
async function ok<T = any>(identity: Identity | null, query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await call<T>(identity, query, variables);
  expect(res.errors).toBeUndefined();
  return res.data as T;
}

const codeOf = (res: GraphQLResponse) => res.errors?.[0]?.extensions?.['code'];

/** Counts the SQL statements one call runs. */
async function countQueries(fn: () => Promise<unknown>): Promise<number> {
  queries = [];
  await fn();
  const n = queries.length;
  queries = [];
  return n;
}

const CREATE = `mutation($input: CreatePostInput!) { createPost(input: $input) { ... on Post { id body status author { id } listing { id } createdAt updatedAt } } }`;
const POST = `query($id: ID!) { post(id: $id) { id body status commentCount viewerReaction
  comments { edges { node { id body author { id } post { id } } } }
  reactions { id kind user { id } }
  reactionCounts { kind count } } }`;
const FEED = `query($first: Int, $after: String) { feed(first: $first, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`;
const ENTITIES = `query($reps: [_Any!]!) { _entities(representations: $reps) {
  ... on Post { id body } ... on Comment { id body } ... on Reaction { id kind }
  ... on User { id posts { id status } } ... on Listing { id posts { id } } } }`;

async function createPost(identity: Identity, body = 'A bright flat near the river.', listingId?: string): Promise<string> {
  const data = await ok(identity, CREATE, { input: { body, listingId } });
  return data.createPost.id as string;
}

const postOf = async (identity: Identity | null, id: string) => (await ok(identity, POST, { id })).post;

describe('mutations persist and queries return them', () => {
  it('creates, reads, edits and deletes a post', async () => {
    const author = person('SELLER');
    const listingId = randomUUID();
    const created = (await ok(author, CREATE, { input: { body: '  Open house on Sunday.  ', listingId } })).createPost;
    expect(created).toMatchObject({
      body: 'Open house on Sunday.',
      status: 'PUBLISHED',
      author: { id: author.userId },
      listing: { id: listingId },
    });
    expect(await postOf(null, created.id)).toMatchObject({ id: created.id, body: 'Open house on Sunday.', commentCount: 0 });

    const edited = (
      await ok(
        author,
        `mutation($id: ID!) { updatePost(id: $id, body: "Open house moved to Monday.") { ... on Post { body updatedAt } } }`,
        { id: created.id },
      )
    ).updatePost;
    expect(edited.body).toBe('Open house moved to Monday.');
    expect(new Date(edited.updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(created.updatedAt).getTime());
    expect((await postOf(person(), created.id)).body).toBe('Open house moved to Monday.');

    const listingPosts = await ok(null, ENTITIES, { reps: [{ __typename: 'Listing', id: listingId }] });
    expect(listingPosts._entities[0].posts).toEqual([{ id: created.id }]);

    expect((await ok(author, `mutation($id: ID!) { deletePost(id: $id) }`, { id: created.id })).deletePost).toBe(true);
    expect(await postOf(author, created.id)).toBeNull();
  });

  it('adds and deletes comments, oldest first, with a count', async () => {
    const author = person();
    const reader = person();
    const postId = await createPost(author);
    const add = `mutation($postId: ID!, $body: String!) { addComment(postId: $postId, body: $body) { ... on Comment { id body author { id } post { id } createdAt } } }`;
    const first = (await ok(reader, add, { postId, body: 'Is parking included?' })).addComment;
    const second = (await ok(author, add, { postId, body: 'Yes, one space.' })).addComment;
    expect(first).toMatchObject({ body: 'Is parking included?', author: { id: reader.userId }, post: { id: postId } });

    const post = await postOf(null, postId);
    expect(post.commentCount).toBe(2);
    expect(post.comments.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([first.id, second.id]);

    expect((await ok(reader, `mutation($id: ID!) { deleteComment(id: $id) }`, { id: first.id })).deleteComment).toBe(true);
    const after = await postOf(null, postId);
    expect(after.commentCount).toBe(1);
    expect(after.comments.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([second.id]);
  });

  it('pages through comments with their cursors', async () => {
    const author = person();
    const postId = await createPost(author);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(
        (await ok(author, `mutation($p: ID!) { addComment(postId: $p, body: "comment ${i}") { ... on Comment { id } } }`, { p: postId }))
          .addComment.id,
      );
    }
    const page = `query($id: ID!, $after: String) { post(id: $id) { comments(first: 2, after: $after) { edges { node { id cursor } } } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const comments: { id: string; cursor: string }[] = (await ok(null, page, { id: postId, after })).post.comments.edges.map(
        (e: { node: unknown }) => e.node,
      );
      if (comments.length === 0) break;
      seen.push(...comments.map((c) => c.id));
      after = comments.at(-1)!.cursor;
    }
    expect(seen).toEqual(ids);
  });

  it('reacts, shows the viewer their reaction, and unreacts', async () => {
    const author = person();
    const fan = person();
    const postId = await createPost(author);
    const reaction = (await ok(fan, `mutation($p: ID!) { react(postId: $p, kind: LOVE) { id kind user { id } createdAt } }`, { p: postId }))
      .react;
    expect(reaction).toMatchObject({ kind: 'LOVE', user: { id: fan.userId } });

    expect(await postOf(fan, postId)).toMatchObject({
      viewerReaction: 'LOVE',
      reactions: [{ id: reaction.id, kind: 'LOVE', user: { id: fan.userId } }],
      reactionCounts: [{ kind: 'LOVE', count: 1 }],
    });
    expect((await postOf(author, postId)).viewerReaction).toBeNull();
    expect((await postOf(null, postId)).viewerReaction).toBeNull();

    const unreact = `mutation($p: ID!) { unreact(postId: $p) }`;
    expect((await ok(fan, unreact, { p: postId })).unreact).toBe(true);
    expect((await ok(fan, unreact, { p: postId })).unreact).toBe(false);
    expect(await postOf(fan, postId)).toMatchObject({ viewerReaction: null, reactions: [], reactionCounts: [] });
  });

  it('lists a user’s posts, newest first, through User.posts', async () => {
    const author = person();
    const older = await createPost(author, 'first');
    const newer = await createPost(author, 'second');
    const data = await ok(null, ENTITIES, { reps: [{ __typename: 'User', id: author.userId }] });
    expect(data._entities[0].posts.map((p: { id: string }) => p.id)).toEqual([newer, older]);
  });
});

describe('bad input, strangers and signed-out callers', () => {
  const userPosts = async (userId: string) =>
    (await ok({ userId, role: 'BUYER', sessionId: randomUUID() }, ENTITIES, { reps: [{ __typename: 'User', id: userId }] }))._entities[0]
      .posts;

  it.each([
    ['a blank body', { body: '   ' }, 'body'],
    ['a body of 5001 characters', { body: 'x'.repeat(5001) }, 'body'],
    ['a listingId that is no id', { body: 'fine', listingId: 'not-an-id' }, 'listingId'],
  ])('refuses a post with %s as BAD_USER_INPUT and writes nothing', async (_case, input, field) => {
    const author = person();
    const res = await call(author, CREATE, { input });
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(Object.keys(res.errors?.[0]?.extensions?.['fields'] as object)).toEqual([field]);
    expect(await userPosts(author.userId)).toEqual([]);
  });

  it('accepts a body of exactly 5000 characters', async () => {
    const author = person();
    // Real words: 5000 of one letter would be held by moderation as repeated characters.
    const id = await createPost(author, 'A quiet flat near the park. '.repeat(200).slice(0, 5000));
    expect((await postOf(null, id)).body).toHaveLength(5000);
  });

  it('refuses an empty or too long comment and an edit to an empty body, changing nothing', async () => {
    const author = person();
    const postId = await createPost(author, 'original');
    for (const body of ['', 'z'.repeat(2001)]) {
      const res = await call(author, `mutation($p: ID!, $b: String!) { addComment(postId: $p, body: $b) { ... on Comment { id } } }`, {
        p: postId,
        b: body,
      });
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
    }
    const edit = await call(author, `mutation($id: ID!) { updatePost(id: $id, body: " ") { ... on Post { id } } }`, { id: postId });
    expect(codeOf(edit)).toBe('BAD_USER_INPUT');
    expect(await postOf(null, postId)).toMatchObject({ body: 'original', commentCount: 0 });
  });

  it('refuses a bad page size or a forged cursor', async () => {
    for (const variables of [{ first: 0 }, { first: 101 }, { first: 5, after: 'bm90IGEgY3Vyc29y' }]) {
      expect(codeOf(await call(null, FEED, variables))).toBe('BAD_USER_INPUT');
    }
  });

  it('asks signed-out callers to sign in before writing', async () => {
    const postId = await createPost(person());
    for (const [query, variables] of [
      [CREATE, { input: { body: 'hello' } }],
      [`mutation($p: ID!) { addComment(postId: $p, body: "hi") { ... on Comment { id } } }`, { p: postId }],
      [`mutation($p: ID!) { react(postId: $p, kind: LIKE) { id } }`, { p: postId }],
    ] as const) {
      expect(codeOf(await call(null, query, variables))).toBe('UNAUTHENTICATED');
    }
    expect(await postOf(null, postId)).toMatchObject({ commentCount: 0, reactions: [] });
  });

  it('lets nobody but the author delete a post, except an admin', async () => {
    const author = person();
    const postId = await createPost(author);
    const del = `mutation($id: ID!) { deletePost(id: $id) }`;
    expect(codeOf(await call(person(), del, { id: postId }))).toBe('FORBIDDEN');
    expect(await postOf(null, postId)).not.toBeNull();
    expect((await ok(person('ADMIN'), del, { id: postId })).deletePost).toBe(true);
    expect(await postOf(null, postId)).toBeNull();
  });

  it('lets the comment’s author, the post’s author or an admin delete a comment, nobody else', async () => {
    const author = person();
    const commenter = person();
    const postId = await createPost(author);
    const add = `mutation($p: ID!) { addComment(postId: $p, body: "nice") { ... on Comment { id } } }`;
    const ids = await Promise.all([1, 2].map(async () => (await ok(commenter, add, { p: postId })).addComment.id as string));
    const del = `mutation($id: ID!) { deleteComment(id: $id) }`;
    expect(codeOf(await call(person(), del, { id: ids[0] }))).toBe('FORBIDDEN');
    expect((await postOf(null, postId)).commentCount).toBe(2);
    expect((await ok(author, del, { id: ids[0] })).deleteComment).toBe(true);
    expect((await ok(person('ADMIN'), del, { id: ids[1] })).deleteComment).toBe(true);
    expect((await postOf(null, postId)).commentCount).toBe(0);
  });

  it('answers NOT_FOUND for ids that name nothing', async () => {
    const someone = person();
    for (const id of [randomUUID(), 'not-a-uuid']) {
      expect(codeOf(await call(someone, `mutation($id: ID!) { updatePost(id: $id, body: "x") { ... on Post { id } } }`, { id }))).toBe(
        'NOT_FOUND',
      );
      expect(codeOf(await call(someone, `mutation($id: ID!) { deletePost(id: $id) }`, { id }))).toBe('NOT_FOUND');
      expect(codeOf(await call(someone, `mutation($id: ID!) { deleteComment(id: $id) }`, { id }))).toBe('NOT_FOUND');
      expect(codeOf(await call(someone, `mutation($id: ID!) { react(postId: $id, kind: WOW) { id } }`, { id }))).toBe('NOT_FOUND');
      expect((await ok(someone, `query($id: ID!) { post(id: $id) { id } }`, { id })).post).toBeNull();
    }
  });
});

describe('one SQL query per entity type or list field, whatever the number of parents', () => {
  it('resolves 50 references of each entity with one query each, in order', async () => {
    // Five authors: one person may post only so many a minute (services/rate-limits.ts).
    const authors = Array.from({ length: 5 }, () => person());
    const reader = person();
    const postIds = await Promise.all(Array.from({ length: 50 }, (_, i) => createPost(authors[i % 5]!, `post ${i}`)));
    const commentIds: string[] = [];
    const reactionIds: string[] = [];
    // One comment and one reaction (by 50 different users) on each post.
    for (let i = 0; i < 50; i++) {
      const p = postIds[i % 50];
      commentIds.push(
        (await ok(reader, `mutation($p: ID!) { addComment(postId: $p, body: "c${i}") { ... on Comment { id } } }`, { p })).addComment.id,
      );
      reactionIds.push((await ok(person(), `mutation($p: ID!) { react(postId: $p, kind: WOW) { id } }`, { p })).react.id);
    }
    const cases = [
      ['Post', [...postIds].reverse()],
      ['Comment', [...commentIds].reverse()],
      ['Reaction', [...reactionIds].reverse()],
    ] as const;
    for (const [typename, ids] of cases) {
      let data: any;
      const n = await countQueries(async () => {
        data = await ok(reader, ENTITIES, { reps: ids.map((id) => ({ __typename: typename, id })) });
      });
      expect({ typename, n }).toEqual({ typename, n: 1 });
      expect(data._entities.map((e: { id: string }) => e.id)).toEqual(ids);
    }
  });

  it('loads the lists and counts of N posts with one query per field', async () => {
    const authors = Array.from({ length: 5 }, () => person());
    const postIds = await Promise.all(authors.map((a) => createPost(a)));
    for (const p of postIds) {
      await ok(authors[0]!, `mutation($p: ID!) { addComment(postId: $p, body: "hello") { ... on Comment { id } } }`, { p });
      await ok(authors[1]!, `mutation($p: ID!) { react(postId: $p, kind: LIKE) { id } }`, { p });
    }
    const reps = postIds.map((id) => ({ __typename: 'Post', id }));
    const fields = [
      'comments { edges { node { id } } }',
      'reactions { id }',
      'reactionCounts { kind count }',
      'commentCount',
      'viewerReaction',
    ];
    for (const field of fields) {
      let data: any;
      const n = await countQueries(async () => {
        data = await ok(authors[1]!, `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Post { id ${field} } } }`, {
          reps,
        });
      });
      // One query for the posts themselves, one for the field.
      expect({ field, n }).toEqual({ field, n: 2 });
      expect(data._entities).toHaveLength(5);
    }
    const n = await countQueries(() => ok(null, ENTITIES, { reps: authors.map((a) => ({ __typename: 'User', id: a.userId })) }));
    expect(n).toBe(1);
  });
});

describe('engagement rules', () => {
  it('reacting twice leaves one reaction with the new kind, and the counts follow', async () => {
    const postId = await createPost(person());
    const fan = person();
    const other = person();
    const react = `mutation($p: ID!, $k: ReactionKind!) { react(postId: $p, kind: $k) { id kind } }`;
    const first = (await ok(fan, react, { p: postId, k: 'LIKE' })).react;
    await ok(other, react, { p: postId, k: 'LIKE' });
    const second = (await ok(fan, react, { p: postId, k: 'ANGRY' })).react;
    expect(second).toEqual({ id: first.id, kind: 'ANGRY' });
    const post = await postOf(fan, postId);
    expect(post.reactions).toHaveLength(2);
    expect(post.viewerReaction).toBe('ANGRY');
    expect(post.reactionCounts).toEqual([
      { kind: 'LIKE', count: 1 },
      { kind: 'ANGRY', count: 1 },
    ]);
  });

  it('20 concurrent reactions by one user leave one row', async () => {
    const postId = await createPost(person());
    const fan = person();
    const kinds = ['LIKE', 'LOVE', 'LAUGH', 'WOW', 'SAD', 'ANGRY'];
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call(fan, `mutation($p: ID!, $k: ReactionKind!) { react(postId: $p, kind: $k) { id } }`, { p: postId, k: kinds[i % 6] }),
      ),
    );
    for (const r of results) expect(r.errors).toBeUndefined();
    expect(new Set(results.map((r: any) => r.data.react.id)).size).toBe(1);
    const post = await postOf(fan, postId);
    expect(post.reactions).toHaveLength(1);
    expect(post.reactionCounts).toEqual([{ kind: post.viewerReaction, count: 1 }]);
  });

  it('nobody but the author edits a post: FORBIDDEN, and the post is unchanged', async () => {
    const author = person();
    const postId = await createPost(author, 'as written');
    const edit = `mutation($id: ID!) { updatePost(id: $id, body: "defaced") { ... on Post { id body } } }`;
    for (const stranger of [person(), person('ADMIN')]) {
      const res = await call(stranger, edit, { id: postId });
      expect(codeOf(res)).toBe('FORBIDDEN');
      expect(res.data?.['updatePost'] ?? null).toBeNull();
    }
    expect((await postOf(null, postId)).body).toBe('as written');
  });

  it('a hidden post is invisible to others, and seen by its author and admins', async () => {
    const author = person();
    const stranger = person();
    const postId = await createPost(author, 'soon hidden');
    await ok(stranger, `mutation($p: ID!) { addComment(postId: $p, body: "first!") { ... on Comment { id } } }`, { p: postId });
    const commentId = (await postOf(null, postId)).comments.edges[0].node.id;
    await postRepository.setStatus(postId, 'HIDDEN');

    for (const viewer of [null, stranger]) {
      expect(await postOf(viewer, postId)).toBeNull();
      const entities = await ok(viewer, ENTITIES, {
        reps: [
          { __typename: 'Post', id: postId },
          { __typename: 'Comment', id: commentId },
          { __typename: 'User', id: author.userId },
        ],
      });
      expect(entities._entities).toEqual([null, null, { id: author.userId, posts: [] }]);
    }
    expect((await ok(null, FEED, { first: 100 })).feed.edges.map((e: any) => e.node.id)).not.toContain(postId);
    expect(
      codeOf(await call(stranger, `mutation($p: ID!) { addComment(postId: $p, body: "hello?") { ... on Comment { id } } }`, { p: postId })),
    ).toBe('NOT_FOUND');
    expect(codeOf(await call(stranger, `mutation($p: ID!) { react(postId: $p, kind: SAD) { id } }`, { p: postId }))).toBe('NOT_FOUND');
    expect(codeOf(await call(stranger, `mutation($id: ID!) { deleteComment(id: $id) }`, { id: commentId }))).toBe('NOT_FOUND');

    expect(await postOf(author, postId)).toMatchObject({ id: postId, status: 'HIDDEN', commentCount: 1 });
    expect(await postOf(person('ADMIN'), postId)).toMatchObject({ id: postId, status: 'HIDDEN' });
    const own = await ok(author, ENTITIES, { reps: [{ __typename: 'User', id: author.userId }] });
    expect(own._entities[0].posts).toEqual([{ id: postId, status: 'HIDDEN' }]);
    // The author sees it, but a post that is not published takes no new comments.
    expect(
      codeOf(
        await call(author, `mutation($p: ID!) { addComment(postId: $p, body: "still here") { ... on Comment { id } } }`, { p: postId }),
      ),
    ).toBe('CONFLICT');
    expect((await postOf(author, postId)).commentCount).toBe(1);
  });

  it('feed pagination returns each post once, newest first', async () => {
    const author = person();
    const mine: string[] = [];
    for (let i = 0; i < 7; i++) mine.push(await createPost(author, `feed ${i}`));
    // Same-millisecond posts are ordered by id, so pagination must still hold with ties.
    await Promise.all([1, 2, 3].map(async (i) => mine.push(await createPost(author, `burst ${i}`))));
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    while (mine.some((id) => !seen.includes(id))) {
      const page: any = (await ok(null, FEED, { first: 3, after })).feed;
      seen.push(...page.edges.map((e: any) => e.node.id));
      pages++;
      if (!page.pageInfo.hasNextPage) break;
      expect(page.pageInfo.endCursor).toBe(page.edges.at(-1).cursor);
      after = page.pageInfo.endCursor;
    }
    expect(pages).toBeGreaterThan(1);
    expect(new Set(seen).size).toBe(seen.length);
    const order = seen.filter((id) => mine.includes(id));
    expect(order).toHaveLength(mine.length);
    // Newest first: the seven made one after another come in reverse.
    expect(order.filter((id) => mine.indexOf(id) < 7)).toEqual(mine.slice(0, 7).reverse());
  });

  it('a comment on a missing post is NOT_FOUND', async () => {
    const res = await call(person(), `mutation($p: ID!) { addComment(postId: $p, body: "anyone?") { ... on Comment { id } } }`, {
      p: randomUUID(),
    });
    expect(codeOf(res)).toBe('NOT_FOUND');
    expect(res.data?.['addComment'] ?? null).toBeNull();
  });
});

describe('deletions in other domains', () => {
  it('forgets a deleted user’s posts, comments and reactions, and a deleted listing', async () => {
    const bus = new InProcessEventBus(createLogger('bus', 'silent'));
    const env = loadEnv({
      DATABASE_URL: testDatabaseUrl('engagement'),
      GATEWAY_SIGNING_SECRET: secret,
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
    });
    const consumer = await createSubgraph(env, createLogger('engagement', 'silent'), { bus });
    try {
      const leaving = person();
      const staying = person();
      const listingId = randomUUID();
      const theirPost = await createPost(leaving, 'goodbye');
      const otherPost = await createPost(staying, 'about the listing', listingId);
      await ok(leaving, `mutation($p: ID!) { addComment(postId: $p, body: "bye") { ... on Comment { id } } }`, { p: otherPost });
      await ok(leaving, `mutation($p: ID!) { react(postId: $p, kind: SAD) { id } }`, { p: otherPost });
      await ok(leaving, `mutation($p: ID!) { report(targetType: POST, targetId: $p, reason: "off topic") }`, { p: otherPost });
      const publish = async (type: 'accounts.user.deleted' | 'listings.listing.deleted', aggregateId: string, payload: object) => {
        await bus.publish([{ id: randomUUID(), type, version: 1, aggregateId, occurredAt: new Date().toISOString(), payload } as never]);
        await bus.drain();
      };
      await publish('accounts.user.deleted', leaving.userId, { userId: leaving.userId });
      await publish('listings.listing.deleted', listingId, { listingId, ownerId: staying.userId });
      expect(await bus.deadLetters()).toEqual([]);

      expect(await postOf(leaving, theirPost)).toBeNull();
      expect(await postOf(null, otherPost)).toMatchObject({ commentCount: 0, reactions: [] });
      expect(await db.moderationReport.count({ where: { reporterId: leaving.userId } })).toBe(0);
      expect((await ok(null, `query($id: ID!) { post(id: $id) { listing { id } } }`, { id: otherPost })).post.listing).toBeNull();
    } finally {
      await consumer.close();
      await bus.close();
    }
  });
});
