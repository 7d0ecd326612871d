import { someone, sendMessage, startConversation, startMessaging, type Messaging } from './testing/harness';

let m: Messaging;
beforeAll(async () => {
  m = await startMessaging({ jobs: false });
});
afterAll(async () => {
  await m?.close();
});

const ENTITIES = /* GraphQL */ `
  query Entities($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Conversation {
        id
        createdAt
        lastMessageAt
      }
      ... on Message {
        id
        body
        createdAt
      }
      ... on Notification {
        id
        kind
        title
        readAt
      }
    }
  }
`;

type Entity = { id: string } | null;

/** Data statements only: a plain read runs no BEGIN/COMMIT, but count them too if they appear. */
const sqlCount = (statements: string[]) => statements.length;

describe('_entities resolves 50 representations in one SQL query, in order', () => {
  it('Conversation, for a participant', async () => {
    const me = someone();
    const ids: string[] = [];
    // Started by 50 others (one person may start only so many a minute: services/rate-limits.ts).
    for (let i = 0; i < 50; i++) ids.push((await startConversation(m, someone(), [me])).id);
    const representations = [...ids].reverse().map((id) => ({ __typename: 'Conversation', id }));

    const { result, statements } = await m.countQueries(() => m.call<{ _entities: Entity[] }>(me, ENTITIES, { representations }));
    expect(result.errors).toBeUndefined();
    expect(result.data?._entities.map((e) => e?.id)).toEqual([...ids].reverse());
    expect(sqlCount(statements)).toBe(1);
  });

  it('Message, for a participant, with unknown and foreign ids answered null in place', async () => {
    const [me, other] = [someone(), someone()];
    const c = await startConversation(m, me, [other]);
    const ids: string[] = [];
    for (let i = 0; i < 48; i++) ids.push((await sendMessage(m, i % 2 ? me : other, c.id, `n${i}`)).id);
    const foreign = await sendMessage(m, other, (await startConversation(m, other, [someone()])).id, 'not yours');
    const wanted = [...ids.slice(0, 24), someone().userId, ...ids.slice(24), foreign.id];
    const representations = wanted.map((id) => ({ __typename: 'Message', id }));

    const { result, statements } = await m.countQueries(() => m.call<{ _entities: Entity[] }>(me, ENTITIES, { representations }));
    expect(result.errors).toBeUndefined();
    expect(result.data?._entities.map((e) => e?.id ?? null)).toEqual([...ids.slice(0, 24), null, ...ids.slice(24), null]);
    expect(sqlCount(statements)).toBe(1);
  });

  it('Notification, for its recipient', async () => {
    const me = someone();
    await m.db.notification.createMany({
      data: Array.from({ length: 50 }, (_, i) => ({ recipientId: me.userId, kind: 'SYSTEM' as const, title: `t${i}`, body: 'b' })),
    });
    const rows = await m.db.notification.findMany({ where: { recipientId: me.userId }, select: { id: true }, orderBy: { title: 'desc' } });
    const representations = rows.map((r) => ({ __typename: 'Notification', id: r.id }));

    const { result, statements } = await m.countQueries(() => m.call<{ _entities: Entity[] }>(me, ENTITIES, { representations }));
    expect(result.errors).toBeUndefined();
    expect(result.data?._entities.map((e) => e?.id)).toEqual(rows.map((r) => r.id));
    expect(sqlCount(statements)).toBe(1);
  });

  it('User.conversations with participants and messages costs the same few queries for 1 or 20 conversations', async () => {
    const query = /* GraphQL */ `
      query Mine($representations: [_Any!]!) {
        _entities(representations: $representations) {
          ... on User {
            conversations {
              participants {
                id
              }
              messages {
                body
                sender {
                  id
                }
              }
            }
          }
        }
      }
    `;
    const cost = async (conversations: number) => {
      const me = someone();
      for (let i = 0; i < conversations; i++) await startConversation(m, someone(), [me, someone()], `hello ${i}`);
      const { result, statements } = await m.countQueries(() =>
        m.call<{ _entities: { conversations: unknown[] }[] }>(me, query, { representations: [{ __typename: 'User', id: me.userId }] }),
      );
      expect(result.errors).toBeUndefined();
      expect(result.data?._entities[0]?.conversations).toHaveLength(conversations);
      return sqlCount(statements);
    };
    const one = await cost(1);
    expect(await cost(20)).toBe(one);
    expect(one).toBe(3);
  });
});
