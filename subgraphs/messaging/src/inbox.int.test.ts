import { randomUUID } from 'node:crypto';
import { InProcessEventBus, createLogger, type EventEnvelope, type EventPayload, type Identity } from '@market/platform';
import { DELETED_MESSAGE_BODY, MAX_PARTICIPANTS } from './domain';
import { START, codeOf, known, sendMessage, someone, startConversation, startMessaging, until, type Messaging } from './testing/harness';

let m: Messaging;
let bus: InProcessEventBus;
beforeAll(async () => {
  bus = new InProcessEventBus(createLogger('bus', 'silent'), { attempts: 2, initialDelayMs: 10, maxDelayMs: 20 });
  // Small, quick broadcast batches so the paced fan-out is visible in a test.
  m = await startMessaging({ bus, env: { BROADCAST_BATCH_SIZE: '2', BROADCAST_INTERVAL_MS: '50' } });
});
afterAll(async () => {
  await m?.close();
  await bus?.close();
});

function event<T extends EventEnvelope['type']>(type: T, aggregateId: string, payload: EventPayload<T>): EventEnvelope<T> {
  return { id: randomUUID(), type, version: 1, aggregateId, occurredAt: new Date().toISOString(), payload };
}

async function deliver(...events: EventEnvelope[]): Promise<void> {
  await bus.publish(events);
  await bus.drain();
}

type Data = Record<string, any>;

async function ok(as: Identity, query: string, variables?: Record<string, unknown>): Promise<Data> {
  const res = await m.call<Data>(as, query, variables);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data as Data;
}

const START_FULL = /* GraphQL */ `
  mutation Start($input: StartConversationInput!) {
    startConversation(input: $input) {
      __typename
      ... on Conversation {
        id
        title
        isGroup
        creator {
          id
        }
        context {
          kind
          id
        }
        participants {
          id
        }
      }
      ... on ParticipantsUnavailable {
        userIds
      }
    }
  }
`;

describe('participants are checked against the users accounts announced', () => {
  it('refuses unknown, deleted and blocked users as ParticipantsUnavailable, creating nothing', async () => {
    const [ana, ben] = [someone(), someone()];
    await known(m, ana);
    const unknown = await ok(ana, START_FULL, { input: { participantIds: [ben.userId], body: 'hi' } });
    expect(unknown['startConversation']).toEqual({ __typename: 'ParticipantsUnavailable', userIds: [ben.userId] });
    expect(await m.db.conversationParticipant.count({ where: { userId: ana.userId } })).toBe(0);

    // accounts announces Ben: now he can be written to.
    await deliver(event('accounts.user.registered', ben.userId, { userId: ben.userId, name: 'Ben', role: 'BUYER' }));
    const started = await ok(ana, START_FULL, { input: { participantIds: [ben.userId] } });
    expect(started['startConversation']).toMatchObject({ __typename: 'Conversation', isGroup: false, creator: { id: ana.userId } });

    // Blocking works both ways for new conversations.
    const cem = someone();
    await known(m, cem);
    await ok(cem, `mutation($u: ID!) { blockUser(userId: $u) }`, { u: ana.userId });
    expect((await ok(ana, START_FULL, { input: { participantIds: [cem.userId] } }))['startConversation']).toEqual({
      __typename: 'ParticipantsUnavailable',
      userIds: [cem.userId],
    });
    await deliver(event('accounts.user.deleted', ben.userId, { userId: ben.userId }));
    const dan = someone();
    await known(m, dan);
    expect((await ok(ana, START_FULL, { input: { participantIds: [ben.userId, dan.userId] } }))['startConversation']).toEqual({
      __typename: 'ParticipantsUnavailable',
      userIds: [ben.userId],
    });
  });
});

