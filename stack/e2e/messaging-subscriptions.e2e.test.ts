import { readFileSync } from 'node:fs';
import { createLogger, SUBGRAPH_NAMES } from '@market/platform';
import { testSecrets } from '@market/platform/testing';
import { SUPERGRAPH_PATH } from '../src/compose';
import { loadGatewayEnv } from '@market/gateway';
import { createGateway, type GatewayServer } from '@market/gateway';
import { createUser, eventually, startTestStack, type TestStack, type TestUser } from '../src/testing/stack';
import { subscribe } from '../src/testing/ws';
import { startConversation } from '../src/testing/messaging';

/**
 * Messaging's live fields through the real graph: graphql-ws clients on the gateway, the six real
 * subgraphs on their test databases, fan-out through the stack's one in-process pub/sub.
 */

const MESSAGE_ADDED = `subscription($conversationId: ID!) {
  messageAdded(conversationId: $conversationId) { body sender { name avatarUrl } cursor } }`;
const NOTIFICATION_ADDED = `subscription { notificationAdded { kind title cursor } }`;
const SEND = `mutation($conversationId: ID!, $body: String!) { sendMessage(conversationId: $conversationId, body: $body) { id cursor } }`;
const MESSAGES_AFTER = `query($id: ID!, $after: String) { conversation(id: $id) { messages(after: $after) { body cursor sender { name } } } }`;
const MY_NOTIFICATIONS_AFTER = `query($after: String) { myNotifications(after: $after) { kind title cursor } }`;

interface MessageEvent {
  messageAdded: { body: string; sender: { name: string; avatarUrl: string | null }; cursor: string };
}

/** Whether some subscriber of this process listens to the conversation (the stack's subgraphs share one pub/sub). */
const listening = (stack: TestStack, channel: string) => eventually(async () => stack.pubsub.channels().includes(channel));
const messageChannel = (conversationId: string) => `live:messaging.messageAdded:${conversationId}`;

