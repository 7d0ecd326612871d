import type { Identity } from '@market/platform';
import { ConversationService } from './conversation-service';
import { NotificationService, welcomeNotification } from './notification-service';
import type { ConversationRepository } from '../repositories/conversation-repository';
import type { MessageRepository } from '../repositories/message-repository';
import type { NotificationRepository } from '../repositories/notification-repository';

/** Repositories that fail the test if the service reaches them: validation must come first. */
const untouchable = <T extends object>() =>
  new Proxy({} as T, {
    get: (_t, prop) => () => {
      throw new Error(`repository.${String(prop)} must not be called`);
    },
  });

const me: Identity = { userId: '0b6f2b9e-7d7a-4c84-9a8e-2f1d8b3c4e5f', role: 'BUYER', sessionId: 's' };
const conversations = new ConversationService(untouchable<ConversationRepository>(), untouchable<MessageRepository>());
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
    expect(conversations.messagePage({})).toEqual({ last: 50, before: null });
    expect(conversations.messagePage({ last: 200 })).toEqual({ last: 200, before: null });
    expect(await codeOf(() => conversations.messagePage({ last: 201 }))).toBe('BAD_USER_INPUT');
    expect(await codeOf(() => conversations.messagePage({ last: 0 }))).toBe('BAD_USER_INPUT');
  });
});

describe('NotificationService rules', () => {
  it('lets only the recipient list notifications, admins included', async () => {
    expect(await codeOf(() => notifications.assertRecipient(me, me.userId.toUpperCase()))).toBe('no error');
    expect(await codeOf(() => notifications.assertRecipient({ ...me, role: 'ADMIN', userId: 'other' }, me.userId))).toBe('FORBIDDEN');
  });

  it('welcomes a user with a notification deduplicated per user', () => {
    const welcome = welcomeNotification({ userId: me.userId, name: 'Ana', role: 'BUYER' });
    expect(welcome).toMatchObject({ recipientId: me.userId, kind: 'WELCOME', title: 'Welcome, Ana!', dedupeKey: `welcome:${me.userId}` });
  });
});
