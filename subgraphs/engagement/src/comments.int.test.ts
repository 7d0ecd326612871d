import { randomUUID } from 'node:crypto';
import { codeOf, knownListing, knownMachine, newPost, person, startEngagement, type EngagementHarness } from './testing/engagement-client';

let h: EngagementHarness;
beforeAll(async () => {
  h = await startEngagement();
});
afterAll(async () => {
  await h?.close();
});

const COMMENT_ON = `mutation($t: EngagementTargetType!, $id: ID!, $b: String!, $r: ID) {
  commentOn(targetType: $t, targetId: $id, body: $b, replyTo: $r) { __typename ... on Comment { id status parent { id } } ... on ContentRejected { reasons } } }`;
const PAGE = `query($id: ID!, $first: Int, $after: String) { post(id: $id) { commentCount comments(first: $first, after: $after) {
  edges { cursor node { id body deleted replyCount replies { edges { node { id body } } pageInfo { hasNextPage } } } }
  pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`;

async function comment(who: ReturnType<typeof person>, postId: string, body: string, replyTo?: string): Promise<string> {
  const data = await h.ok(who, COMMENT_ON, { t: 'POST', id: postId, b: body, r: replyTo ?? null });
  return data.commentOn.id;
}

describe('comments', () => {
  it('reads a comment by id, edits it as its author only, and moderates the edit', async () => {
    const author = person();
    const postId = await newPost(h, author);
    const id = await comment(author, postId, 'Is parking included?');
    const DETAIL = `query($id: ID!) { comment(id: $id) { id body status targetType targetId post { id } updatedAt createdAt } }`;
    expect((await h.ok(null, DETAIL, { id })).comment).toMatchObject({
      id,
      body: 'Is parking included?',
      targetType: 'POST',
      targetId: postId,
      post: { id: postId },
    });
    expect((await h.ok(null, DETAIL, { id: randomUUID() })).comment).toBeNull();

    const UPDATE = `mutation($id: ID!, $b: String!) { updateComment(id: $id, body: $b) { __typename ... on Comment { body status updatedAt } ... on ContentRejected { reasons } } }`;
    expect(codeOf(await h.call(person(), UPDATE, { id, b: 'mine now' }))).toBe('FORBIDDEN');
    const edited = (await h.ok(author, UPDATE, { id, b: 'Is parking included in the rent?' })).updateComment;
    expect(edited).toMatchObject({ __typename: 'Comment', body: 'Is parking included in the rent?', status: 'PUBLISHED' });

    // Shouting is held for review: the author sees it with a notice, others no longer see it.
    const held = (await h.ok(author, UPDATE, { id, b: 'THIS IS THE BEST FLAT EVER, CALL ME NOW OR REGRET IT FOREVER!!!' })).updateComment;
    expect(held).toMatchObject({ __typename: 'Comment', status: 'HELD' });
    expect((await h.ok(null, DETAIL, { id })).comment).toBeNull();
    expect(
      (await h.ok(author, `query($id: ID!) { comment(id: $id) { status moderationNotice { status } } }`, { id })).comment,
    ).toMatchObject({
      status: 'HELD',
      moderationNotice: { status: 'HELD' },
    });
    expect((await h.ok(null, PAGE, { id: postId })).post.commentCount).toBe(0);
    expect(await h.db.moderationCase.count({ where: { commentId: id, status: 'OPEN' } })).toBe(1);
  });

  it('replies one level deep, and keeps a deleted comment with replies as a placeholder', async () => {
    const author = person();
    const reader = person();
    const postId = await newPost(h, author);
    const top = await comment(reader, postId, 'How far is the station?');
    const reply = await comment(author, postId, 'Five minutes on foot.', top);
    // A reply to a reply is refused: threads are one level deep.
    expect(codeOf(await h.call(reader, COMMENT_ON, { t: 'POST', id: postId, b: 'thanks', r: reply }))).toBe('CONFLICT');
    // A reply to a comment of another post is refused too.
    const otherPost = await newPost(h, author);
    expect(codeOf(await h.call(reader, COMMENT_ON, { t: 'POST', id: otherPost, b: 'wrong thread', r: top }))).toBe('CONFLICT');

    const lonely = await comment(reader, postId, 'Never mind.');
    let page = (await h.ok(null, PAGE, { id: postId })).post;
    expect(page.commentCount).toBe(3);
    expect(page.comments.edges.map((e: any) => e.node.id)).toEqual([top, lonely]);
    expect(page.comments.edges[0].node).toMatchObject({ replyCount: 1, replies: { edges: [{ node: { id: reply } }] } });

    expect((await h.ok(reader, `mutation($id: ID!) { deleteComment(id: $id) }`, { id: top })).deleteComment).toBe(true);
    expect((await h.ok(reader, `mutation($id: ID!) { deleteComment(id: $id) }`, { id: lonely })).deleteComment).toBe(true);
    page = (await h.ok(null, PAGE, { id: postId })).post;
    // The deleted comment with a reply stays as an empty placeholder; the one without replies is gone.
    expect(page.comments.edges.map((e: any) => e.node)).toEqual([
      expect.objectContaining({
        id: top,
        body: '',
        deleted: true,
        replies: { edges: [{ node: { id: reply, body: 'Five minutes on foot.' } }], pageInfo: { hasNextPage: false } },
      }),
    ]);
    expect(page.commentCount).toBe(1);
    // Nothing replies to a deleted comment, and it cannot be edited.
    expect(codeOf(await h.call(author, COMMENT_ON, { t: 'POST', id: postId, b: 'late', r: top }))).toBe('CONFLICT');
    expect(codeOf(await h.call(reader, `mutation { updateComment(id: "${top}", body: "back") { __typename } }`))).toBe('NOT_FOUND');
  });

  it('pages as a Relay connection with full page info', async () => {
    const author = person();
    const postId = await newPost(h, author);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await comment(author, postId, `comment ${i}`));
    const first = (await h.ok(null, PAGE, { id: postId, first: 2 })).post.comments;
    expect(first.pageInfo).toEqual({
      hasNextPage: true,
      hasPreviousPage: false,
      startCursor: first.edges[0].cursor,
      endCursor: first.edges[1].cursor,
    });
    const seen = first.edges.map((e: any) => e.node.id);
    let after = first.pageInfo.endCursor;
    for (;;) {
      const page = (await h.ok(null, PAGE, { id: postId, first: 2, after })).post.comments;
      expect(page.pageInfo.hasPreviousPage).toBe(true);
      seen.push(...page.edges.map((e: any) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(ids);
  });

  it('keeps the comment count exact under concurrent inserts and deletes', async () => {
    const author = person();
    const postId = await newPost(h, author);
    const commenters = Array.from({ length: 8 }, () => person());
    const ids = await Promise.all(
      Array.from({ length: 40 }, (_, i) => comment(commenters[i % commenters.length]!, postId, `concurrent ${i}`)),
    );
    expect((await h.ok(null, PAGE, { id: postId })).post.commentCount).toBe(40);
    await Promise.all(ids.slice(0, 15).map((id) => h.ok(author, `mutation($id: ID!) { deleteComment(id: $id) }`, { id })));
    expect((await h.ok(null, PAGE, { id: postId })).post.commentCount).toBe(25);
    expect(await h.db.comment.count({ where: { postId, deletedAt: null } })).toBe(25);
  });
});

describe('engagement on listings and machines', () => {
  const LISTING = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Listing { id
    comments { edges { node { id body } } } reactionCounts { kind count } viewerReaction feedback { average count latest { rating body author { id } } } } } }`;
  const MACHINE = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Machine { id
    comments { edges { node { id body } } } reactionCounts { kind count } feedback { average count } } } }`;

  it('comments, reacts and rates a listing engagement learnt from its events', async () => {
    const owner = person('HOST');
    const guest = person();
    const listingId = await knownListing(h, owner);
    const c = (await h.ok(guest, COMMENT_ON, { t: 'LISTING', id: listingId, b: 'Is the balcony south facing?' })).commentOn;
    await h.ok(owner, COMMENT_ON, { t: 'LISTING', id: listingId, b: 'Yes, all afternoon sun.', r: c.id });
    await h.ok(guest, `mutation($id: ID!) { reactTo(targetType: LISTING, targetId: $id, kind: LOVE) { id targetType targetId } }`, {
      id: listingId,
    });
    await h.ok(owner, `mutation($id: ID!) { reactTo(targetType: LISTING, targetId: $id, kind: LIKE) { id } }`, { id: listingId });
    // One reaction per user and target: reacting again changes the kind.
    await h.ok(owner, `mutation($id: ID!) { reactTo(targetType: LISTING, targetId: $id, kind: LOVE) { id } }`, { id: listingId });
    const GIVE = `mutation($t: EngagementTargetType!, $id: ID!, $r: Int!, $b: String!) { giveFeedback(targetType: $t, targetId: $id, rating: $r, body: $b) { __typename ... on Feedback { id rating status } } }`;
    await h.ok(guest, GIVE, { t: 'LISTING', id: listingId, r: 5, b: 'Lovely and quiet.' });
    await h.ok(person(), GIVE, { t: 'LISTING', id: listingId, r: 2, b: 'Too far from the shops.' });
    // Giving feedback again replaces it.
    await h.ok(guest, GIVE, { t: 'LISTING', id: listingId, r: 4, b: 'Lovely, a bit noisy on Sundays.' });
    expect(codeOf(await h.call(guest, GIVE, { t: 'LISTING', id: listingId, r: 6, b: 'off the scale' }))).toBe('BAD_USER_INPUT');

    const listing = (await h.ok(guest, LISTING, { reps: [{ __typename: 'Listing', id: listingId }] }))._entities[0];
    expect(listing.comments.edges.map((e: any) => e.node.body)).toEqual(['Is the balcony south facing?']);
    expect(listing.reactionCounts).toEqual([{ kind: 'LOVE', count: 2 }]);
    expect(listing.viewerReaction).toBe('LOVE');
    expect(listing.feedback).toMatchObject({ average: 3, count: 2 });
    expect(listing.feedback.latest.map((f: any) => f.rating)).toEqual([4, 2]);
  });

  it('answers NOT_FOUND for an unknown listing or machine and for a listing hidden from the caller', async () => {
    const owner = person('HOST');
    const draft = await knownListing(h, owner, 'DRAFT');
    for (const [t, id, who] of [
      ['LISTING', randomUUID(), person()],
      ['MACHINE', randomUUID(), person()],
      ['LISTING', draft, person()],
    ] as const) {
      expect(codeOf(await h.call(who, COMMENT_ON, { t, id, b: 'hello?' }))).toBe('NOT_FOUND');
      expect(
        codeOf(
          await h.call(who, `mutation($t: EngagementTargetType!, $id: ID!) { reactTo(targetType: $t, targetId: $id, kind: LIKE) { id } }`, {
            t,
            id,
          }),
        ),
      ).toBe('NOT_FOUND');
    }
    // The owner sees their draft and may comment on it.
    expect((await h.ok(owner, COMMENT_ON, { t: 'LISTING', id: draft, b: 'Note to self: photos.' })).commentOn.status).toBe('PUBLISHED');
    // Published later (a newer version), it is open to everyone; an older event does not hide it again.
    await knownListing(h, owner, 'ACTIVE', draft, 2);
    await knownListing(h, owner, 'DRAFT', draft, 1);
    expect((await h.ok(person(), COMMENT_ON, { t: 'LISTING', id: draft, b: 'Nice!' })).commentOn.status).toBe('PUBLISHED');
  });

  it('rates a machine, with the average and count on Machine.feedback', async () => {
    const machineId = await knownMachine(h);
    const GIVE = `mutation($id: ID!, $r: Int!, $b: String!) { giveFeedback(targetType: MACHINE, targetId: $id, rating: $r, body: $b) { ... on Feedback { id } } }`;
    await Promise.all([5, 4, 4, 2].map((r) => h.ok(person(), GIVE, { id: machineId, r, b: `Runs fine, ${r} stars.` })));
    await h.ok(person(), COMMENT_ON, { t: 'MACHINE', id: machineId, b: 'Starts in under a second.' });
    const machine = (await h.ok(person(), MACHINE, { reps: [{ __typename: 'Machine', id: machineId }] }))._entities[0];
    expect(machine.feedback).toEqual({ average: 3.75, count: 4 });
    expect(machine.comments.edges).toHaveLength(1);
  });

  it('a deleted listing or machine takes its engagement with it', async () => {
    const owner = person('HOST');
    const listingId = await knownListing(h, owner);
    const machineId = await knownMachine(h);
    for (const [t, id] of [
      ['LISTING', listingId],
      ['MACHINE', machineId],
    ] as const) {
      await h.ok(person(), COMMENT_ON, { t, id, b: 'Hello there.' });
      await h.ok(person(), `mutation($t: EngagementTargetType!, $id: ID!) { reactTo(targetType: $t, targetId: $id, kind: WOW) { id } }`, {
        t,
        id,
      });
    }
    await h.publish('listings.listing.deleted', listingId, { listingId, ownerId: owner.userId });
    await h.publish('instances.machine.deleted', machineId, { machineId });
    expect(await h.db.comment.count({ where: { targetId: { in: [listingId, machineId] } } })).toBe(0);
    expect(await h.db.reaction.count({ where: { targetId: { in: [listingId, machineId] } } })).toBe(0);
    expect(await h.db.engagementCounter.count({ where: { targetId: { in: [listingId, machineId] } } })).toBe(0);
    expect(codeOf(await h.call(person(), COMMENT_ON, { t: 'LISTING', id: listingId, b: 'Still there?' }))).toBe('NOT_FOUND');
    // A late upsert of the deleted listing does not bring it back.
    await knownListing(h, owner, 'ACTIVE', listingId, 99);
    expect(codeOf(await h.call(person(), COMMENT_ON, { t: 'LISTING', id: listingId, b: 'Still there?' }))).toBe('NOT_FOUND');
  });
});
