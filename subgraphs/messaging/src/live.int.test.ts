import { randomUUID } from 'node:crypto';
import type { EventEnvelope, Identity } from '@market/platform';
import { messageAddedTopic, notificationAddedTopic, typingTopic } from './live/topics';
import { NotificationRepository } from './repositories/notification-repository';
import { codeOf, sendMessage, someone, startConversation, useMessaging, until } from './testing/harness';

const { m, bus } = useMessaging();

const MESSAGE_ADDED = /* GraphQL */ `
  subscription ($conversationId: ID!) {
    messageAdded(conversationId: $conversationId) {
      id
      body
      cursor
      sender {
        id
      }
      conversation {
        id
      }
    }
  }
`;
const TYPING = /* GraphQL */ `
  subscription ($conversationId: ID!) {
    typing(conversationId: $conversationId) {
      conversationId
      user {
        id
      }
      at
    }
  }
`;
const NOTIFICATION_ADDED = /* GraphQL */ `
  subscription {
    notificationAdded {
      id
      kind
      title
      cursor
    }
  }
`;
const SET_TYPING = /* GraphQL */ `
  mutation ($conversationId: ID!) {
    setTyping(conversationId: $conversationId)
  }
`;
const MESSAGES_AFTER = /* GraphQL */ `
  query ($id: ID!, $after: String, $first: Int, $last: Int) {
    conversation(id: $id) {
      messages(after: $after, first: $first, last: $last) {
        id
        body
        cursor
      }
    }
  }
`;
const MY_NOTIFICATIONS = /* GraphQL */ `
  query ($after: String, $first: Int) {
    myNotifications(after: $after, first: $first) {
      id
      title
      cursor
      createdAt
    }
  }
`;

interface MessageView {
  id: string;
  body: string;
  cursor: string;
}

async function messagesAfter(as: Identity, id: string, variables: Record<string, unknown>): Promise<MessageView[]> {
  const res = await m().call<{ conversation: { messages: MessageView[] } }>(as, MESSAGES_AFTER, { id, ...variables });
  expect(res.errors).toBeUndefined();
  return res.data?.conversation.messages ?? [];
}

function registered(user: Identity, name: string): EventEnvelope<'accounts.user.registered'> {
  return {
    id: randomUUID(),
    type: 'accounts.user.registered',
    version: 1,
    aggregateId: user.userId,
    occurredAt: new Date().toISOString(),
    payload: { userId: user.userId, name, role: user.role },
  };
}

const listening = (channel: string) => until(() => m().pubsub.channels().includes(channel));

