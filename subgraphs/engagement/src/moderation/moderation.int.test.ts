import { randomUUID } from 'node:crypto';
import { createLogger, type Identity, type Role, type Subgraph } from '@market/platform';
import { callSubgraph, testDatabaseUrl, testSecrets, type GraphQLResponse } from '@market/platform/testing';
import { createSubgraph, loadEnv } from '../subgraph';
import { createPrisma } from '../db';
import { spamProbability } from './classifier';
import { loadSpamModel } from './model-file';
import { SPAM_REJECT_THRESHOLD } from './policy';
import { loadSplit } from './training/corpus';

/** Moderation through the subgraph: outcomes on create and edit, the queue, decisions, reports, appeals, events. */
let subgraph: Subgraph;
let url: string;
let secret: string;
let db: ReturnType<typeof createPrisma>;

beforeAll(async () => {
  secret = (await testSecrets()).signingSecret;
  const env = loadEnv({
    DATABASE_URL: testDatabaseUrl('engagement'),
    GATEWAY_SIGNING_SECRET: secret,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    // Writes here are many and fast; the limits have their own test.
    RATE_LIMIT_CREATE_POST: '1000/1m',
    RATE_LIMIT_ADD_COMMENT: '1000/1m',
  });
  expect(env.MODERATION_REPORT_THRESHOLD).toBe(3);
  subgraph = await createSubgraph(env, createLogger('engagement', 'silent'), { bus: null });
  url = (await subgraph.listen(0, '127.0.0.1')).url;
  db = createPrisma(env.DATABASE_URL, 2);
});

afterAll(async () => {
  await subgraph?.close();
  await db?.$disconnect();
});

const person = (role: Role = 'BUYER'): Identity => ({ userId: randomUUID(), role, sessionId: randomUUID() });
const admin = person('ADMIN');

