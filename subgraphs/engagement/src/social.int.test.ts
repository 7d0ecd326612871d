import { randomUUID } from 'node:crypto';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import type { Identity } from '@market/platform';
import { codeOf, knownListing, knownMachine, newPost, person, startEngagement, type EngagementHarness } from './testing/engagement-client';

let h: EngagementHarness;
beforeAll(async () => {
  // A batch window wide enough that concurrent requests of a test share INSERTs on a busy machine.
  h = await startEngagement({ VIEW_BATCH_WINDOW_MS: '50' });
});
afterAll(async () => {
  await h?.close();
});

const DAY = 24 * 60 * 60 * 1000;

async function completedStay(host: Identity, guest: Identity, listingId: string, completedAt = new Date()): Promise<string> {
  const stayId = randomUUID();
  await h.publish(
    'bookings.stay.completed',
    stayId,
    {
      stayId,
      listingId,
      listingTitle: 'Flat',
      hostId: host.userId,
      guestId: guest.userId,
      checkIn: '2026-11-01',
      checkOut: '2026-11-05',
      nights: 4,
      guests: 2,
      totalPrice: '400.00',
      currency: 'EUR',
    },
    completedAt,
  );
  return stayId;
}

const REVIEW = `mutation($s: ID!, $r: Int!, $b: String!) { reviewStay(stayId: $s, rating: $r, body: $b) {
  __typename ... on Review { id direction rating author { id } subject { id } } ... on ReviewNotAccepted { reason } } }`;
const LISTING = `query($id: ID!) { _entities(representations: [{ __typename: "Listing", id: $id }]) { ... on Listing {
  rating { average count } reviews { id rating body author { id } } viewCount } } }`;
const listing = async (who: Identity | null, id: string) => (await h.ok(who, LISTING, { id }))._entities[0];

describe('reviews after stays', () => {
  it('lets guest and host review each other once, each hidden until both wrote', async () => {
    const host = person('HOST');
    const guest = person();
    const listingId = await knownListing(h, host);
    const stayId = await completedStay(host, guest, listingId);
    expect(codeOf(await h.call(person(), REVIEW, { s: stayId, r: 5, b: 'I was never there.' }))).toBe('NOT_FOUND');

    const guestReview = (await h.ok(guest, REVIEW, { s: stayId, r: 4, b: 'Clean and bright.' })).reviewStay;
    expect(guestReview).toMatchObject({
      __typename: 'Review',
      direction: 'GUEST_REVIEWS_HOST',
      author: { id: guest.userId },
      subject: { id: host.userId },
    });
    expect((await h.ok(guest, REVIEW, { s: stayId, r: 5, b: 'Again!' })).reviewStay).toMatchObject({ __typename: 'ReviewNotAccepted' });
    // Until the host has written theirs, only the guest sees it, and it does not count.
    expect(await listing(person(), listingId)).toMatchObject({ rating: { average: null, count: 0 }, reviews: [] });
    expect((await listing(guest, listingId)).reviews).toHaveLength(1);

    await h.ok(host, REVIEW, { s: stayId, r: 5, b: 'A considerate guest.' });
    expect(await listing(person(), listingId)).toMatchObject({
      rating: { average: 4, count: 1 },
      reviews: [{ rating: 4, body: 'Clean and bright.' }],
    });
    const about = await h.ok(
      person(),
      `query($id: ID!) { _entities(representations: [{ __typename: "User", id: $id }]) { ... on User { reviewsAsGuest { rating body } } } }`,
      { id: guest.userId },
    );
    expect(about._entities[0].reviewsAsGuest).toEqual([{ rating: 5, body: 'A considerate guest.' }]);
  });

  it('shows a lone review once the 14-day window has closed, and takes no more', async () => {
    const host = person('HOST');
    const guest = person();
    const listingId = await knownListing(h, host);
    const stayId = await completedStay(host, guest, listingId, new Date(Date.now() - 13 * DAY));
    await h.ok(guest, REVIEW, { s: stayId, r: 3, b: 'Fine, a bit noisy.' });
    expect((await listing(null, listingId)).rating.count).toBe(0);
    // The window closes: move the stay's completion back, as time would.
    await h.db.completedStay.update({ where: { stayId }, data: { reviewsCloseAt: new Date(Date.now() - 1000) } });
    expect(await listing(null, listingId)).toMatchObject({ rating: { average: 3, count: 1 } });
    expect((await h.ok(host, REVIEW, { s: stayId, r: 5, b: 'Too late now.' })).reviewStay).toMatchObject({
      __typename: 'ReviewNotAccepted',
    });
    const late = await completedStay(host, guest, listingId, new Date(Date.now() - 15 * DAY));
    expect((await h.ok(guest, REVIEW, { s: late, r: 5, b: 'Much later.' })).reviewStay.reason).toMatch(/closed/);
  });
});