describe('messageAdded', () => {
  it('delivers every message of the conversation to its participants, with the cursor the catch-up query resumes from', async () => {
    const [ana, ben, eve] = [someone(), someone(), someone()];
    const c = await startConversation(m(), ana, [ben]);
    const forBen = m().subscribe<{ messageAdded: MessageView & { sender: { id: string } } }>(ben, MESSAGE_ADDED, { conversationId: c.id });
    await listening(messageAddedTopic.channel(c.id));
    const other = await startConversation(m(), ana, [eve]);

    const first = await sendMessage(m(), ana, c.id, 'hello');
    await sendMessage(m(), ana, other.id, 'not for ben');
    const second = await sendMessage(m(), ben, c.id, 'hi ana');
    await until(() => forBen.events.length >= 2);

    expect(forBen.events.map((e) => [e.messageAdded.id, e.messageAdded.body, e.messageAdded.sender.id])).toEqual([
      [first.id, 'hello', ana.userId],
      [second.id, 'hi ana', ben.userId],
    ]);
    // The live cursor is the one the query gives, and resumes exactly after its message.
    const stored = await messagesAfter(ben, c.id, { first: 10 });
    expect(stored.map((s) => s.cursor)).toEqual(forBen.events.map((e) => e.messageAdded.cursor));
    expect((await messagesAfter(ben, c.id, { after: forBen.events[0]!.messageAdded.cursor })).map((s) => s.id)).toEqual([second.id]);
    expect(forBen.errors).toEqual([]);
    forBen.unsubscribe();
  });

  it('checks every event against every subscriber in one query per delivery, not one per subscriber', async () => {
    const [ana, ben, cleo] = [someone(), someone(), someone()];
    const c = await startConversation(m(), ana, [ben, cleo]);
    const subs = Array.from({ length: 30 }, (_, i) =>
      m().subscribe<{ messageAdded: MessageView }>(i % 2 ? ben : cleo, MESSAGE_ADDED, { conversationId: c.id }),
    );
    await listening(messageAddedTopic.channel(c.id));
    // Every subscription is in place once a message reached them all.
    await until(async () => {
      await sendMessage(m(), ana, c.id, 'warm-up');
      return subs.every((s) => s.events.length > 0);
    });
    // Let the warm-up messages still in flight arrive: counts unchanged for 300 ms.
    for (let before = ''; ;) {
      await new Promise((r) => setTimeout(r, 300));
      const now = subs.map((s) => s.events.length).join(',');
      if (now === before) break;
      before = now;
    }
    const seen = subs.map((s) => s.events.length);

    const { statements } = await m().countQueries(async () => {
      await sendMessage(m(), ana, c.id, 'to all 30');
      await until(() => subs.every((s, i) => s.events.length === seen[i]! + 1));
    });
    expect(subs.every((s) => s.events.at(-1)?.messageAdded.body === 'to all 30')).toBe(true);
    // The participation checks (the unread counts for the inbox stream are computed once per message, not per subscriber).
    expect(
      statements.filter((sql) => sql.includes('conversation_participants') && sql.includes('unnest') && !sql.includes('count(')),
    ).toHaveLength(1);
    subs.forEach((s) => s.unsubscribe());
  });

  it('announces the first message of a newly started conversation', async () => {
    const [ana, ben] = [someone(), someone()];
    // A two-person conversation is reused: start it empty, subscribe, then start it again with a message.
    const c = await startConversation(m(), ana, [ben]);
    const forBen = m().subscribe<{ messageAdded: MessageView }>(ben, MESSAGE_ADDED, { conversationId: c.id });
    await listening(messageAddedTopic.channel(c.id));
    await startConversation(m(), ana, [ben], 'shall we?');
    await until(() => forBen.events.length >= 1);
    expect(forBen.events[0]?.messageAdded.body).toBe('shall we?');
    forBen.unsubscribe();
  });

  it('refuses a subscriber who does not take part (FORBIDDEN), an unknown conversation (NOT_FOUND) and anonymous callers', async () => {
    const [ana, ben, eve, admin] = [someone(), someone(), someone(), someone('ADMIN')];
    const c = await startConversation(m(), ana, [ben]);
    const subs = [
      m().subscribe(eve, MESSAGE_ADDED, { conversationId: c.id }),
      m().subscribe(admin, MESSAGE_ADDED, { conversationId: c.id }),
      m().subscribe(eve, TYPING, { conversationId: c.id }),
      m().subscribe(eve, MESSAGE_ADDED, { conversationId: randomUUID() }),
      m().subscribe(null, MESSAGE_ADDED, { conversationId: c.id }),
      m().subscribe(null, NOTIFICATION_ADDED),
    ];
    await until(() => subs.every((s) => s.done));
    await sendMessage(m(), ana, c.id, 'private');
    const codes = subs.map((s) => (s.errors[0] as { extensions?: { code?: string } } | undefined)?.extensions?.code);
    expect(codes).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED', 'UNAUTHENTICATED']);
    expect(subs.every((s) => s.events.length === 0)).toBe(true);
    expect(m().pubsub.channels()).not.toContain(messageAddedTopic.channel(c.id));
  });
});

