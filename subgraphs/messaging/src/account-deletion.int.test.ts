import { randomUUID } from 'node:crypto';
import type { EventEnvelope, EventPayload, Identity } from '@market/platform';
import { ACCOUNT_DELETION_CONSUMER } from './consumers/account-deletion';
import { MESSAGE_NOTIFICATIONS_CONSUMER } from './consumers/message-notifications';
import { REMOVED_MESSAGE_BODY } from './domain';
import { START, codeOf, known, sendMessage, someone, startConversation, until, useMessaging } from './testing/harness';

const { m, bus } = useMessaging();

const CONVERSATION = /* GraphQL */ `
  query Conversation($id: ID!) {
    conversation(id: $id) {
      id
      participants {
        id
      }
      messages {
        body
        removedAt
        sender {
          id
        }
      }
    }
  }
`;
const MY_CONVERSATIONS = /* GraphQL */ `
  query Mine($r: [_Any!]!) {
    _entities(representations: $r) {
      ... on User {
        conversations {
          id
        }
      }
    }
  }
`;
const SEND = /* GraphQL */ `
  mutation Send($conversationId: ID!, $body: String!) {
    sendMessage(conversationId: $conversationId, body: $body) {
      id
    }
  }
`;

interface ConversationView {
  id: string;
  participants: { id: string }[];
  messages: { body: string; removedAt: string | null; sender: { id: string } }[];
}

function userDeleted(user: Identity): EventEnvelope<'accounts.user.deleted'> {
  return {
    id: randomUUID(),
    type: 'accounts.user.deleted',
    version: 1,
    aggregateId: user.userId,
    occurredAt: new Date().toISOString(),
    payload: { userId: user.userId },
  };
}

async function deliver(...events: EventEnvelope[]): Promise<void> {
  await bus().publish(events);
  await bus().drain();
}

const read = async (as: Identity, id: string) =>
  (await m().call<{ conversation: ConversationView | null }>(as, CONVERSATION, { id })).data?.conversation;

async function notify(recipient: Identity, title: string): Promise<void> {
  await m().db.notification.create({ data: { recipientId: recipient.userId, kind: 'SYSTEM', title, body: 'b' } });
}

async function knownListing(owner: Identity): Promise<string> {
  const listingId = randomUUID();
  await m().db.knownListing.create({
    data: {
      listingId,
      ownerId: owner.userId,
      title: 'Flat',
      kind: 'SALE',
      status: 'ACTIVE',
      price: '1.00',
      currency: 'EUR',
      lastEventAt: new Date(),
    },
  });
  return listingId;
}

