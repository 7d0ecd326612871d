import { MAX_BODY } from './domain';
import {
  SEND,
  START,
  codeOf,
  sendMessage,
  someone,
  startConversation,
  startMessaging,
  type Messaging,
  type SentMessage,
} from './testing/harness';

let m: Messaging;
beforeAll(async () => {
  m = await startMessaging();
});
afterAll(async () => {
  await m?.close();
});

const CONVERSATION = /* GraphQL */ `
  query Conversation($id: ID!, $last: Int, $before: String) {
    conversation(id: $id) {
      id
      lastMessageAt
      participants {
        id
      }
      messages(last: $last, before: $before) {
        id
        body
        sender {
          id
        }
        createdAt
      }
    }
  }
`;

interface ConversationView {
  id: string;
  lastMessageAt: string | null;
  participants: { id: string }[];
  messages: { id: string; body: string; sender: { id: string }; createdAt: string }[];
}

const ENTITIES = /* GraphQL */ `
  query Entities($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Conversation {
        id
        messages {
          id
          body
        }
      }
      ... on Message {
        id
        body
        conversation {
          id
        }
      }
      ... on User {
        id
        conversations {
          id
          lastMessageAt
          participants {
            id
          }
        }
      }
    }
  }
`;

describe('starting conversations and sending messages', () => {
  it('persists a conversation, its first message and later messages, readable by every participant', async () => {
    const [ana, ben, cem] = [someone(), someone(), someone()];
    const started = await startConversation(m, ana, [ben, cem], '  Hello both!  ');
    expect(started.participants.map((p) => p.id).sort()).toEqual([ana, ben, cem].map((u) => u.userId).sort());
    expect(started.lastMessageAt).not.toBeNull();

    const reply = await sendMessage(m, cem, started.id, 'Hi Ana');
    expect(reply).toMatchObject({ body: 'Hi Ana', sender: { id: cem.userId }, conversation: { id: started.id } });

    const seenByBen = await m.call<{ conversation: ConversationView }>(ben, CONVERSATION, { id: started.id });
    expect(seenByBen.errors).toBeUndefined();
    expect(seenByBen.data?.conversation.messages.map((x) => [x.sender.id, x.body])).toEqual([
      [ana.userId, 'Hello both!'],
      [cem.userId, 'Hi Ana'],
    ]);
    expect(seenByBen.data?.conversation.lastMessageAt).toBe(reply.createdAt);
  });

  it("lists a user's conversations most recent activity first, for themselves and admins only", async () => {
    const [ana, ben, cem] = [someone(), someone(), someone()];
    const older = await startConversation(m, ana, [ben], 'first');
    const newer = await startConversation(m, ana, [cem]);
    const rep = [{ __typename: 'User', id: ana.userId }];
    const mine = await m.call<{ _entities: { conversations: { id: string }[] }[] }>(ana, ENTITIES, { representations: rep });
    expect(mine.data?._entities[0]?.conversations.map((c) => c.id)).toEqual([newer.id, older.id]);

    await sendMessage(m, ben, older.id, 'bump');
    const afterBump = await m.call<{ _entities: { conversations: { id: string }[] }[] }>(ana, ENTITIES, { representations: rep });
    expect(afterBump.data?._entities[0]?.conversations.map((c) => c.id)).toEqual([older.id, newer.id]);

    const asAdmin = await m.call<{ _entities: { conversations: { id: string }[] }[] }>(someone('ADMIN'), ENTITIES, {
      representations: rep,
    });
    expect(asAdmin.data?._entities[0]?.conversations.map((c) => c.id)).toEqual([older.id, newer.id]);

    const asBen = await m.call<{ _entities: { conversations: unknown }[] }>(ben, ENTITIES, { representations: rep });
    expect(codeOf(asBen)).toBe('FORBIDDEN');
    expect(asBen.data?._entities[0]?.conversations).toBeNull();
  });

  it('returns the same 1:1 conversation however often and by whom it is started', async () => {
    const [ana, ben] = [someone(), someone()];
    const first = await startConversation(m, ana, [ben]);
    const again = await startConversation(m, ana, [ben, ana], 'still here?');
    const fromBen = await startConversation(m, ben, [ana], 'yes');
    expect(again.id).toBe(first.id);
    expect(fromBen.id).toBe(first.id);
    const view = await m.call<{ conversation: ConversationView }>(ana, CONVERSATION, { id: first.id });
    expect(view.data?.conversation.messages.map((x) => x.body)).toEqual(['still here?', 'yes']);
    expect(await m.db.conversation.count({ where: { participants: { some: { userId: ana.userId } } } })).toBe(1);
  });

  it('keeps one 1:1 conversation when both people start it at the same moment', async () => {
    const [ana, ben] = [someone(), someone()];
    const results = await Promise.all([
      startConversation(m, ana, [ben]),
      startConversation(m, ben, [ana]),
      startConversation(m, ana, [ben]),
      startConversation(m, ben, [ana]),
    ]);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(await m.db.conversation.count({ where: { participants: { some: { userId: ana.userId } } } })).toBe(1);
  });

  it('starts a new group conversation each time (only pairs are unique)', async () => {
    const [ana, ben, cem] = [someone(), someone(), someone()];
    const a = await startConversation(m, ana, [ben, cem]);
    const b = await startConversation(m, ana, [ben, cem]);
    expect(a.id).not.toBe(b.id);
  });
});