const call = <T = any>(as: Identity | null, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>> =>
  callSubgraph<T>(url, { query, ...(variables && { variables }) }, { secret, identity: as });

async function ok<T = any>(as: Identity | null, query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await call<T>(as, query, variables);
  expect(res.errors).toBeUndefined();
  return res.data as T;
}

const codeOf = (res: GraphQLResponse) => res.errors?.[0]?.extensions?.['code'];

const FINE = 'Two bedrooms, a small garden and a quiet street. Viewings on Saturday morning.';
const RUDE = 'The flat is fine but the landlord is a total asshole.';
const LINKS = `Photos: ${Array.from({ length: 9 }, (_, i) => `https://photos${i}.example/flat`).join(' ')}`;

const NOTICE = 'moderationNotice { status reasons message appealed canAppeal }';
const CREATE = `mutation($body: String!) { createPost(input: { body: $body }) {
  __typename ... on Post { id status ${NOTICE} } ... on ContentRejected { reasons spamScore message } } }`;
const UPDATE = `mutation($id: ID!, $body: String!) { updatePost(id: $id, body: $body) {
  __typename ... on Post { id body status } ... on ContentRejected { reasons message } } }`;
const COMMENT = `mutation($p: ID!, $body: String!) { addComment(postId: $p, body: $body) {
  __typename ... on Comment { id status ${NOTICE} } ... on ContentRejected { reasons } } }`;
const POST = `query($id: ID!) { post(id: $id) { id body status commentCount comments { edges { node { id status } } } ${NOTICE} } }`;
const QUEUE = `{ moderationQueue(first: 100) { id targetType targetId source reasons spamScore appeal author { id }
  post { id } comment { id } reports { reporter { id } reason } cursor } }`;
const REPORT = `mutation($t: ModerationTargetType!, $id: ID!, $r: String!) { report(targetType: $t, targetId: $id, reason: $r) }`;
const APPEAL = `mutation($t: ModerationTargetType!, $id: ID!, $r: String!) { appeal(targetType: $t, targetId: $id, reason: $r) { status reasons message appealed canAppeal } }`;
const APPROVE = `mutation($t: ModerationTargetType!, $id: ID!, $r: String) { approve(targetType: $t, targetId: $id, reason: $r) { targetType targetId status reason } }`;
const REMOVE = `mutation($t: ModerationTargetType!, $id: ID!, $r: String!) { remove(targetType: $t, targetId: $id, reason: $r) { targetType targetId status reason } }`;

async function create(as: Identity, body: string) {
  return (await ok(as, CREATE, { body })).createPost;
}
/** The post with its first page of comments as a plain list. */
const postOf = async (as: Identity | null, id: string) => {
  const post = (await ok(as, POST, { id })).post;
  return post && { ...post, comments: post.comments.edges.map((e: { node: unknown }) => e.node) };
};
const queueCase = async (targetId: string) =>
  ((await ok(admin, QUEUE)).moderationQueue as { targetId: string }[]).find((c) => c.targetId === targetId) as any;

/** The decisions recorded for an item (or, with no item, an author's rejected new texts), oldest first. */
async function decisions(aggregateId: string, type = 'engagement.moderation.decided') {
  const rows = await db.outboxEvent.findMany({ where: { type, aggregateId }, orderBy: { seq: 'asc' } });
  return rows.map((r) => r.payload as Record<string, unknown>);
}

describe('on create', () => {
  it('publishes ordinary text at once, with no notice, no case and no event', async () => {
    const author = person();
    const post = await create(author, FINE);
    expect(post).toMatchObject({ __typename: 'Post', status: 'PUBLISHED', moderationNotice: null });
    expect(await postOf(null, post.id)).toMatchObject({ id: post.id });
    expect(await queueCase(post.id)).toBeUndefined();
    expect(await decisions(post.id)).toEqual([]);
  });

  it('holds a post a rule objects to: invisible to others, shown to its author with a notice, queued, one event', async () => {
    const author = person();
    const post = await create(author, RUDE);
    expect(post).toMatchObject({
      __typename: 'Post',
      status: 'HELD',
      moderationNotice: { status: 'HELD', reasons: ['Contains profanity (1 word).'], appealed: false, canAppeal: true },
    });
    expect(await postOf(null, post.id)).toBeNull();
    expect(await postOf(person(), post.id)).toBeNull();
    const feed = await ok(null, `{ feed(first: 100) { edges { node { id } } } }`);
    expect(feed.feed.edges.map((e: { node: { id: string } }) => e.node.id)).not.toContain(post.id);
    expect(await postOf(author, post.id)).toMatchObject({
      status: 'HELD',
      moderationNotice: { message: expect.stringContaining('Held for review') },
    });

    expect(await queueCase(post.id)).toMatchObject({
      targetType: 'POST',
      source: 'AUTOMATIC',
      reasons: ['Contains profanity (1 word).'],
      author: { id: author.userId },
      post: { id: post.id },
      comment: null,
      reports: [],
    });
    expect(await decisions(post.id)).toEqual([
      expect.objectContaining({
        targetType: 'POST',
        targetId: post.id,
        postId: post.id,
        authorId: author.userId,
        status: 'HELD',
        decidedBy: 'MODERATOR',
        reasons: ['Contains profanity (1 word).'],
      }),
    ]);
  });

  it('rejects a link flood with its reason, stores nothing, and records the refusal', async () => {
    const author = person();
    const res = await create(author, LINKS);
    expect(res).toMatchObject({ __typename: 'ContentRejected', reasons: ['Contains 9 links; at most 3 are published without review.'] });
    const mine = await ok(author, `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { posts { id } } } }`, {
      reps: [{ __typename: 'User', id: author.userId }],
    });
    expect(mine._entities[0].posts).toEqual([]);
    expect(await decisions(author.userId)).toEqual([
      expect.objectContaining({ targetId: null, postId: null, status: 'REJECTED', decidedBy: 'MODERATOR', caseId: null }),
    ]);
  });

  it('rejects a held-out spam message from the corpus as spam', async () => {
    const model = loadSpamModel();
    const spam = loadSplit()
      .test.filter((m) => m.spam)
      .map((m) => m.text.trim())
      .find((text) => text.length <= 5000 && spamProbability(model, text) > SPAM_REJECT_THRESHOLD)!;
    const res = await create(person(), spam);
    expect(res).toMatchObject({ __typename: 'ContentRejected', reasons: expect.arrayContaining(['Reads as spam.']) });
    expect(res.spamScore).toBeGreaterThan(SPAM_REJECT_THRESHOLD);
  });

  it('holds a comment: hidden from others and from the count, shown to its author; rejects a flood', async () => {
    const author = person();
    const commenter = person();
    const post = await create(author, FINE);
    const fine = (await ok(commenter, COMMENT, { p: post.id, body: 'Is the garden south facing?' })).addComment;
    const held = (await ok(commenter, COMMENT, { p: post.id, body: RUDE })).addComment;
    expect(fine).toMatchObject({ status: 'PUBLISHED', moderationNotice: null });
    expect(held).toMatchObject({ __typename: 'Comment', status: 'HELD', moderationNotice: { status: 'HELD', canAppeal: true } });

    expect(await postOf(null, post.id)).toMatchObject({ commentCount: 1, comments: [{ id: fine.id, status: 'PUBLISHED' }] });
    expect((await postOf(author, post.id)).comments).toEqual([{ id: fine.id, status: 'PUBLISHED' }]);
    expect((await postOf(commenter, post.id)).comments).toEqual([
      { id: fine.id, status: 'PUBLISHED' },
      { id: held.id, status: 'HELD' },
    ]);
    const entity = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Comment { id } } }`;
    expect((await ok(person(), entity, { reps: [{ __typename: 'Comment', id: held.id }] }))._entities).toEqual([null]);
    expect(await queueCase(held.id)).toMatchObject({ targetType: 'COMMENT', post: null, comment: { id: held.id } });
    expect(await decisions(held.id)).toEqual([expect.objectContaining({ targetType: 'COMMENT', postId: post.id, status: 'HELD' })]);

    expect((await ok(commenter, COMMENT, { p: post.id, body: LINKS })).addComment).toMatchObject({ __typename: 'ContentRejected' });
    expect((await postOf(commenter, post.id)).comments).toHaveLength(2);
  });
});

describe('on edit', () => {
  it('holds a published post whose new text needs review, and refuses a rejected edit keeping the old text', async () => {
    const author = person();
    const post = await create(author, FINE);
    const refused = (await ok(author, UPDATE, { id: post.id, body: LINKS })).updatePost;
    expect(refused).toMatchObject({ __typename: 'ContentRejected', message: expect.stringContaining('edit was not saved') });
    expect(await postOf(null, post.id)).toMatchObject({ body: FINE, status: 'PUBLISHED' });
    expect(await decisions(post.id)).toEqual([expect.objectContaining({ targetId: post.id, status: 'REJECTED' })]);

    expect((await ok(author, UPDATE, { id: post.id, body: RUDE })).updatePost).toMatchObject({ status: 'HELD', body: RUDE });
    expect(await postOf(null, post.id)).toBeNull();
    expect(await queueCase(post.id)).toMatchObject({ source: 'AUTOMATIC' });

    // Cleaning the text does not release it: a moderator decides.
    expect((await ok(author, UPDATE, { id: post.id, body: FINE })).updatePost).toMatchObject({ status: 'HELD', body: FINE });
    expect(await postOf(null, post.id)).toBeNull();
    expect((await decisions(post.id)).map((d) => d['status'])).toEqual(['REJECTED', 'HELD']);
  });
});

describe('the admin queue', () => {
  it('is for admins only', async () => {
    expect(codeOf(await call(person(), QUEUE))).toBe('FORBIDDEN');
    expect(codeOf(await call(null, QUEUE))).toBe('UNAUTHENTICATED');
    const held = await create(person(), RUDE);
    for (const m of [APPROVE, REMOVE]) {
      expect(codeOf(await call(person(), m, { t: 'POST', id: held.id, r: 'mine' }))).toBe('FORBIDDEN');
    }
    expect(await postOf(null, held.id)).toBeNull();
  });

  it('pages oldest first by cursor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await create(person(), RUDE)).id);
    const all: { targetId: string; cursor: string }[] = (await ok(admin, QUEUE)).moderationQueue;
    const at = all.findIndex((c) => c.targetId === ids[0]);
    const page = await ok(admin, `query($after: String) { moderationQueue(first: 2, after: $after) { targetId } }`, {
      after: all[at]!.cursor,
    });
    expect(page.moderationQueue.map((c: { targetId: string }) => c.targetId)).toEqual([ids[1], ids[2]]);
  });

  it('approve publishes a held post, empties its case and tells the author', async () => {
    const author = person();
    const post = await create(author, RUDE);
    const decision = (await ok(admin, APPROVE, { t: 'POST', id: post.id, r: 'Strong words about a landlord are allowed.' })).approve;
    expect(decision).toEqual({
      targetType: 'POST',
      targetId: post.id,
      status: 'PUBLISHED',
      reason: 'Strong words about a landlord are allowed.',
    });
    expect(await postOf(person(), post.id)).toMatchObject({ status: 'PUBLISHED', moderationNotice: null });
    expect(await queueCase(post.id)).toBeUndefined();
    expect((await decisions(post.id)).at(-1)).toMatchObject({ status: 'PUBLISHED', decidedBy: 'ADMIN', adminId: admin.userId });
  });

  it('remove takes an item out of view with a reason its author reads; NOT_FOUND for an unknown item', async () => {
    const author = person();
    const post = await create(author, FINE);
    expect(codeOf(await call(admin, REMOVE, { t: 'POST', id: post.id, r: '  ' }))).toBe('BAD_USER_INPUT');
    const decision = (await ok(admin, REMOVE, { t: 'POST', id: post.id, r: 'Advertising is not allowed in posts.' })).remove;
    expect(decision).toMatchObject({ status: 'REMOVED', reason: 'Advertising is not allowed in posts.' });
    expect(await postOf(null, post.id)).toBeNull();
    expect((await postOf(author, post.id)).moderationNotice).toEqual({
      status: 'REMOVED',
      reasons: ['Advertising is not allowed in posts.'],
      message: expect.stringContaining('appeal once'),
      appealed: false,
      canAppeal: true,
    });
    expect((await decisions(post.id)).at(-1)).toMatchObject({
      status: 'REMOVED',
      decidedBy: 'ADMIN',
      reasons: ['Advertising is not allowed in posts.'],
    });
    expect(codeOf(await call(admin, REMOVE, { t: 'COMMENT', id: randomUUID(), r: 'x' }))).toBe('NOT_FOUND');
  });
});

describe('appeals', () => {
  it('puts a removed post back in the queue once; the admin’s answer is final', async () => {
    const author = person();
    const post = await create(author, FINE);
    await ok(admin, REMOVE, { t: 'POST', id: post.id, r: 'Off topic.' });
    expect(codeOf(await call(person(), APPEAL, { t: 'POST', id: post.id, r: 'please' }))).toBe('NOT_FOUND');

    const notice = (await ok(author, APPEAL, { t: 'POST', id: post.id, r: 'It is about my flat, which is on topic.' })).appeal;
    expect(notice).toMatchObject({ status: 'REMOVED', reasons: ['Off topic.'], appealed: true, canAppeal: false });
    expect(await queueCase(post.id)).toMatchObject({
      source: 'APPEAL',
      appeal: 'It is about my flat, which is on topic.',
      reasons: ['Off topic.'],
    });
    expect(await decisions(post.id, 'engagement.moderation.appealed')).toEqual([
      expect.objectContaining({ targetId: post.id, authorId: author.userId, appeal: 'It is about my flat, which is on topic.' }),
    ]);
    expect(codeOf(await call(author, APPEAL, { t: 'POST', id: post.id, r: 'again' }))).toBe('CONFLICT');

    await ok(admin, REMOVE, { t: 'POST', id: post.id, r: 'Still off topic.' });
    expect(await queueCase(post.id)).toBeUndefined();
    expect((await postOf(author, post.id)).moderationNotice).toMatchObject({
      reasons: ['Still off topic.'],
      appealed: true,
      canAppeal: false,
    });
    expect(codeOf(await call(author, APPEAL, { t: 'POST', id: post.id, r: 'one more time' }))).toBe('CONFLICT');
  });

  it('a held comment’s author appeals, and approval publishes it', async () => {
    const commenter = person();
    const post = await create(person(), FINE);
    const held = (await ok(commenter, COMMENT, { p: post.id, body: RUDE })).addComment;
    expect((await ok(commenter, APPEAL, { t: 'COMMENT', id: held.id, r: 'It is true though.' })).appeal).toMatchObject({
      status: 'HELD',
      appealed: true,
    });
    expect(await queueCase(held.id)).toMatchObject({ source: 'AUTOMATIC', appeal: 'It is true though.' });
    await ok(admin, APPROVE, { t: 'COMMENT', id: held.id });
    expect(await postOf(null, post.id)).toMatchObject({ commentCount: 1, comments: [{ id: held.id, status: 'PUBLISHED' }] });
  });

  it('there is nothing to appeal on a published item', async () => {
    const author = person();
    const post = await create(author, FINE);
    expect(codeOf(await call(author, APPEAL, { t: 'POST', id: post.id, r: 'why' }))).toBe('CONFLICT');
  });
});

describe('reports', () => {
  it('three distinct reporters hold a post; repeats and the author do not count; approval starts the count afresh', async () => {
    const author = person();
    const post = await create(author, FINE);
    const [a, b, c, d] = [person(), person(), person(), person()];
    expect(codeOf(await call(author, REPORT, { t: 'POST', id: post.id, r: 'mine' }))).toBe('FORBIDDEN');
    expect((await ok(a, REPORT, { t: 'POST', id: post.id, r: 'spam' })).report).toBe(true);
    expect((await ok(a, REPORT, { t: 'POST', id: post.id, r: 'spam again' })).report).toBe(false);
    expect((await ok(b, REPORT, { t: 'POST', id: post.id, r: 'rude' })).report).toBe(true);
    expect(await postOf(null, post.id)).toMatchObject({ status: 'PUBLISHED' });

    expect((await ok(c, REPORT, { t: 'POST', id: post.id, r: 'scam' })).report).toBe(true);
    expect(await postOf(null, post.id)).toBeNull();
    expect((await postOf(author, post.id)).moderationNotice).toMatchObject({ status: 'HELD', reasons: ['Reported by 3 users.'] });
    const queued = await queueCase(post.id);
    expect(queued).toMatchObject({ source: 'REPORTS', reasons: ['Reported by 3 users.'] });
    expect(queued.reports.map((r: { reporter: { id: string } }) => r.reporter.id)).toEqual([a.userId, b.userId, c.userId]);
    expect(await decisions(post.id)).toEqual([expect.objectContaining({ status: 'HELD', decidedBy: 'REPORTS' })]);
    // Held now: others cannot see it, so cannot report it.
    expect(codeOf(await call(d, REPORT, { t: 'POST', id: post.id, r: 'late' }))).toBe('NOT_FOUND');

    await ok(admin, APPROVE, { t: 'POST', id: post.id });
    expect((await ok(d, REPORT, { t: 'POST', id: post.id, r: 'still bad' })).report).toBe(true);
    expect(await postOf(null, post.id)).toMatchObject({ status: 'PUBLISHED' });
  });

  it('concurrent reports hold a comment once, with one event', async () => {
    const post = await create(person(), FINE);
    const comment = (await ok(person(), COMMENT, { p: post.id, body: 'Call me about it.' })).addComment;
    const reporters = Array.from({ length: 6 }, () => person());
    const results = await Promise.all(reporters.map((r) => call(r, REPORT, { t: 'COMMENT', id: comment.id, r: 'scam' })));
    // Those that came after the hold cannot see the comment any more.
    expect(results.filter((r) => r.data?.report === true).length).toBeGreaterThanOrEqual(3);
    expect((await postOf(null, post.id)).commentCount).toBe(0);
    expect(await decisions(comment.id)).toEqual([expect.objectContaining({ targetType: 'COMMENT', status: 'HELD', decidedBy: 'REPORTS' })]);
  });

  it('three distinct reporters hold feedback too, with the reports on its case', async () => {
    const post = await create(person(), FINE);
    const giver = person();
    const given = await ok(
      giver,
      `mutation($id: ID!) { giveFeedback(targetType: POST, targetId: $id, rating: 2, body: "Not as described at all.") { __typename ... on Feedback { id status } } }`,
      { id: post.id },
    );
    expect(given.giveFeedback).toMatchObject({ __typename: 'Feedback', status: 'PUBLISHED' });
    const feedbackId: string = given.giveFeedback.id;
    const [a, b, c, d] = [person(), person(), person(), person()];
    expect(codeOf(await call(giver, REPORT, { t: 'FEEDBACK', id: feedbackId, r: 'mine' }))).toBe('FORBIDDEN');
    for (const [who, reason] of [
      [a, 'fake'],
      [b, 'rude'],
      [c, 'competitor'],
    ] as const) {
      expect((await ok(who, REPORT, { t: 'FEEDBACK', id: feedbackId, r: reason })).report).toBe(true);
    }
    const queued = await queueCase(feedbackId);
    expect(queued).toMatchObject({ targetType: 'FEEDBACK', source: 'REPORTS', reasons: ['Reported by 3 users.'] });
    expect(queued.reports.map((r: { reporter: { id: string } }) => r.reporter.id)).toEqual([a.userId, b.userId, c.userId]);
    expect(await decisions(feedbackId)).toEqual([
      expect.objectContaining({ targetType: 'FEEDBACK', status: 'HELD', decidedBy: 'REPORTS' }),
    ]);
    // Held: others no longer see it, so cannot report it.
    expect(codeOf(await call(d, REPORT, { t: 'FEEDBACK', id: feedbackId, r: 'late' }))).toBe('NOT_FOUND');
  });

  it('refuses an empty reason and an unknown item', async () => {
    const post = await create(person(), FINE);
    expect(codeOf(await call(person(), REPORT, { t: 'POST', id: post.id, r: ' ' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await call(person(), REPORT, { t: 'POST', id: randomUUID(), r: 'x' }))).toBe('NOT_FOUND');
    expect(codeOf(await call(null, REPORT, { t: 'POST', id: post.id, r: 'x' }))).toBe('UNAUTHENTICATED');
  });
});