describe('messaging subscriptions through the gateway', () => {
  let stack: TestStack;
  let ana: TestUser;
  let ben: TestUser;
  let eve: TestUser;
  let conversationId: string;

  const send = async (user: TestUser, body: string, via: { url: string } = stack) => {
    const res = await fetch(via.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` },
      body: JSON.stringify({ query: SEND, variables: { conversationId, body } }),
    });
    const json = (await res.json()) as { data?: { sendMessage: { id: string; cursor: string } }; errors?: unknown };
    if (!json.data) throw new Error(`sendMessage failed: ${JSON.stringify(json.errors)}`);
    return json.data.sendMessage;
  };

  beforeAll(async () => {
    stack = await startTestStack();
    [ana, ben, eve] = await Promise.all([
      createUser(stack, 'BUYER', 'Ana Asker'),
      createUser(stack, 'SELLER', 'Ben Seller'),
      createUser(stack, 'BUYER', 'Eve Outsider'),
    ]);
    conversationId = await startConversation(stack, ana.token, [ben.id]);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('delivers a message to the other participant, with the sender resolved from accounts', async () => {
    const forBen = subscribe<MessageEvent>(stack, MESSAGE_ADDED, { conversationId }, ben.token);
    await listening(stack, messageChannel(conversationId));

    const sent = await send(ana, 'Is the flat still available?');
    const [event] = await forBen.waitFor(1);

    expect(event).toEqual({
      messageAdded: { body: 'Is the flat still available?', sender: { name: 'Ana Asker', avatarUrl: null }, cursor: sent.cursor },
    });
    expect(forBen.errors).toEqual([]);
    await forBen.disconnect();
  });

  it('refuses a user who does not take part, who then never receives the conversation', async () => {
    const forEve = subscribe<MessageEvent>(stack, MESSAGE_ADDED, { conversationId }, eve.token);
    await forEve.done;
    expect(forEve.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN' }) })]);

    // A participant listens meanwhile, so the message does go out live.
    const forBen = subscribe<MessageEvent>(stack, MESSAGE_ADDED, { conversationId }, ben.token);
    await listening(stack, messageChannel(conversationId));
    await send(ana, 'Only for Ben');
    await forBen.waitFor(1);
    expect(forEve.events).toEqual([]);

    const anonymous = subscribe<MessageEvent>(stack, MESSAGE_ADDED, { conversationId });
    await anonymous.done;
    expect(anonymous.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) })]);
    await forBen.disconnect();
  });

  it('tells a guest live about the BOOKING notification their booking request creates', async () => {
    const [host, guest] = await Promise.all([createUser(stack, 'HOST', 'Hana Host'), createUser(stack, 'BUYER', 'Gil Guest')]);
    const forGuest = subscribe<{ notificationAdded: { kind: string; title: string; cursor: string } }>(
      stack,
      NOTIFICATION_ADDED,
      {},
      guest.token,
    );
    await listening(stack, `live:messaging.notificationAdded:${guest.id}`);

    const listing = await stack.request(
      `mutation($input: CreateListingInput!) { createListing(input: $input) { id } }`,
      {
        input: {
          title: 'Cabin in the pines',
          description: 'A quiet wooden cabin with a wood stove and a view of the lake.',
          kind: 'RENT',
          propertyType: 'HOUSE',
          address: { line1: '2 Lake Road', city: 'Aviemore', country: 'GB' },
          zipCode: 'PH22 1QH',
          bedrooms: 1,
          bathrooms: 1,
          toilets: 1,
          location: { latitude: 57.19, longitude: -3.83 },
          images: ['https://images.example.com/cabin-1.jpg'],
          status: 'ACTIVE',
          pricePerNight: '90.00',
          maxGuests: 2,
          timeZone: 'Europe/London',
        },
      },
      host.token,
    );
    expect(listing.errors).toBeUndefined();
    // bookings learns about the listing from its event; book as soon as it has.
    await eventually(async () => {
      const res = await stack.request(
        `mutation($input: BookStayInput!) { bookStay(input: $input) { __typename } }`,
        { input: { listingId: listing.data.createListing.id, checkIn: '2031-07-01', checkOut: '2031-07-03', guests: 1 } },
        guest.token,
      );
      return res.data?.bookStay?.__typename === 'Stay';
    });

    const [event] = await forGuest.waitFor(1, 15_000);
    expect(event?.notificationAdded).toEqual({
      kind: 'BOOKING',
      title: expect.stringContaining('Cabin in the pines'),
      cursor: expect.any(String),
    });
    // Already stored when announced: the catch-up query knows it under the same cursor.
    const mine = await stack.request(MY_NOTIFICATIONS_AFTER, {}, guest.token);
    expect(mine.data.myNotifications.map((n: { cursor: string }) => n.cursor)).toContain(event?.notificationAdded.cursor);
    await forGuest.disconnect();
  });

  it('lets a client that was offline catch up on exactly what it missed after its last cursor', async () => {
    const forBen = subscribe<MessageEvent>(stack, MESSAGE_ADDED, { conversationId }, ben.token);
    await listening(stack, messageChannel(conversationId));
    await send(ana, 'Before the tunnel');
    const [seen] = await forBen.waitFor(1);
    await forBen.disconnect();
    await eventually(async () => !stack.pubsub.channels().includes(messageChannel(conversationId)));

    await send(ana, 'Missed 1');
    await send(ana, 'Missed 2');

    // Back online: subscribe again first, then ask for what came after the last cursor.
    const again = subscribe<MessageEvent>(stack, MESSAGE_ADDED, { conversationId }, ben.token);
    await listening(stack, messageChannel(conversationId));
    const missed = await stack.request(MESSAGES_AFTER, { id: conversationId, after: seen!.messageAdded.cursor }, ben.token);
    expect(missed.errors).toBeUndefined();
    expect(missed.data.conversation.messages).toEqual([
      { body: 'Missed 1', sender: { name: 'Ana Asker' }, cursor: expect.any(String) },
      { body: 'Missed 2', sender: { name: 'Ana Asker' }, cursor: expect.any(String) },
    ]);

    await send(ana, 'Live again');
    const [live] = await again.waitFor(1);
    expect(live?.messageAdded.body).toBe('Live again');
    const last = missed.data.conversation.messages[1].cursor;
    const after = await stack.request(MESSAGES_AFTER, { id: conversationId, after: last }, ben.token);
    expect(after.data.conversation.messages.map((m: { cursor: string }) => m.cursor)).toEqual([live!.messageAdded.cursor]);
    await again.disconnect();
  });

  describe('with two gateway processes over the same subgraphs', () => {
    let second: GatewayServer;
    let secondUrl: string;
    beforeAll(async () => {
      const secrets = await testSecrets();
      second = await createGateway({
        env: loadGatewayEnv({
          NODE_ENV: 'test',
          LOG_LEVEL: 'silent',
          HOST: '127.0.0.1',
          PORT: '0',
          GATEWAY_SIGNING_SECRET: secrets.signingSecret,
          JWT_PUBLIC_KEY: secrets.publicKeyPem,
        }),
        supergraphSdl: readFileSync(SUPERGRAPH_PATH, 'utf8'),
        subgraphUrls: Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, stack.subgraphs[n].url])),
        logger: createLogger('gateway-2', 'silent'),
      });
      secondUrl = (await second.listen(0, '127.0.0.1')).url;
    });
    afterAll(async () => {
      await second?.stop();
    });

    it('delivers a message sent through either gateway to the subscribers on both', async () => {
      const subscribers = [
        subscribe<MessageEvent>(stack, MESSAGE_ADDED, { conversationId }, ben.token),
        subscribe<MessageEvent>({ url: secondUrl }, MESSAGE_ADDED, { conversationId }, ben.token),
        subscribe<MessageEvent>({ url: secondUrl }, MESSAGE_ADDED, { conversationId }, ana.token),
      ];
      // Both gateways' upstream subscriptions are in place once a message reaches every subscriber.
      await eventually(async () => {
        await send(ana, 'warm-up');
        return subscribers.every((s) => s.events.length > 0);
      });

      await send(ana, 'through the first gateway', stack);
      await send(ben, 'through the second gateway', { url: secondUrl });

      const realOnes = (s: (typeof subscribers)[number]) => s.events.filter((e) => e.messageAdded.body !== 'warm-up');
      await eventually(async () => subscribers.every((s) => realOnes(s).length >= 2));
      for (const s of subscribers) {
        expect(realOnes(s).map((e) => [e.messageAdded.body, e.messageAdded.sender.name])).toEqual([
          ['through the first gateway', 'Ana Asker'],
          ['through the second gateway', 'Ben Seller'],
        ]);
      }
      await Promise.all(subscribers.map((s) => s.disconnect()));
    });
  });
});
