import { randomUUID } from 'node:crypto';
import type { EventEnvelope, Identity } from '@market/platform';
import { NOTIFICATIONS_CONSUMER } from './consumers/welcome';
import { codeOf, someone, useMessaging } from './testing/harness';

const { m, bus } = useMessaging();

const MINE = /* GraphQL */ `
  query Mine($unreadOnly: Boolean, $first: Int) {
    myNotifications(unreadOnly: $unreadOnly, first: $first) {
      id
      kind
      title
      body
      readAt
      createdAt
    }
  }
`;

const MARK = /* GraphQL */ `
  mutation Mark($id: ID!) {
    markNotificationRead(id: $id) {
      id
      readAt
    }
  }
`;

interface NotificationView {
  id: string;
  kind: string;
  title: string;
  body: string;
  readAt: string | null;
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

async function mine(as: Identity, variables: Record<string, unknown> = {}): Promise<NotificationView[]> {
  const res = await m().call<{ myNotifications: NotificationView[] }>(as, MINE, variables);
  expect(res.errors).toBeUndefined();
  return res.data?.myNotifications ?? [];
}

async function seedNotification(recipient: Identity, title = 'Your booking is confirmed'): Promise<string> {
  const row = await m().db.notification.create({
    data: { recipientId: recipient.userId, kind: 'BOOKING', title, body: 'See you soon.' },
    select: { id: true },
  });
  return row.id;
}

describe('welcome notifications from accounts.user.registered', () => {
  it('creates exactly one WELCOME notification when the same event is delivered twice', async () => {
    const ana = someone();
    const event = registered(ana, 'Ana');
    await bus().publish([event]);
    await bus().publish([event]);
    await bus().drain();
    await bus().publish([event]);
    await bus().drain();

    const list = await mine(ana);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ kind: 'WELCOME', title: 'Welcome, Ana!', readAt: null });
    expect(await m().db.inboxEvent.count({ where: { consumer: NOTIFICATIONS_CONSUMER, eventId: event.id } })).toBe(1);
    expect(await bus().deadLetters()).toEqual([]);
  });

  it('still welcomes a user once when the registration is reported again under a new event id', async () => {
    const ben = someone();
    await bus().publish([registered(ben, 'Ben'), registered(ben, 'Ben')]);
    await bus().drain();
    expect((await mine(ben)).filter((n) => n.kind === 'WELCOME')).toHaveLength(1);
  });
});

describe('reading notifications', () => {
  it('lists newest first, honours unreadOnly and first, and marking read persists', async () => {
    const ana = someone();
    const older = await seedNotification(ana, 'older');
    const newer = await seedNotification(ana, 'newer');

    expect((await mine(ana)).map((n) => n.id)).toEqual([newer, older]);
    expect((await mine(ana, { first: 1 })).map((n) => n.id)).toEqual([newer]);

    const marked = await m().call<{ markNotificationRead: { id: string; readAt: string } }>(ana, MARK, { id: newer });
    expect(marked.errors).toBeUndefined();
    const readAt = marked.data?.markNotificationRead.readAt;
    expect(readAt).toEqual(expect.any(String));

    expect((await mine(ana, { unreadOnly: true })).map((n) => n.id)).toEqual([older]);
    expect((await mine(ana)).find((n) => n.id === newer)?.readAt).toBe(readAt);

    const again = await m().call<{ markNotificationRead: { readAt: string } }>(ana, MARK, { id: newer });
    expect(again.data?.markNotificationRead.readAt).toBe(readAt);
  });

  it("does not let another user mark, read or list someone's notifications (admins included)", async () => {
    const [ana, eve, admin] = [someone(), someone(), someone('ADMIN')];
    const id = await seedNotification(ana, 'private matter');

    for (const intruder of [eve, admin]) {
      const res = await m().call(intruder, MARK, { id });
      expect(codeOf(res)).toBe('FORBIDDEN');
      expect(JSON.stringify(res)).not.toContain('private matter');

      const entities = await m().call<{ _entities: unknown[] }>(
        intruder,
        /* GraphQL */ `
          query ($r: [_Any!]!) {
            _entities(representations: $r) {
              ... on Notification {
                title
              }
            }
          }
        `,
        {
          r: [{ __typename: 'Notification', id }],
        },
      );
      expect(entities.data?._entities).toEqual([null]);

      const list = await m().call(
        intruder,
        /* GraphQL */ `
          query ($r: [_Any!]!) {
            _entities(representations: $r) {
              ... on User {
                notifications {
                  title
                }
              }
            }
          }
        `,
        {
          r: [{ __typename: 'User', id: ana.userId }],
        },
      );
      expect(codeOf(list)).toBe('FORBIDDEN');
      expect(JSON.stringify(list)).not.toContain('private matter');
    }
    const row = await m().db.notification.findUniqueOrThrow({ where: { id } });
    expect(row.readAt).toBeNull();

    const own = await m().call<{ _entities: { notifications: { title: string }[] }[] }>(
      ana,
      /* GraphQL */ `
        query ($r: [_Any!]!) {
          _entities(representations: $r) {
            ... on User {
              notifications(unreadOnly: true) {
                title
              }
            }
          }
        }
      `,
      {
        r: [{ __typename: 'User', id: ana.userId }],
      },
    );
    expect(own.data?._entities[0]?.notifications).toEqual([{ title: 'private matter' }]);
  });

  it('answers NOT_FOUND for an unknown or malformed id and BAD_USER_INPUT for a bad page size', async () => {
    const ana = someone();
    expect(codeOf(await m().call(ana, MARK, { id: randomUUID() }))).toBe('NOT_FOUND');
    // A string that is not an id names nothing: the same answer as an unknown id (gateway/CLIENTS.md).
    expect(codeOf(await m().call(ana, MARK, { id: '42' }))).toBe('NOT_FOUND');
    expect(codeOf(await m().call(ana, MINE, { first: 0 }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await m().call(ana, MINE, { first: 201 }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await m().call(null, MINE))).toBe('UNAUTHENTICATED');
  });
});