describe('views', () => {
  const VIEW = `mutation($t: EngagementTargetType!, $id: ID!, $d: String) { recordView(targetType: $t, targetId: $id, deviceId: $d) }`;

  it('counts unique viewers per day, users and anonymous devices, idempotently and in batches', async () => {
    const author = person();
    const postId = await newPost(h, author);
    const viewers = Array.from({ length: 5 }, () => person());
    // 5 users twice each and 3 devices twice each, all at once: 8 unique viewers.
    const calls = [
      ...viewers.flatMap((v) => [h.call(v, VIEW, { t: 'POST', id: postId }), h.call(v, VIEW, { t: 'POST', id: postId })]),
      ...['device-aaaa', 'device-bbbb', 'device-cccc'].flatMap((d) => [
        h.call(null, VIEW, { t: 'POST', id: postId, d }),
        h.call(null, VIEW, { t: 'POST', id: postId, d }),
      ]),
    ];
    h.resetQueries();
    const results = await Promise.all(calls);
    const inserts = h.queries.filter((q) => q.includes('INSERT INTO view_days')).length;
    for (const r of results) expect(r.errors).toBeUndefined();
    expect(results.filter((r) => r.data?.['recordView'] === true)).toHaveLength(8);
    // Batched: far fewer INSERTs than calls.
    expect(inserts).toBeLessThan(calls.length / 2);
    expect((await h.ok(null, `query($id: ID!) { post(id: $id) { viewCount } }`, { id: postId })).post.viewCount).toBe(8);
    expect((await h.ok(viewers[0]!, VIEW, { t: 'POST', id: postId })).recordView).toBe(false);
  });

  it('counts listing views, refuses hidden targets and signed-out calls without a device', async () => {
    const owner = person('HOST');
    const listingId = await knownListing(h, owner);
    await h.ok(person(), VIEW, { t: 'LISTING', id: listingId });
    await h.ok(null, VIEW, { t: 'LISTING', id: listingId, d: 'some-device-id' });
    expect((await listing(null, listingId)).viewCount).toBe(2);
    const draft = await knownListing(h, owner, 'DRAFT');
    expect(codeOf(await h.call(person(), VIEW, { t: 'LISTING', id: draft }))).toBe('NOT_FOUND');
    expect(codeOf(await h.call(person(), VIEW, { t: 'MACHINE', id: randomUUID() }))).toBe('NOT_FOUND');
    expect(codeOf(await h.call(null, VIEW, { t: 'LISTING', id: listingId }))).toBe('BAD_USER_INPUT');
  });
});

