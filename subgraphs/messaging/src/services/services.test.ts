import type { Identity } from '@market/platform';
import { ConversationService } from './conversation-service';
import { NotificationService, welcomeNotification } from './notification-service';
import type { ConversationRepository } from '../repositories/conversation-repository';
import type { MessageRepository } from '../repositories/message-repository';
import type { NotificationRepository } from '../repositories/notification-repository';
import { encodeCursor } from '../domain';
import type { LiveUpdates } from './live-updates';
import type { WriteLimits } from './rate-limits';
import { Throttle, TypingService } from './typing-service';
import { WatchService } from './watch-service';
import type { ListingWatchRepository } from '../repositories/listing-watch-repository';

/** Repositories (and limits) that fail the test if the service reaches them: validation must come first. */
const untouchable = <T extends object>() =>
  new Proxy({} as T, {
    get: (_t, prop) => () => {
      throw new Error(`repository.${String(prop)} must not be called`);
    },
  });

const me: Identity = { userId: '0b6f2b9e-7d7a-4c84-9a8e-2f1d8b3c4e5f', role: 'BUYER', sessionId: 's' };
const conversations = new ConversationService(
  untouchable<ConversationRepository>(),
  untouchable<MessageRepository>(),
  untouchable<LiveUpdates>(),
  untouchable<WriteLimits>(),
);
const notifications = new NotificationService(untouchable<NotificationRepository>());

const codeOf = async (p: Promise<unknown> | (() => unknown)) => {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    return (err as { extensions?: { code?: string } }).extensions?.code;
  }
  return 'no error';
};

describe('ConversationService input rules', () => {
  it('counts the caller once among the participants', async () => {
    expect(await codeOf(conversations.start(me, { participantIds: [me.userId, me.userId.toUpperCase()] }))).toBe('BAD_USER_INPUT');
  });

  it('refuses malformed ids and blank or oversized bodies before touching the database', async () => {
    expect(await codeOf(conversations.start(me, { participantIds: ['1'] }))).toBe('BAD_USER_INPUT');
    expect(await codeOf(conversations.send(me, { conversationId: me.userId, body: '  ' }))).toBe('BAD_USER_INPUT');
    expect(await codeOf(conversations.send(me, { conversationId: me.userId, body: 'a'.repeat(4001) }))).toBe('BAD_USER_INPUT');
  });

  it('cuts message pages of 1 to 200, 50 by default', async () => {
    expect(conversations.messagePage({})).toEqual({ direction: 'backward', last: 50, before: null });
    expect(conversations.messagePage({ last: 200 })).toEqual({ direction: 'backward', last: 200, before: null });
    expect(await codeOf(() => conversations.messagePage({ last: 201 }))).toBe('BAD_USER_INPUT');
    expect(await codeOf(() => conversations.messagePage({ last: 0 }))).toBe('BAD_USER_INPUT');
  });

  it('pages forward after a cursor it handed out, and refuses mixing directions or foreign cursors', async () => {
    const position = { createdAt: new Date('2026-11-22T10:00:00.123Z'), id: me.userId };
    expect(conversations.messagePage({ after: encodeCursor(position) })).toEqual({ direction: 'forward', first: 50, after: position });
    expect(conversations.messagePage({ first: 10 })).toEqual({ direction: 'forward', first: 10, after: null });
    expect(await codeOf(() => conversations.messagePage({ after: encodeCursor(position), last: 10 }))).toBe('BAD_USER_INPUT');
    expect(await codeOf(() => conversations.messagePage({ first: 5, before: me.userId }))).toBe('BAD_USER_INPUT');
    expect(await codeOf(() => conversations.messagePage({ after: 'bm90IGEgY3Vyc29y' }))).toBe('BAD_USER_INPUT');
    expect(await codeOf(() => conversations.messagePage({ after: me.userId }))).toBe('BAD_USER_INPUT');
    expect(await codeOf(() => conversations.messagePage({ after: encodeCursor(position), first: 201 }))).toBe('BAD_USER_INPUT');
  });
});

describe('typing', () => {
  it('lets one call per key through per window, and a released turn through again', () => {
    let now = 0;
    const throttle = new Throttle(2_000, () => now);
    expect(throttle.tryTake('a')).toBe(true);
    expect(throttle.tryTake('a')).toBe(false);
    expect(throttle.tryTake('b')).toBe(true);
    now = 1_999;
    expect(throttle.tryTake('a')).toBe(false);
    now = 2_000;
    expect(throttle.tryTake('a')).toBe(true);
    throttle.release('a');
    expect(throttle.tryTake('a')).toBe(true);
  });

  it('refuses a malformed conversation id without announcing anything', async () => {
    const typing = new TypingService(conversations, untouchable<LiveUpdates>());
    expect(await codeOf(typing.setTyping(me, 'nope'))).toBe('NOT_FOUND');
    // The refused call did not use up the turn.
    expect(await codeOf(typing.setTyping(me, 'nope'))).toBe('NOT_FOUND');
  });
});

describe('NotificationService rules', () => {
  it('lets only the recipient list notifications, admins included', async () => {
    expect(await codeOf(() => notifications.assertRecipient(me, me.userId.toUpperCase()))).toBe('no error');
    expect(await codeOf(() => notifications.assertRecipient({ ...me, role: 'ADMIN', userId: 'other' }, me.userId))).toBe('FORBIDDEN');
  });

  it('pages notifications after a cursor, and delivers a live one to its recipient only', async () => {
    const position = { createdAt: new Date('2026-11-22T10:00:00.000Z'), id: me.userId };
    expect(notifications.page({ after: encodeCursor(position) })).toEqual({ unreadOnly: false, first: 50, after: position });
    expect(await codeOf(() => notifications.page({ after: '!!' }))).toBe('BAD_USER_INPUT');
    const notification = {
      id: me.userId,
      recipientId: me.userId,
      kind: 'BOOKING' as const,
      title: 't',
      body: 'b',
      readAt: null,
      createdAt: new Date(),
    };
    expect(notifications.isRecipient({ ...me, userId: me.userId.toUpperCase() }, notification)).toBe(true);
    expect(notifications.isRecipient({ ...me, userId: 'f3c1a2b4-1111-4a2b-8c3d-9e8f7a6b5c4d', role: 'ADMIN' }, notification)).toBe(false);
    expect(notifications.isRecipient(null, notification)).toBe(false);
  });

  it('welcomes a user with a notification deduplicated per user', () => {
    const welcome = welcomeNotification({ userId: me.userId, name: 'Ana', role: 'BUYER' });
    expect(welcome).toMatchObject({ recipientId: me.userId, kind: 'WELCOME', title: 'Welcome, Ana!', dedupeKey: `welcome:${me.userId}` });
  });
});

describe('WatchService input rules', () => {
  const watches = new WatchService(untouchable<ListingWatchRepository>(), untouchable<WriteLimits>());

  it('refuses malformed listing ids and page sizes before touching the database', async () => {
    // A string that is not an id names nothing: NOT_FOUND, like an unknown id (gateway/CLIENTS.md).
    expect(await codeOf(watches.watch(me, 'listing-1'))).toBe('NOT_FOUND');
    expect(await codeOf(watches.unwatch(me, ''))).toBe('NOT_FOUND');
    expect(await codeOf(watches.watchedListings(me, 0))).toBe('BAD_USER_INPUT');
    expect(await codeOf(watches.watchedListings(me, 501))).toBe('BAD_USER_INPUT');
  });

  it('answers a signed-out caller that they watch nothing, without a query', async () => {
    expect(await watches.watchedAmong(null, [me.userId])).toEqual([]);
  });
});