describe('groups', () => {
  it('have a title and context; the creator adds (up to the limit) and removes; members leave and mute', async () => {
    const [ana, ben, cem, dan] = [someone(), someone(), someone(), someone()];
    await known(m, ana, ben, cem, dan);
    const listingId = randomUUID();
    const group = (
      await ok(ana, START_FULL, {
        input: { participantIds: [ben.userId], title: 'Flat viewing', context: { kind: 'LISTING', id: listingId } },
      })
    )['startConversation'];
    expect(group).toMatchObject({ isGroup: true, title: 'Flat viewing', context: { kind: 'LISTING', id: listingId } });

    const ADD = `mutation($c: ID!, $u: [ID!]!) { addParticipants(conversationId: $c, userIds: $u) {
      __typename ... on Conversation { id } ... on ConversationFull { limit } ... on ParticipantsUnavailable { userIds } } }`;
    expect(codeOf(await m.call(ben, ADD, { c: group.id, u: [cem.userId] }))).toBe('FORBIDDEN');
    expect((await ok(ana, ADD, { c: group.id, u: [cem.userId, dan.userId] }))['addParticipants']['__typename']).toBe('Conversation');
    const many = Array.from({ length: MAX_PARTICIPANTS }, () => someone());
    await known(m, ...many);
    expect((await ok(ana, ADD, { c: group.id, u: many.map((u) => u.userId) }))['addParticipants']).toEqual({
      __typename: 'ConversationFull',
      limit: MAX_PARTICIPANTS,
    });

    expect(
      await ok(ana, `mutation($c: ID!, $u: ID!) { removeParticipant(conversationId: $c, userId: $u) }`, { c: group.id, u: dan.userId }),
    ).toEqual({ removeParticipant: true });
    expect((await m.call<Data>(dan, `query($c: ID!) { conversation(id: $c) { id } }`, { c: group.id })).data?.['conversation']).toBeNull();
    await ok(cem, `mutation($c: ID!) { leaveConversation(conversationId: $c) }`, { c: group.id });
    expect(codeOf(await m.call(cem, `mutation($c: ID!) { sendMessage(conversationId: $c, body: "x") { id } }`, { c: group.id }))).toBe(
      'FORBIDDEN',
    );
    const muted = await ok(ben, `mutation($c: ID!) { muteConversation(conversationId: $c, muted: true) { mutedByMe } }`, { c: group.id });
    expect(muted['muteConversation']).toEqual({ mutedByMe: true });
    const members = await ok(ana, `query($c: ID!) { conversation(id: $c) { participants { id } } }`, { c: group.id });
    expect(members['conversation'].participants.map((p: { id: string }) => p.id).sort()).toEqual([ana.userId, ben.userId].sort());
  });
});

describe('messages', () => {
  it('are edited and deleted (a tombstone) by their sender only; pages go both ways with one cursor; search finds words', async () => {
    const [ana, ben] = [someone(), someone()];
    const c = await startConversation(m, ana, [ben]);
    const sent = [];
    for (const body of ['the blue house', 'a red door', 'blue shutters too', 'see you at noon', 'ok'])
      sent.push(await sendMessage(m, ana, c.id, body));
    const EDIT = `mutation($id: ID!, $b: String!) { editMessage(messageId: $id, body: $b) { __typename ... on Message { body editedAt } ... on MessageDeleted { messageId } } }`;
    expect(codeOf(await m.call(ben, EDIT, { id: sent[1]!.id, b: 'mine now' }))).toBe('FORBIDDEN');
    expect((await ok(ana, EDIT, { id: sent[1]!.id, b: 'a green door' }))['editMessage']).toMatchObject({
      __typename: 'Message',
      body: 'a green door',
      editedAt: expect.any(String),
    });
    const deleted = await ok(ana, `mutation($id: ID!) { deleteMessage(messageId: $id) { body deletedAt } }`, { id: sent[3]!.id });
    expect(deleted['deleteMessage']).toMatchObject({ body: DELETED_MESSAGE_BODY, deletedAt: expect.any(String) });
    expect((await ok(ana, EDIT, { id: sent[3]!.id, b: 'back' }))['editMessage']).toEqual({
      __typename: 'MessageDeleted',
      messageId: sent[3]!.id,
    });

    const PAGE = `query($c: ID!, $first: Int, $after: String, $last: Int, $before: String) { conversation(id: $c) {
      messagePage(first: $first, after: $after, last: $last, before: $before) { edges { cursor node { body } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`;
    const first = (await ok(ben, PAGE, { c: c.id, first: 2 }))['conversation'].messagePage;
    expect(first.edges.map((e: Data) => e.node.body)).toEqual(['the blue house', 'a green door']);
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const second = (await ok(ben, PAGE, { c: c.id, first: 2, after: first.pageInfo.endCursor }))['conversation'].messagePage;
    expect(second.edges.map((e: Data) => e.node.body)).toEqual(['blue shutters too', DELETED_MESSAGE_BODY]);
    expect(second.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const back = (await ok(ben, PAGE, { c: c.id, last: 2, before: second.pageInfo.startCursor }))['conversation'].messagePage;
    expect(back.edges.map((e: Data) => e.node.body)).toEqual(['the blue house', 'a green door']);
    expect(back.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });

    const found = await ok(ben, `query($c: ID!) { conversation(id: $c) { search(query: "blue") { body } } }`, { c: c.id });
    expect(found['conversation'].search.map((x: Data) => x.body)).toEqual(['blue shutters too', 'the blue house']);
    expect(
      (await ok(ben, `query($c: ID!) { conversation(id: $c) { search(query: "noon") { body } } }`, { c: c.id }))['conversation'].search,
    ).toEqual([]);
  });

  it('from someone you blocked are hidden from you', async () => {
    const [ana, ben] = [someone(), someone()];
    const c = await startConversation(m, ana, [ben], 'before the block');
    await ok(ben, `mutation($u: ID!) { blockUser(userId: $u) }`, { u: ana.userId });
    await sendMessage(m, ana, c.id, 'after the block');
    const seen = await ok(ben, `query($c: ID!) { conversation(id: $c) { unreadCount messages { body } } }`, { c: c.id });
    expect(seen['conversation']).toEqual({ unreadCount: 0, messages: [] });
    expect((await ok(ben, `{ myBlockedUsers { id } }`))['myBlockedUsers']).toEqual([{ id: ana.userId }]);
    await ok(ben, `mutation($u: ID!) { unblockUser(userId: $u) }`, { u: ana.userId });
    expect(
      (await ok(ben, `query($c: ID!) { conversation(id: $c) { messages { body } } }`, { c: c.id }))['conversation'].messages,
    ).toHaveLength(2);
  });
});