describe('activity profiles', () => {
  const ACTIVITY = `query($id: ID!) { _entities(representations: [{ __typename: "User", id: $id }]) { ... on User { activity {
    visibility posts comments reactionsGiven reactionsReceived viewsReceived reviewsWritten lastActiveAt months { month posts comments reactions } } } } }`;
  const activityOf = async (who: Identity | null, id: string) => (await h.ok(who, ACTIVITY, { id }))._entities[0].activity;

  it('counts what a user did and received, visible per their setting', async () => {
    const user = person();
    const friend = person();
    const stranger = person();
    const postId = await newPost(h, user);
    await newPost(h, user, 'A second post about the garden.');
    await h.ok(user, `mutation($p: ID!) { addComment(postId: $p, body: "Open on Sunday.") { ... on Comment { id } } }`, { p: postId });
    await h.ok(friend, `mutation($p: ID!) { react(postId: $p, kind: LIKE) { id } }`, { p: postId });
    await h.ok(friend, `mutation($t: EngagementTargetType!, $id: ID!) { recordView(targetType: $t, targetId: $id) }`, {
      t: 'POST',
      id: postId,
    });
    await h.publish('accounts.connection.accepted', randomUUID(), {
      connectionId: randomUUID(),
      requesterId: user.userId,
      addresseeId: friend.userId,
    });

    const mine = await activityOf(user, user.userId);
    const month = new Date().toISOString().slice(0, 7);
    expect(mine).toMatchObject({
      visibility: 'CONNECTIONS',
      posts: 2,
      comments: 1,
      reactionsGiven: 0,
      reactionsReceived: 1,
      viewsReceived: 1,
      reviewsWritten: 0,
    });
    expect(mine.months).toEqual([{ month, posts: 2, comments: 1, reactions: 0 }]);
    expect(mine.lastActiveAt).not.toBeNull();
    // CONNECTIONS by default: the friend sees it, a stranger does not.
    expect(await activityOf(friend, user.userId)).toMatchObject({ posts: 2 });
    expect(await activityOf(stranger, user.userId)).toBeNull();
    await h.ok(user, `mutation { setActivityVisibility(visibility: PUBLIC) }`);
    expect(await activityOf(null, user.userId)).toMatchObject({ posts: 2 });
    await h.ok(user, `mutation { setActivityVisibility(visibility: PRIVATE) }`);
    expect(await activityOf(friend, user.userId)).toBeNull();
    expect(await activityOf(person('ADMIN'), user.userId)).toMatchObject({ posts: 2 });
  });
});