describe('bad input is refused with nothing written', () => {
  it.each([
    ['only yourself', (me: string) => ({ participantIds: [me] })],
    ['nobody', () => ({ participantIds: [] })],
    ['more than 20 people', () => ({ participantIds: Array.from({ length: 20 }, () => someone().userId) })],
    ['an id that is not a uuid', () => ({ participantIds: ['not-an-id'] })],
    ['a blank first message', () => ({ participantIds: [someone().userId], body: '   ' })],
    ['a first message over 4000 characters', () => ({ participantIds: [someone().userId], body: 'x'.repeat(MAX_BODY + 1) })],
  ])('startConversation with %s', async (_case, input) => {
    const me = someone();
    const res = await m.call(me, START, { input: input(me.userId) });
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.extensions?.['fields']).toBeDefined();
    expect(await m.db.conversationParticipant.count({ where: { userId: me.userId } })).toBe(0);
  });

  it.each([
    ['blank', ' \n\t '],
    ['too long', 'y'.repeat(MAX_BODY + 1)],
  ])('sendMessage with a %s body', async (_case, body) => {
    const [ana, ben] = [someone(), someone()];
    const c = await startConversation(m, ana, [ben]);
    const res = await m.call(ana, SEND, { conversationId: c.id, body });
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(await m.db.message.count({ where: { conversationId: c.id } })).toBe(0);
  });

  it('accepts a body of exactly 4000 characters after trimming', async () => {
    const [ana, ben] = [someone(), someone()];
    const c = await startConversation(m, ana, [ben]);
    const sent = await sendMessage(m, ana, c.id, `  ${'z'.repeat(MAX_BODY)}  `);
    expect(sent.body).toHaveLength(MAX_BODY);
  });

  it('sendMessage to an id that is not a uuid, or to no conversation', async () => {
    const ana = someone();
    expect(codeOf(await m.call(ana, SEND, { conversationId: 'nope', body: 'hi' }))).toBe('NOT_FOUND');
    expect(codeOf(await m.call(ana, SEND, { conversationId: someone().userId, body: 'hi' }))).toBe('NOT_FOUND');
  });

  it('refuses callers who are not signed in', async () => {
    const res = await m.call(null, CONVERSATION, { id: someone().userId });
    expect(codeOf(res)).toBe('UNAUTHENTICATED');
  });
});

describe('a conversation is private to its participants', () => {
  it('hides the conversation and its messages from a non-participant, on every path', async () => {
    const [ana, ben, eve] = [someone(), someone(), someone()];
    const c = await startConversation(m, ana, [ben], 'secret plans');
    const message = (await m.call<{ conversation: ConversationView }>(ana, CONVERSATION, { id: c.id })).data?.conversation.messages[0];
    expect(message).toBeDefined();

    const direct = await m.call<{ conversation: ConversationView | null }>(eve, CONVERSATION, { id: c.id });
    expect(direct.errors).toBeUndefined();
    expect(direct.data?.conversation).toBeNull();

    const entities = await m.call<{ _entities: unknown[] }>(eve, ENTITIES, {
      representations: [
        { __typename: 'Conversation', id: c.id },
        { __typename: 'Message', id: message?.id },
      ],
    });
    expect(entities.errors).toBeUndefined();
    expect(entities.data?._entities).toEqual([null, null]);
    expect(JSON.stringify(entities)).not.toContain('secret plans');

    const otherUsersList = await m.call(eve, ENTITIES, { representations: [{ __typename: 'User', id: ana.userId }] });
    expect(codeOf(otherUsersList)).toBe('FORBIDDEN');
    expect(JSON.stringify(otherUsersList)).not.toContain(c.id);
  });

  it('refuses a message from a non-participant with FORBIDDEN and writes nothing', async () => {
    const [ana, ben, eve] = [someone(), someone(), someone()];
    const c = await startConversation(m, ana, [ben], 'hello');
    const before = await m.db.conversation.findUniqueOrThrow({ where: { id: c.id } });
    const res = await m.call(eve, SEND, { conversationId: c.id, body: 'let me in' });
    expect(codeOf(res)).toBe('FORBIDDEN');
    expect(res.data).toBeNull();
    expect(await m.db.message.count({ where: { conversationId: c.id } })).toBe(1);
    const after = await m.db.conversation.findUniqueOrThrow({ where: { id: c.id } });
    expect(after.lastMessageAt).toEqual(before.lastMessageAt);
  });

  it('has the database refuse a message whose sender is not a participant, whatever the code does', async () => {
    const [ana, ben, eve] = [someone(), someone(), someone()];
    const c = await startConversation(m, ana, [ben]);
    await expect(
      m.db.message.create({ data: { conversationId: c.id, senderId: eve.userId, body: 'sneaked in', createdAt: new Date() } }),
    ).rejects.toThrow();
    expect(await m.db.message.count({ where: { conversationId: c.id } })).toBe(0);
  });

  it('lets an admin read any conversation but not write into one they are not in', async () => {
    const [ana, ben, admin] = [someone(), someone(), someone('ADMIN')];
    const c = await startConversation(m, ana, [ben], 'hello');
    const read = await m.call<{ conversation: ConversationView }>(admin, CONVERSATION, { id: c.id });
    expect(read.data?.conversation.messages.map((x) => x.body)).toEqual(['hello']);
    const write = await m.call(admin, SEND, { conversationId: c.id, body: 'admin here' });
    expect(codeOf(write)).toBe('FORBIDDEN');
  });
});