describe('catching up on messages', () => {
  it('returns what came after a cursor, oldest first, page by page, and refuses mixed directions and foreign cursors', async () => {
    const [ana, ben, eve] = [someone(), someone(), someone()];
    const c = await startConversation(m(), ana, [ben]);
    const sent: string[] = [];
    for (let i = 0; i < 5; i++) sent.push((await sendMessage(m(), i % 2 ? ben : ana, c.id, `m${i}`)).id);
    const all = await messagesAfter(ana, c.id, {});
    expect(all.map((x) => x.id)).toEqual(sent);

    const page1 = await messagesAfter(ana, c.id, { after: all[1]!.cursor, first: 2 });
    const page2 = await messagesAfter(ana, c.id, { after: page1[1]!.cursor, first: 2 });
    expect([...page1, ...page2].map((x) => x.body)).toEqual(['m2', 'm3', 'm4']);
    expect(await messagesAfter(ana, c.id, { after: all[4]!.cursor })).toEqual([]);

    expect(codeOf(await m().call(ana, MESSAGES_AFTER, { id: c.id, after: all[1]!.cursor, last: 2 }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await m().call(ana, MESSAGES_AFTER, { id: c.id, after: 'not-a-cursor' }))).toBe('BAD_USER_INPUT');
    // An outsider learns nothing from a cursor: the conversation does not exist for them.
    expect((await m().call(eve, MESSAGES_AFTER, { id: c.id, after: all[0]!.cursor })).data).toEqual({ conversation: null });
  });
});

describe('typing', () => {
  it('tells the other participants, at most once per 2 s per person, and refuses outsiders like sendMessage', async () => {
    const [ana, ben, eve] = [someone(), someone(), someone()];
    const c = await startConversation(m(), ana, [ben]);
    const forBen = m().subscribe<{ typing: { conversationId: string; user: { id: string }; at: string } }>(ben, TYPING, {
      conversationId: c.id,
    });
    const forAna = m().subscribe(ana, TYPING, { conversationId: c.id });
    await until(() => m().pubsub.channels().includes(typingTopic.channel(c.id)));
    await new Promise((r) => setTimeout(r, 50));

    const calls = await Promise.all([1, 2, 3].map(() => m().call<{ setTyping: boolean }>(ana, SET_TYPING, { conversationId: c.id })));
    expect(calls.map((r) => r.data?.setTyping).sort()).toEqual([false, false, true]);
    await until(() => forBen.events.length >= 1);
    expect(forBen.events).toEqual([{ typing: { conversationId: c.id, user: { id: ana.userId }, at: expect.any(String) } }]);

    expect(codeOf(await m().call(eve, SET_TYPING, { conversationId: c.id }))).toBe('FORBIDDEN');
    expect(codeOf(await m().call(eve, SET_TYPING, { conversationId: randomUUID() }))).toBe('NOT_FOUND');
    expect(codeOf(await m().call(null, SET_TYPING, { conversationId: c.id }))).toBe('UNAUTHENTICATED');
    // Nothing is stored, and the typist does not hear themselves.
    await new Promise((r) => setTimeout(r, 100));
    expect(forAna.events).toEqual([]);
    expect(forBen.events).toHaveLength(1);
    forBen.unsubscribe();
    forAna.unsubscribe();
  });
});

describe('notificationAdded', () => {
  it('delivers the notifications an event creates to their recipient only, after the commit', async () => {
    const [ana, eve] = [someone(), someone()];
    const forAna = m().subscribe<{ notificationAdded: { id: string; kind: string; title: string; cursor: string } }>(
      ana,
      NOTIFICATION_ADDED,
    );
    const forEve = m().subscribe(eve, NOTIFICATION_ADDED);
    await listening(notificationAddedTopic.channel(ana.userId));
    await listening(notificationAddedTopic.channel(eve.userId));

    const event = registered(ana, 'Ana');
    await bus().publish([event, event]);
    await bus().drain();
    await until(() => forAna.events.length >= 1);
    await new Promise((r) => setTimeout(r, 100));

    // Once, although the event came twice; and already readable when it arrives.
    expect(forAna.events).toEqual([
      { notificationAdded: { id: expect.any(String), kind: 'WELCOME', title: 'Welcome, Ana!', cursor: expect.any(String) } },
    ]);
    const res = await m().call<{ myNotifications: { id: string; cursor: string }[] }>(ana, MY_NOTIFICATIONS, {});
    expect(res.data?.myNotifications.map((n) => n.cursor)).toEqual([forAna.events[0]!.notificationAdded.cursor]);
    expect(forEve.events).toEqual([]);
    forAna.unsubscribe();
    forEve.unsubscribe();
  });

  it('stamps notifications per recipient in commit order, so catching up after a cursor misses none', async () => {
    const ana = someone();
    const notify = (title: string, holdMs: number) =>
      m().db.$transaction(async (tx) => {
        const [stored] = await new NotificationRepository(tx).createAll([{ recipientId: ana.userId, kind: 'SYSTEM', title, body: 'b' }]);
        // Still uncommitted: a notification for the same recipient must wait, not slip in before it.
        await tx.$executeRaw`SELECT pg_sleep(${holdMs / 1000})`;
        return { ...stored!, committedAt: Date.now() };
      });
    const slow = notify('slow', 300);
    await new Promise((r) => setTimeout(r, 50));
    const fast = await notify('fast', 0);
    const first = await slow;
    expect(fast.committedAt).toBeGreaterThanOrEqual(first.committedAt);
    expect(fast.createdAt.getTime()).toBeGreaterThan(first.createdAt.getTime());

    type Row = { id: string; title: string; cursor: string };
    const list = async (variables: Record<string, unknown>) =>
      (await m().call<{ myNotifications: Row[] }>(ana, MY_NOTIFICATIONS, variables)).data?.myNotifications ?? [];
    const newestFirst = await list({});
    expect(newestFirst.map((n) => n.title)).toEqual(['fast', 'slow']);
    expect((await list({ after: newestFirst[1]!.cursor })).map((n) => n.title)).toEqual(['fast']);
    expect(await list({ after: newestFirst[0]!.cursor })).toEqual([]);
    expect(codeOf(await m().call(ana, MY_NOTIFICATIONS, { after: 'x' }))).toBe('BAD_USER_INPUT');
  });

  it('pages forward through many notifications, oldest first', async () => {
    const ana = someone();
    for (let i = 0; i < 7; i++) {
      await m().db.$transaction((tx) =>
        new NotificationRepository(tx).createAll([{ recipientId: ana.userId, kind: 'SYSTEM', title: `n${i}`, body: 'b' }]),
      );
    }
    type Row = { title: string; cursor: string };
    const page = async (after: string | null) =>
      (await m().call<{ myNotifications: Row[] }>(ana, MY_NOTIFICATIONS, { after, first: 3 })).data?.myNotifications ?? [];
    const newest = (await m().call<{ myNotifications: Row[] }>(ana, MY_NOTIFICATIONS, { first: 7 })).data?.myNotifications ?? [];
    const seen: string[] = [];
    let cursor = newest[newest.length - 1]!.cursor;
    for (;;) {
      const rows = await page(cursor);
      seen.push(...rows.map((r) => r.title));
      if (rows.length < 3) break;
      cursor = rows[rows.length - 1]!.cursor;
    }
    expect(seen).toEqual(['n1', 'n2', 'n3', 'n4', 'n5', 'n6']);
  });
});