describe('feed and people you may know', () => {
  const FEED = `query($first: Int, $after: String) { feed(first: $first, after: $after) { edges { cursor node { id author { id } } } pageInfo { hasNextPage endCursor } } }`;

  it('ranks posts from connections and follows above the rest, and pages stay stable under new posts', async () => {
    const reader = person();
    const friend = person();
    const followed = person();
    const stranger = person();
    await h.publish('accounts.connection.accepted', randomUUID(), {
      connectionId: randomUUID(),
      requesterId: reader.userId,
      addresseeId: friend.userId,
    });
    await h.publish('accounts.user.followed', followed.userId, { followerId: reader.userId, followeeId: followed.userId });
    const friendPost = await newPost(h, friend, 'From a friend.');
    const followedPost = await newPost(h, followed, 'From someone I follow.');
    const strangerPosts = [await newPost(h, stranger, 'Stranger one.'), await newPost(h, stranger, 'Stranger two.')];

    const first = (await h.ok(reader, FEED, { first: 2 })).feed;
    expect(new Set(first.edges.map((e: any) => e.node.id))).toEqual(new Set([friendPost, followedPost]));
    // New posts, even from a friend, and new engagement do not disturb the pages that follow.
    await newPost(h, friend, 'Posted while paging.');
    await h.ok(person(), `mutation($p: ID!) { react(postId: $p, kind: LIKE) { id } }`, { p: strangerPosts[0] });
    const seen: string[] = first.edges.map((e: any) => e.node.id);
    let after = first.pageInfo.endCursor;
    for (;;) {
      const page = (await h.ok(reader, FEED, { first: 2, after })).feed;
      seen.push(...page.edges.map((e: any) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(strangerPosts));
    expect(seen.indexOf(strangerPosts[1]!)).toBeGreaterThan(1);
    expect(codeOf(await h.call(reader, FEED, { first: 2, after: 'bm90LWEtY3Vyc29y' }))).toBe('BAD_USER_INPUT');
  });

  it('boosts by engagement: each e-fold of reactions and comments is worth six hours', async () => {
    const author = person();
    const older = await newPost(h, author, 'Older but popular.');
    const newer = await newPost(h, author, 'Newer, quiet.');
    await h.db.post.update({ where: { id: older }, data: { createdAt: new Date(Date.now() - 2 * 60 * 60 * 1000) } });
    for (let i = 0; i < 3; i++) await h.ok(person(), `mutation($p: ID!) { react(postId: $p, kind: LIKE) { id } }`, { p: older });
    const ids: string[] = (await h.ok(null, FEED, { first: 100 })).feed.edges.map((e: any) => e.node.id);
    // ln(1 + 3) × 6 h ≈ 8.3 h of boost outweighs 2 h of age.
    expect(ids.indexOf(older)).toBeLessThan(ids.indexOf(newer));
  });

  it('suggests people from mutual connections, most shared first', async () => {
    const me = person();
    const [a, b, c, x, y] = Array.from({ length: 5 }, () => person());
    const connect = (p: Identity, q: Identity) =>
      h.publish('accounts.connection.accepted', randomUUID(), { connectionId: randomUUID(), requesterId: p.userId, addresseeId: q.userId });
    for (const friend of [a!, b!, c!]) await connect(me, friend);
    await connect(a!, x!);
    await connect(b!, x!);
    await connect(c!, y!);
    await connect(a!, b!);
    const suggestions = (await h.ok(me, `{ peopleYouMayKnow { user { id } mutualConnections } }`)).peopleYouMayKnow;
    expect(suggestions).toEqual([
      { user: { id: x!.userId }, mutualConnections: 2 },
      { user: { id: y!.userId }, mutualConnections: 1 },
    ]);
    await h.publish('accounts.connection.removed', randomUUID(), {
      connectionId: randomUUID(),
      requesterId: me.userId,
      addresseeId: c!.userId,
      removedBy: me.userId,
    });
    // Without c, y shares no connection with me any more.
    expect((await h.ok(me, `{ peopleYouMayKnow { user { id } mutualConnections } }`)).peopleYouMayKnow).toEqual([
      { user: { id: x!.userId }, mutualConnections: 2 },
    ]);
  });
});

describe('mint-ready metadata', () => {
  it('gives published posts and comments ERC-1155 metadata whose CID recomputes from the JSON', async () => {
    const author = person();
    const postId = await newPost(h, author, 'Sunset over the harbour from the balcony.');
    const NFT = `query($id: ID!) { post(id: $id) { nft { json cid tokenUri tokenId tokenIdHex contentHash } comments { edges { node { nft { cid tokenUri json } } } } } }`;
    await h.ok(author, `mutation($p: ID!) { addComment(postId: $p, body: "Taken at 8 pm.") { ... on Comment { id } } }`, { p: postId });
    const { nft, comments } = (await h.ok(null, NFT, { id: postId })).post;
    const document = JSON.parse(nft.json);
    expect(document).toMatchObject({
      name: `Post ${postId}`,
      description: 'Sunset over the harbour from the balcony.',
      image: expect.stringMatching(/^data:image\/svg\+xml;base64,/),
      properties: { author: author.userId, createdAt: expect.any(String), contentHash: `sha256:${nft.contentHash}` },
    });
    const recomputed = CID.create(1, raw.code, await sha256.digest(new TextEncoder().encode(nft.json)));
    expect(nft.cid).toBe(recomputed.toString());
    expect(CID.parse(nft.cid).version).toBe(1);
    expect(nft.tokenUri).toBe(`ipfs://${nft.cid}`);
    expect(BigInt(nft.tokenId).toString(16).padStart(64, '0')).toBe(nft.tokenIdHex);
    // Deterministic: asking again gives the same token.
    expect((await h.ok(person(), NFT, { id: postId })).post.nft).toEqual(nft);
    const commentNft = comments.edges[0].node.nft;
    expect(commentNft.cid).toBe(CID.create(1, raw.code, await sha256.digest(new TextEncoder().encode(commentNft.json))).toString());
    expect(commentNft.cid).not.toBe(nft.cid);
  });
});

describe('account deletion', () => {
  it('removes a deleted user’s comments, reactions, feedback and views; their reviews stay, anonymous', async () => {
    const leaving = person();
    const host = person('HOST');
    const listingId = await knownListing(h, host);
    const machineId = await knownMachine(h);
    const postId = await newPost(h, host);
    await h.ok(leaving, `mutation($p: ID!) { addComment(postId: $p, body: "Bye.") { ... on Comment { id } } }`, { p: postId });
    await h.ok(leaving, `mutation($p: ID!) { react(postId: $p, kind: SAD) { id } }`, { p: postId });
    await h.ok(
      leaving,
      `mutation($id: ID!) { giveFeedback(targetType: MACHINE, targetId: $id, rating: 2, body: "Slow start.") { ... on Feedback { id } } }`,
      { id: machineId },
    );
    await h.ok(leaving, `mutation($id: ID!) { recordView(targetType: LISTING, targetId: $id) }`, { id: listingId });
    const stayId = await completedStay(host, leaving, listingId);
    await h.ok(leaving, REVIEW, { s: stayId, r: 5, b: 'Wonderful stay.' });
    await h.ok(host, REVIEW, { s: stayId, r: 5, b: 'Welcome back any time.' });

    await h.publish('accounts.user.deleted', leaving.userId, { userId: leaving.userId });
    const post = (await h.ok(null, `query($id: ID!) { post(id: $id) { commentCount reactionCounts { kind } } }`, { id: postId })).post;
    expect(post).toEqual({ commentCount: 0, reactionCounts: [] });
    const machine = (
      await h.ok(
        null,
        `query($id: ID!) { _entities(representations: [{ __typename: "Machine", id: $id }]) { ... on Machine { feedback { count } } } }`,
        { id: machineId },
      )
    )._entities[0];
    expect(machine.feedback.count).toBe(0);
    expect((await listing(null, listingId)).viewCount).toBe(0);
    expect((await listing(null, listingId)).reviews).toEqual([
      { rating: 5, body: 'Wonderful stay.', author: null, id: expect.any(String) },
    ]);
  });
});

describe('query cost', () => {
  it('reads a feed of 20 posts with comments, replies and reaction counts in a bounded number of SQL queries', async () => {
    const FEED = `query($first: Int) { feed(first: $first) { edges { node { id commentCount viewCount viewerReaction reactionCounts { kind count }
      feedback { average count }
      comments(first: 3) { edges { node { id body replyCount replies(first: 2) { edges { node { id } } } } } pageInfo { hasNextPage } } } } } }`;
    const reader = person();
    for (let i = 0; i < 20; i++) {
      // One author per post: the write limits allow 10 posts a minute each.
      const author = person();
      const postId = await newPost(h, author, `Post number ${i} about the flat.`);
      const top = (
        await h.ok(reader, `mutation($p: ID!) { addComment(postId: $p, body: "A question.") { ... on Comment { id } } }`, { p: postId })
      ).addComment.id;
      await h.ok(
        author,
        `mutation($p: ID!, $r: ID) { addComment(postId: $p, body: "An answer.", replyTo: $r) { ... on Comment { id } } }`,
        { p: postId, r: top },
      );
      await h.ok(author, `mutation($p: ID!) { react(postId: $p, kind: LOVE) { id } }`, { p: postId });
    }
    const costOf = async (first: number) => {
      h.resetQueries();
      const feed = (await h.ok(reader, FEED, { first })).feed;
      expect(feed.edges).toHaveLength(first);
      return h.queries.length;
    };
    const twenty = await costOf(20);
    // The page, then one query per field for all posts at once: totals, the viewer's reactions,
    // comment pages, reply pages and reply counts.
    expect(twenty).toBeLessThanOrEqual(6);
    expect(await costOf(2)).toBe(twenty);
  });
});