describe('message pages', () => {
  it('returns the newest page oldest first, and older pages with `before`', async () => {
    const [ana, ben] = [someone(), someone()];
    const c = await startConversation(m, ana, [ben]);
    const sent: SentMessage[] = [];
    for (let i = 1; i <= 7; i++) sent.push(await sendMessage(m, i % 2 ? ana : ben, c.id, `m${i}`));

    const page = async (last: number, before?: string) => {
      const res = await m.call<{ conversation: ConversationView }>(ben, CONVERSATION, { id: c.id, last, ...(before ? { before } : {}) });
      expect(res.errors).toBeUndefined();
      return res.data?.conversation.messages.map((x) => x.body) ?? [];
    };
    expect(await page(3)).toEqual(['m5', 'm6', 'm7']);
    expect(await page(3, sent[4]?.id)).toEqual(['m2', 'm3', 'm4']);
    expect(await page(3, sent[1]?.id)).toEqual(['m1']);
    expect(await page(3, sent[0]?.id)).toEqual([]);
    expect(await page(200)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);

    const times = sent.map((s) => Date.parse(s.createdAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(new Set(times).size).toBe(times.length);
  });

  it('gives messages sent at the same moment distinct, increasing times, so the cursor never skips one', async () => {
    const [ana, ben] = [someone(), someone()];
    const c = await startConversation(m, ana, [ben]);
    const sent = await Promise.all(Array.from({ length: 20 }, (_, i) => sendMessage(m, i % 2 ? ana : ben, c.id, `burst ${i}`)));
    const res = await m.call<{ conversation: ConversationView }>(ana, CONVERSATION, { id: c.id, last: 200 });
    const listed = res.data?.conversation.messages ?? [];
    expect(listed.map((x) => x.id).sort()).toEqual(sent.map((s) => s.id).sort());
    const times = listed.map((x) => Date.parse(x.createdAt));
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1] as number);
    expect(res.data?.conversation.lastMessageAt).toBe(listed.at(-1)?.createdAt);
    expect(Date.parse(listed[0]?.createdAt ?? '')).toBeGreaterThanOrEqual(Date.parse(c.createdAt));
  });

  it('gives nothing for a `before` from another conversation', async () => {
    const [ana, ben] = [someone(), someone()];
    const c = await startConversation(m, ana, [ben], 'here');
    const elsewhere = await startConversation(m, ana, [someone()], 'there');
    const other = (await m.call<{ conversation: ConversationView }>(ana, CONVERSATION, { id: elsewhere.id })).data?.conversation
      .messages[0];
    const res = await m.call<{ conversation: ConversationView }>(ana, CONVERSATION, { id: c.id, before: other?.id });
    expect(res.data?.conversation.messages).toEqual([]);
  });

  it.each([
    ['last: 0', { last: 0 }],
    ['last: 201', { last: 201 }],
    ['a before that is not an id', { before: 'yesterday' }],
  ])('refuses %s', async (_case, args) => {
    const [ana, ben] = [someone(), someone()];
    const c = await startConversation(m, ana, [ben], 'x');
    const res = await m.call(ana, CONVERSATION, { id: c.id, ...args });
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
  });
});