describe('read state and the inbox stream', () => {
  it('counts unread messages, marks them read with receipts, and streams every change with catch-up', async () => {
    const [ana, ben] = [someone(), someone()];
    const c = await startConversation(m, ana, [ben]);
    const inbox = m.subscribe<{ inboxUpdated: Data }>(
      ben,
      `subscription { inboxUpdated { kind conversationId actor { id } message { id body } unreadCount totalUnread cursor } }`,
    );
    await until(() => m.pubsub.channels().some((ch) => ch.includes(ben.userId)));
    const one = await sendMessage(m, ana, c.id, 'one');
    const two = await sendMessage(m, ana, c.id, 'two');
    await until(() => inbox.events.length >= 2);
    expect(inbox.events.map((e) => [e.inboxUpdated['kind'], e.inboxUpdated['message'].body])).toEqual([
      ['MESSAGE_ADDED', 'one'],
      ['MESSAGE_ADDED', 'two'],
    ]);
    expect(inbox.events[1]!.inboxUpdated['totalUnread']).toBe(2);

    const UNREAD = `query($c: ID!, $reps: [_Any!]!) { conversation(id: $c) { unreadCount readReceipts { user { id } upTo at } }
      _entities(representations: $reps) { ... on User { unreadMessages } } }`;
    const reps = [{ __typename: 'User', id: ben.userId }];
    expect(await ok(ben, UNREAD, { c: c.id, reps })).toMatchObject({
      conversation: { unreadCount: 2 },
      _entities: [{ unreadMessages: 2 }],
    });

    const cursorOfOne = (await ok(ben, `query($c: ID!) { conversation(id: $c) { messages { id cursor } } }`, { c: c.id }))['conversation']
      .messages[0].cursor;
    await ok(ben, `mutation($c: ID!, $u: String) { markConversationRead(conversationId: $c, upTo: $u) { unreadCount } }`, {
      c: c.id,
      u: cursorOfOne,
    });
    expect(await ok(ben, UNREAD, { c: c.id, reps })).toMatchObject({
      conversation: { unreadCount: 1 },
      _entities: [{ unreadMessages: 1 }],
    });
    // Ana sees Ben's receipt.
    const receipts = (await ok(ana, UNREAD, { c: c.id, reps: [] }))['conversation'].readReceipts;
    expect(receipts).toEqual([{ user: { id: ben.userId }, upTo: cursorOfOne, at: expect.any(String) }]);
    // The marker never moves back.
    await ok(ben, `mutation($c: ID!) { markConversationRead(conversationId: $c) { id } }`, { c: c.id });
    await ok(ben, `mutation($c: ID!, $u: String) { markConversationRead(conversationId: $c, upTo: $u) { id } }`, { c: c.id, u: one.id });
    expect((await ok(ben, UNREAD, { c: c.id, reps }))['conversation'].unreadCount).toBe(0);

    await ok(ana, `mutation($id: ID!) { editMessage(messageId: $id, body: "two!") { __typename } }`, { id: two.id });
    await ok(ana, `mutation($id: ID!) { deleteMessage(messageId: $id) { id } }`, { id: one.id });
    await until(() => inbox.events.length >= 6);
    expect(inbox.events.map((e) => e.inboxUpdated['kind'])).toEqual([
      'MESSAGE_ADDED',
      'MESSAGE_ADDED',
      'READ',
      'READ',
      'MESSAGE_EDITED',
      'MESSAGE_DELETED',
    ]);
    expect(inbox.events[3]!.inboxUpdated).toMatchObject({ actor: { id: ben.userId }, unreadCount: 0, totalUnread: 0 });

    // Catching up from the second event returns the rest, in order, with the same cursors.
    const caughtUp = await ok(ben, `query($a: String) { inboxUpdates(after: $a) { kind cursor } }`, {
      a: inbox.events[1]!.inboxUpdated['cursor'],
    });
    expect(caughtUp['inboxUpdates'].map((u: Data) => u.cursor)).toEqual(inbox.events.slice(2).map((e) => e.inboxUpdated['cursor']));
    expect(codeOf(await m.call(ben, `{ inboxUpdates(after: "nope") { kind } }`))).toBe('BAD_USER_INPUT');
    inbox.unsubscribe();
  });
});

