import { call, outboxEvents, startAccounts, verifiedUser, type Harness, type TestUser } from './testing/harness';

const CONNECTION = `id status createdAt acceptedAt requester { id } addressee { id } user { id name }`;
const REQUEST = `mutation($id: ID!) { requestConnection(userId: $id) { ${CONNECTION} } }`;
const ACCEPT = `mutation($id: ID!) { acceptConnection(id: $id) { ${CONNECTION} } }`;
const DECLINE = `mutation($id: ID!) { declineConnection(id: $id) }`;
const REMOVE = `mutation($id: ID!) { removeConnection(userId: $id) }`;
const MINE = `{ myConnections { edges { node { id user { id } } } } }`;
const REQUESTS = `query($d: ContactDirection) { myConnectionRequests(direction: $d) { edges { node { id requester { id } addressee { id } } } } }`;
const MUTUAL = `query($id: ID!) { mutualConnections(userId: $id) { edges { node { id } } } }`;
const FOLLOW = `mutation($id: ID!) { follow(userId: $id) { id followerCount } }`;
const UNFOLLOW = `mutation($id: ID!) { unfollow(userId: $id) }`;

describe('accounts subgraph: connections and follows', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startAccounts();
  });
  afterAll(async () => {
    await h.close();
  });

  const as = (user: TestUser) => ({ identity: user.identity });
  const connect = async (a: TestUser, b: TestUser) => {
    const req = await call(h, REQUEST, { id: b.id }, as(a));
    return (await call(h, ACCEPT, { id: req.data.requestConnection.id }, as(b))).data.acceptConnection;
  };

  it('requests, lists and accepts a connection, publishing an event for each change', async () => {
    const ann = await verifiedUser(h, { name: 'Ann' });
    const bob = await verifiedUser(h, { name: 'Bob' });
    const requested = await call(h, REQUEST, { id: bob.id }, as(ann));
    expect(requested.errors).toBeUndefined();
    const connection = requested.data.requestConnection;
    expect(connection).toMatchObject({
      status: 'PENDING',
      acceptedAt: null,
      requester: { id: ann.id },
      addressee: { id: bob.id },
      user: { id: bob.id, name: 'Bob' },
    });

    expect((await call(h, REQUESTS, {}, as(bob))).data.myConnectionRequests.edges.map((e: any) => e.node).map((c: any) => c.id)).toEqual([
      connection.id,
    ]);
    expect(
      (await call(h, REQUESTS, { d: 'OUTGOING' }, as(ann))).data.myConnectionRequests.edges.map((e: any) => e.node).map((c: any) => c.id),
    ).toEqual([connection.id]);
    expect((await call(h, MINE, {}, as(ann))).data.myConnections.edges.map((e: any) => e.node)).toEqual([]);

    // Only the addressee can accept; to anyone else the request does not exist.
    expect((await call(h, ACCEPT, { id: connection.id }, as(ann))).errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    const stranger = await verifiedUser(h);
    expect((await call(h, ACCEPT, { id: connection.id }, as(stranger))).errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');

    const accepted = await call(h, ACCEPT, { id: connection.id }, as(bob));
    expect(accepted.data.acceptConnection).toMatchObject({ id: connection.id, status: 'ACCEPTED', user: { id: ann.id, name: 'Ann' } });
    expect((await call(h, MINE, {}, as(ann))).data.myConnections.edges.map((e: any) => e.node)).toEqual([
      { id: connection.id, user: { id: bob.id } },
    ]);
    expect((await call(h, MINE, {}, as(bob))).data.myConnections.edges.map((e: any) => e.node)).toEqual([
      { id: connection.id, user: { id: ann.id } },
    ]);

    const events = await outboxEvents(h, ann.id);
    expect(events.filter((e) => e.type.startsWith('accounts.connection'))).toEqual([
      { type: 'accounts.connection.requested', payload: { connectionId: connection.id, requesterId: ann.id, addresseeId: bob.id } },
      { type: 'accounts.connection.accepted', payload: { connectionId: connection.id, requesterId: ann.id, addresseeId: bob.id } },
    ]);
  });

  it('accepts at once when the other had already asked, and keeps one connection per pair', async () => {
    const ann = await verifiedUser(h);
    const bob = await verifiedUser(h);
    const first = (await call(h, REQUEST, { id: bob.id }, as(ann))).data.requestConnection;
    const again = (await call(h, REQUEST, { id: bob.id }, as(ann))).data.requestConnection;
    expect(again.id).toBe(first.id);
    const back = (await call(h, REQUEST, { id: ann.id }, as(bob))).data.requestConnection;
    expect(back).toMatchObject({ id: first.id, status: 'ACCEPTED' });
    const { rows } = await h.db.query(
      `SELECT count(*)::int AS n FROM connections WHERE (requester_id = $1 AND addressee_id = $2) OR (requester_id = $2 AND addressee_id = $1)`,
      [ann.id, bob.id],
    );
    expect(rows[0].n).toBe(1);
  });

  it('settles two users asking each other at the same moment with one connection', async () => {
    const ann = await verifiedUser(h);
    const bob = await verifiedUser(h);
    const [a, b] = await Promise.all([call(h, REQUEST, { id: bob.id }, as(ann)), call(h, REQUEST, { id: ann.id }, as(bob))]);
    expect(a.errors).toBeUndefined();
    expect(b.errors).toBeUndefined();
    const { rows } = await h.db.query(
      `SELECT count(*)::int AS n FROM connections WHERE (requester_id = $1 AND addressee_id = $2) OR (requester_id = $2 AND addressee_id = $1)`,
      [ann.id, bob.id],
    );
    expect(rows[0].n).toBe(1);
  });

  it('declines a request (only the addressee can), and removes connections and withdrawn requests', async () => {
    const ann = await verifiedUser(h);
    const bob = await verifiedUser(h);
    const req = (await call(h, REQUEST, { id: bob.id }, as(ann))).data.requestConnection;
    expect((await call(h, DECLINE, { id: req.id }, as(ann))).errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    expect((await call(h, DECLINE, { id: req.id }, as(bob))).data.declineConnection).toBe(true);
    expect((await call(h, REQUESTS, {}, as(bob))).data.myConnectionRequests.edges.map((e: any) => e.node)).toEqual([]);

    const again = (await call(h, REQUEST, { id: bob.id }, as(ann))).data.requestConnection;
    // Bob cannot "remove" a request he was sent (he declines it), Ann can withdraw hers.
    expect((await call(h, REMOVE, { id: ann.id }, as(bob))).errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    expect((await call(h, REMOVE, { id: bob.id }, as(ann))).data.removeConnection).toBe(true);

    await connect(ann, bob);
    expect((await call(h, REMOVE, { id: ann.id }, as(bob))).data.removeConnection).toBe(true);
    expect((await call(h, MINE, {}, as(ann))).data.myConnections.edges.map((e: any) => e.node)).toEqual([]);
    expect((await call(h, REMOVE, { id: ann.id }, as(bob))).errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');

    const types = (await outboxEvents(h, ann.id)).map((e) => e.type);
    expect(types).toEqual([
      'accounts.user.registered',
      'accounts.connection.requested',
      'accounts.connection.declined',
      'accounts.connection.requested',
      'accounts.connection.removed',
      'accounts.connection.requested',
      'accounts.connection.accepted',
      'accounts.connection.removed',
    ]);
    const removed = (await outboxEvents(h, ann.id)).filter((e) => e.type === 'accounts.connection.removed');
    expect(removed[0]?.payload).toMatchObject({ connectionId: again.id, removedBy: ann.id });
  });

  it('refuses connecting to oneself or to nobody', async () => {
    const ann = await verifiedUser(h);
    expect((await call(h, REQUEST, { id: ann.id }, as(ann))).errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect((await call(h, REQUEST, { id: '00000000-0000-4000-8000-000000000000' }, as(ann))).errors?.[0]?.extensions?.['code']).toBe(
      'NOT_FOUND',
    );
    expect((await call(h, REQUEST, { id: ann.id })).errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });

  it('finds mutual connections', async () => {
    const [me, you, both, onlyMine] = [await verifiedUser(h), await verifiedUser(h), await verifiedUser(h), await verifiedUser(h)];
    await connect(me, both);
    await connect(you, both);
    await connect(me, onlyMine);
    expect((await call(h, MUTUAL, { id: you.id }, as(me))).data.mutualConnections.edges.map((e: any) => e.node)).toEqual([{ id: both.id }]);
  });

  it('follows sellers and agents only, counts followers, and unfollows', async () => {
    const fan = await verifiedUser(h, { role: 'BUYER' });
    const seller = await verifiedUser(h, { role: 'SELLER' });
    const buyer = await verifiedUser(h, { role: 'BUYER' });
    expect((await call(h, FOLLOW, { id: seller.id }, as(fan))).data.follow).toEqual({ id: seller.id, followerCount: 1 });
    expect((await call(h, FOLLOW, { id: seller.id }, as(fan))).data.follow.followerCount).toBe(1);
    expect((await call(h, FOLLOW, { id: buyer.id }, as(fan))).errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect((await call(h, FOLLOW, { id: fan.id }, as(fan))).errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(
      (await call(h, `{ myFollowing { edges { node { id } } } }`, {}, as(fan))).data.myFollowing.edges.map((e: any) => e.node),
    ).toEqual([{ id: seller.id }]);
    expect(
      (await call(h, `{ myFollowers { edges { node { id } } } }`, {}, as(seller))).data.myFollowers.edges.map((e: any) => e.node),
    ).toEqual([{ id: fan.id }]);

    expect((await call(h, UNFOLLOW, { id: seller.id }, as(fan))).data.unfollow).toBe(true);
    expect((await call(h, `query($id: ID!) { user(id: $id) { followerCount } }`, { id: seller.id })).data.user.followerCount).toBe(0);
    const follows = (await outboxEvents(h, fan.id)).filter((e) => e.type.startsWith('accounts.user.') && e.type.endsWith('followed'));
    expect(follows).toEqual([
      { type: 'accounts.user.followed', payload: { followerId: fan.id, followeeId: seller.id } },
      { type: 'accounts.user.unfollowed', payload: { followerId: fan.id, followeeId: seller.id } },
    ]);
  });

  it('counts followers of 30 users with one query', async () => {
    const sellers: TestUser[] = [];
    for (let i = 0; i < 3; i++) sellers.push(await verifiedUser(h, { role: 'AGENT' }));
    const representations = Array.from({ length: 30 }, (_, i) => ({ __typename: 'User', id: sellers[i % 3]!.id }));
    h.queries.length = 0;
    const res = await call(h, `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { followerCount } } }`, {
      r: representations,
    });
    expect(res.errors).toBeUndefined();
    expect(h.queries.filter((q) => /follows/.test(q))).toHaveLength(1);
  });
});