describe('accounts.user.deleted', () => {
  it("removes the user's words and data but leaves the others' conversations readable, once however often it arrives", async () => {
    const [ana, ben, cara, owner] = [someone(), someone(), someone(), someone('SELLER')];
    const pair = await startConversation(m(), ana, [ben], 'Hi Ben, is the flat still free?');
    await sendMessage(m(), ben, pair.id, 'It is, Ana.');
    await sendMessage(m(), ana, pair.id, 'My number is 555-0100.');
    const group = await startConversation(m(), ana, [ben, cara], 'Hello both');
    await notify(ana, 'for ana');
    await notify(ben, 'for ben');
    const listingId = await knownListing(owner);
    await m().db.listingWatch.createMany({
      data: [
        { userId: ana.userId, listingId },
        { userId: ben.userId, listingId },
      ],
    });

    const event = userDeleted(ana);
    await deliver(event, event);
    const removedAt = (await m().db.message.findFirstOrThrow({ where: { senderId: ana.userId, conversationId: pair.id } })).removedAt;
    await deliver(event);

    // Ben still has the conversation, with Ana's messages in place but emptied.
    expect(await read(ben, pair.id)).toEqual({
      id: pair.id,
      participants: [{ id: ben.userId }],
      messages: [
        { body: REMOVED_MESSAGE_BODY, removedAt: expect.any(String), sender: { id: ana.userId } },
        { body: 'It is, Ana.', removedAt: null, sender: { id: ben.userId } },
        { body: REMOVED_MESSAGE_BODY, removedAt: expect.any(String), sender: { id: ana.userId } },
      ],
    });
    // Joined together: listed by id.
    expect((await read(cara, group.id))?.participants).toEqual(
      [ben, cara].map((u) => ({ id: u.userId })).sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
    const stored = await m().db.message.findMany({ where: { senderId: ana.userId }, select: { body: true, removedAt: true } });
    expect(stored).toHaveLength(3);
    expect(JSON.stringify(stored)).not.toMatch(/555-0100|Hi Ben|Hello both/);
    expect(stored.every((s) => s.removedAt?.getTime() === removedAt?.getTime())).toBe(true);

    // Ana's own data is gone; Ben's is not.
    expect(await m().db.notification.count({ where: { recipientId: ana.userId } })).toBe(0);
    // Ben keeps his own notifications; the MESSAGE ones no longer quote Ana.
    const bens = await m().db.notification.findMany({
      where: { recipientId: ben.userId },
      select: { kind: true, title: true, body: true },
    });
    expect(bens.filter((n) => n.kind !== 'MESSAGE').map((n) => n.title)).toEqual(['for ben']);
    expect(JSON.stringify(bens)).not.toMatch(/555-0100|Hi Ben|Hello both/);
    expect(await m().db.listingWatch.findMany({ where: { listingId }, select: { userId: true } })).toEqual([{ userId: ben.userId }]);
    expect(await m().db.inboxEvent.count({ where: { consumer: ACCOUNT_DELETION_CONSUMER, eventId: event.id } })).toBe(1);
    expect(await bus().deadLetters()).toEqual([]);
  });

  it("quotes nothing of the deleted user when their message's event is handled after the erasure (or during it)", async () => {
    const [ana, ben, cara] = [someone(), someone(), someone()];
    const group = await startConversation(m(), ana, [ben, cara], 'Hello both, call 555-0199');
    // The event as messaging published it, handled late: as a first delivery (a fresh id), after the
    // erasure committed, and once more racing another erasure of the same account.
    const row = await m().db.outboxEvent.findFirstOrThrow({ where: { type: 'messaging.message.sent', aggregateId: group.id } });
    // Its first delivery is over (the relay publishes on its own schedule) before the test goes on.
    await until(
      async () => (await m().db.inboxEvent.count({ where: { consumer: MESSAGE_NOTIFICATIONS_CONSUMER, eventId: row.id } })) === 1,
      15_000,
    );
    const sent = {
      id: row.id,
      type: row.type,
      version: row.version,
      aggregateId: row.aggregateId,
      occurredAt: row.occurredAt.toISOString(),
      payload: row.payload,
    } as EventEnvelope<'messaging.message.sent'>;
    await m().db.notification.deleteMany({ where: { conversationId: group.id } });

    await deliver(userDeleted(ana));
    await deliver({ ...sent, id: randomUUID() });
    await Promise.all([deliver({ ...sent, id: randomUUID() }), deliver(userDeleted(ana))]);

    const theirs = await m().db.notification.findMany({
      where: { recipientId: { in: [ben.userId, cara.userId] } },
      select: { body: true, title: true },
    });
    expect(theirs).toEqual([]);
    expect(await bus().deadLetters()).toEqual([]);
  });

  it('shuts the deleted user out: their last access token reads and writes nothing', async () => {
    const [ana, ben] = [someone(), someone()];
    const pair = await startConversation(m(), ana, [ben], 'hello');
    await deliver(userDeleted(ana));

    expect(await read(ana, pair.id)).toBeNull();
    expect(codeOf(await m().call(ana, SEND, { conversationId: pair.id, body: 'still here?' }))).toBe('FORBIDDEN');
    const theirs = await m().call<{ _entities: { conversations: unknown[] }[] }>(ana, MY_CONVERSATIONS, {
      r: [{ __typename: 'User', id: ana.userId }],
    });
    expect(theirs.data?._entities[0]?.conversations).toEqual([]);
    const live = m().subscribe(ana, `subscription($id: ID!) { messageAdded(conversationId: $id) { id } }`, { id: pair.id });
    await new Promise<void>((resolve) => {
      const poll = () => (live.done ? resolve() : setTimeout(poll, 10));
      poll();
    });
    expect(live.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN' }) })]);
  });

  it('lets nobody start a conversation with a deleted user, and stores no later notification for them', async () => {
    const [ana, ben, host] = [someone(), someone(), someone('HOST')];
    await startConversation(m(), ana, [ben]);
    await deliver(userDeleted(ana));

    const other = someone();
    await known(m(), other);
    for (const participantIds of [[ana.userId], [ana.userId, other.userId]]) {
      const refused = await m().call<{ startConversation: { __typename: string; userIds: string[] } }>(ben, START, {
        input: { participantIds },
      });
      expect(refused.data?.startConversation).toMatchObject({ __typename: 'ParticipantsUnavailable', userIds: [ana.userId] });
    }

    // bookings cancels the deleted guest's stays afterwards: the host hears of it, the guest is gone.
    const stay: EventPayload<'bookings.stay.cancelled'> = {
      stayId: randomUUID(),
      listingId: randomUUID(),
      listingTitle: 'Sea view flat',
      hostId: host.userId,
      guestId: ana.userId,
      checkIn: '2027-01-10',
      checkOut: '2027-01-12',
      nights: 2,
      guests: 1,
      totalPrice: '200.00',
      currency: 'EUR',
      cancelledBy: ana.userId,
      refundAmount: '200.00',
    };
    await deliver({
      id: randomUUID(),
      type: 'bookings.stay.cancelled',
      version: 1,
      aggregateId: stay.stayId,
      occurredAt: new Date().toISOString(),
      payload: stay,
    });
    expect(await m().db.notification.count({ where: { recipientId: ana.userId } })).toBe(0);
    expect(await m().db.notification.count({ where: { recipientId: host.userId } })).toBe(1);
  });

  it('deletes a conversation nobody is left in, with its messages', async () => {
    const [ana, ben] = [someone(), someone()];
    const pair = await startConversation(m(), ana, [ben], 'just us');
    await deliver(userDeleted(ben));
    expect(await m().db.conversation.count({ where: { id: pair.id } })).toBe(1);
    await deliver(userDeleted(ana));
    expect(await m().db.conversation.count({ where: { id: pair.id } })).toBe(0);
    expect(await m().db.message.count({ where: { conversationId: pair.id } })).toBe(0);
  });

  it('removes a message sent while the account is being erased, or refuses it', async () => {
    const [ana, ben] = [someone(), someone()];
    const pair = await startConversation(m(), ana, [ben], 'first');
    const sends = Array.from({ length: 10 }, (_, i) => m().call(ana, SEND, { conversationId: pair.id, body: `racing ${i}` }));
    await Promise.all([deliver(userDeleted(ana)), ...sends]);
    const left = await m().db.message.findMany({ where: { conversationId: pair.id }, select: { body: true } });
    expect(left.every((l) => l.body === REMOVED_MESSAGE_BODY)).toBe(true);
  });

  it('sends an event naming no user id to dead letters', async () => {
    const bad = userDeleted({ ...someone(), userId: 'user-1' });
    await deliver(bad);
    expect((await bus().deadLetters()).map((d) => (d.event as { id: string }).id)).toContain(bad.id);
  });
});