describe('notifications', () => {
  const MINE = `{ unreadNotificationCount myNotifications(unreadOnly: true) { kind title body count conversation { id } } }`;

  it('sends one MESSAGE notification per conversation until read, none to a reader, none for a muted conversation', async () => {
    const [ana, ben, cem] = [{ ...someone(), name: 'Ana' }, someone(), someone()];
    const c = await startConversation(m, ana, [ben]);
    await sendMessage(m, ana, c.id, 'first');
    await sendMessage(m, ana, c.id, 'second');
    await until(
      async () => (await m.db.notification.findFirst({ where: { recipientId: ben.userId, kind: 'MESSAGE', count: 2 } })) !== null,
    );
    expect(await ok(ben, MINE)).toEqual({
      unreadNotificationCount: 1,
      myNotifications: [{ kind: 'MESSAGE', title: 'New message from Ana', body: 'second', count: 2, conversation: { id: c.id } }],
    });
    // Reading the conversation reads its notification; the next message makes a new one.
    await ok(ben, `mutation($c: ID!) { markConversationRead(conversationId: $c) { id } }`, { c: c.id });
    expect((await ok(ben, MINE))['unreadNotificationCount']).toBe(0);
    await sendMessage(m, ana, c.id, 'third');
    await until(async () => (await ok(ben, MINE))['unreadNotificationCount'] === 1);

    // Someone with the thread open (messageAdded) is reading it: nothing for them.
    const d = await startConversation(m, ana, [cem]);
    const open = m.subscribe(cem, `subscription($c: ID!) { messageAdded(conversationId: $c) { id } }`, { c: d.id });
    await until(async () => (await m.db.conversationReader.count({ where: { userId: cem.userId } })) === 1);
    await sendMessage(m, ana, d.id, 'are you there?');
    await until(() => open.events.length === 1);
    // The notification is decided off the send path: keep the thread open until its event was handled
    // (counted by this conversation's own events: the database is shared with other test files).
    const handledIn = async (conversationId: string) => {
      const events = await m.db.outboxEvent.findMany({
        where: { aggregateId: conversationId, type: 'messaging.message.sent' },
        select: { id: true },
      });
      return m.db.inboxEvent.count({ where: { consumer: 'messaging.message-notifications', eventId: { in: events.map((e) => e.id) } } });
    };
    await until(async () => (await handledIn(d.id)) === 1);
    open.unsubscribe();
    await until(async () => (await m.db.conversationReader.count({ where: { userId: cem.userId } })) === 0);
    await ok(cem, `mutation($c: ID!) { muteConversation(conversationId: $c, muted: true) { id } }`, { c: d.id });
    await sendMessage(m, ana, d.id, 'muted now');
    // Both of this conversation's events were handled.
    await until(async () => (await handledIn(d.id)) === 2);
    await bus.drain();
    expect((await ok(cem, MINE))['unreadNotificationCount']).toBe(0);

    expect(await ok(ben, `mutation { markAllNotificationsRead }`)).toEqual({ markAllNotificationsRead: 1 });
    expect((await ok(ben, MINE))['unreadNotificationCount']).toBe(0);
  });

  it('tells authors of moderation decisions, by e-mail too (the dev outbox when no SMTP server is set)', async () => {
    const author = someone();
    await m.db.knownUser.create({
      data: { userId: author.userId, name: 'Author', role: 'BUYER', email: 'author@example.test', lastEventAt: new Date() },
    });
    const decided = event('engagement.moderation.decided', randomUUID(), {
      targetType: 'POST',
      targetId: randomUUID(),
      postId: randomUUID(),
      authorId: author.userId,
      caseId: randomUUID(),
      status: 'HELD',
      decidedBy: 'MODERATOR',
      adminId: null,
      reasons: ['links to unknown sites'],
    });
    await deliver(decided, decided);
    const mine = (await ok(author, MINE))['myNotifications'];
    expect(mine).toEqual([expect.objectContaining({ kind: 'MODERATION', title: 'Your post is held for review', count: 1 })]);
    expect(mine[0].body).toContain('links to unknown sites');
    const OUTBOX = `{ devNotificationOutbox { channel recipient subject body } }`;
    await until(async () => (await ok(author, OUTBOX))['devNotificationOutbox'].length === 1, 10_000);
    expect((await ok(author, OUTBOX))['devNotificationOutbox'][0]).toMatchObject({
      channel: 'EMAIL',
      recipient: 'author@example.test',
      subject: 'Your post is held for review',
      body: expect.stringContaining('Unsubscribe: http://localhost:3000/unsubscribe?token='),
    });
  });

  it('lets admins announce to a user, a role or everyone, in paced batches', async () => {
    const admin = someone('ADMIN');
    const hosts = [someone('HOST'), someone('HOST'), someone('HOST')];
    const SEND = `mutation($i: SendNotificationInput!) { sendNotification(input: $i) { __typename ... on Broadcast { id sentCount finishedAt } ... on RecipientUnknown { userId } } }`;
    expect(codeOf(await m.call(hosts[0]!, SEND, { i: { audience: 'EVERYONE', title: 't', body: 'b' } }))).toBe('FORBIDDEN');
    const nobody = someone();
    expect((await ok(admin, SEND, { i: { audience: 'USER', userId: nobody.userId, title: 't', body: 'b' } }))['sendNotification']).toEqual({
      __typename: 'RecipientUnknown',
      userId: nobody.userId,
    });
    expect(codeOf(await m.call(admin, SEND, { i: { audience: 'ROLE', title: 't', body: 'b' } }))).toBe('BAD_USER_INPUT');

    await known(m, ...hosts);
    const sent = (await ok(admin, SEND, { i: { audience: 'ROLE', role: 'HOST', title: 'Hosts: new fees', body: 'From January.' } }))[
      'sendNotification'
    ];
    const BROADCAST = `query($id: ID!) { broadcast(id: $id) { sentCount finishedAt } }`;
    await until(async () => (await ok(admin, BROADCAST, { id: sent.id }))['broadcast'].finishedAt !== null, 10_000);
    // Every HOST known (other tests' hosts too) got it once, in batches of 2.
    const got = await m.db.notification.count({ where: { title: 'Hosts: new fees' } });
    expect((await ok(admin, BROADCAST, { id: sent.id }))['broadcast'].sentCount).toBe(got);
    for (const host of hosts)
      expect((await ok(host, MINE))['myNotifications']).toEqual([expect.objectContaining({ kind: 'SYSTEM', title: 'Hosts: new fees' })]);
    expect(await m.db.notification.count({ where: { title: 'Hosts: new fees', recipientId: admin.userId } })).toBe(0);
  });
});

it('START still answers the old shape through the union', async () => {
  const [ana, ben] = [someone(), someone()];
  await known(m, ana, ben);
  expect((await ok(ana, START, { input: { participantIds: [ben.userId] } }))['startConversation']).toMatchObject({
    __typename: 'Conversation',
  });
});
