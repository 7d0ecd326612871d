import { randomUUID } from 'node:crypto';
import { START, SEND, codeOf, sendMessage, someone, startConversation, startMessaging, type Messaging } from './testing/harness';

/** Per-user write limits: a script cannot flood inboxes, a person never meets them. */
let m: Messaging;
let tight: Messaging;
beforeAll(async () => {
  m = await startMessaging();
  // Short windows, so recovery is seen in a second.
  tight = await startMessaging({
    env: { RATE_LIMIT_SEND_MESSAGE: '3/1s', RATE_LIMIT_START_CONVERSATION: '2/1s', RATE_LIMIT_WATCH_LISTING: '2/1s' },
  });
});
afterAll(async () => {
  await m?.close();
  await tight?.close();
});

const WATCH = /* GraphQL */ `
  mutation ($listingId: ID!) {
    watchListing(listingId: $listingId) {
      __typename
    }
  }
`;

interface Limited {
  message: string;
  extensions?: Record<string, unknown>;
}
const limited = (res: { errors?: Limited[] }) => res.errors?.[0];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('write limits per user', () => {
  it('lets 30 messages in 10 s through, refuses the 31st with when to retry, and counts each sender alone', async () => {
    const [ana, ben] = [someone(), someone()];
    const c = await startConversation(m, ana, [ben]);
    const burst = await Promise.all(Array.from({ length: 30 }, (_, i) => m.call(ana, SEND, { conversationId: c.id, body: `m${i}` })));
    expect(burst.map((r) => r.errors)).toEqual(Array(30).fill(undefined));

    const refused = await m.call(ana, SEND, { conversationId: c.id, body: 'one too many' });
    expect(codeOf(refused)).toBe('RATE_LIMITED');
    expect(refused.data?.sendMessage ?? null).toBeNull();
    const retryAfter = limited(refused)?.extensions?.['retryAfterSeconds'];
    expect(retryAfter).toEqual(expect.any(Number));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(10);
    expect(limited(refused)?.message).toBe(`Too many messages. Try again in ${retryAfter as number} s.`);
    // Nothing was written for the refused message; the other participant is not limited by ana's pace.
    expect(await m.db.message.count({ where: { conversationId: c.id } })).toBe(30);
    await sendMessage(m, ben, c.id, 'slow down!');
  });

  it('lets a sender write again once the window has moved on', async () => {
    const [ana, ben] = [someone(), someone()];
    const c = await startConversation(tight, ana, [ben]);
    for (let i = 0; i < 3; i++) await sendMessage(tight, ana, c.id, `m${i}`);
    const refused = await tight.call(ana, SEND, { conversationId: c.id, body: 'too soon' });
    expect(codeOf(refused)).toBe('RATE_LIMITED');
    expect(limited(refused)?.extensions?.['retryAfterSeconds']).toBe(1);

    await sleep(1_050);
    await sendMessage(tight, ana, c.id, 'after the wait');
    expect(await tight.db.message.count({ where: { conversationId: c.id } })).toBe(4);
  });

  it('limits new conversations: 10 a minute by default, and again after the window', async () => {
    const ana = someone();
    for (let i = 0; i < 10; i++) await startConversation(m, ana, [someone()]);
    const refused = await m.call(ana, START, { input: { participantIds: [someone().userId] } });
    expect(codeOf(refused)).toBe('RATE_LIMITED');
    expect(limited(refused)?.message).toMatch(/^Too many new conversations\. Try again in \d+ s\.$/);
    // Someone else is not affected.
    await startConversation(m, someone(), [ana]);

    const ben = someone();
    await startConversation(tight, ben, [someone()]);
    await startConversation(tight, ben, [someone()]);
    expect(codeOf(await tight.call(ben, START, { input: { participantIds: [someone().userId] } }))).toBe('RATE_LIMITED');
    await sleep(1_050);
    await startConversation(tight, ben, [someone()]);
  });

  it('limits watch requests, counted whatever their answer', async () => {
    const ana = someone();
    // Unknown listings: NOT_FOUND, yet each call counts (probing is what the limit is for).
    expect(codeOf(await tight.call(ana, WATCH, { listingId: randomUUID() }))).toBe('NOT_FOUND');
    expect(codeOf(await tight.call(ana, WATCH, { listingId: randomUUID() }))).toBe('NOT_FOUND');
    const refused = await tight.call(ana, WATCH, { listingId: randomUUID() });
    expect(codeOf(refused)).toBe('RATE_LIMITED');
    expect(limited(refused)?.message).toBe('Too many watch requests. Try again in 1 s.');
    await sleep(1_050);
    expect(codeOf(await tight.call(ana, WATCH, { listingId: randomUUID() }))).toBe('NOT_FOUND');
  });

  it('refuses a malformed limit at start-up, naming the variable', async () => {
    await expect(startMessaging({ env: { RATE_LIMIT_SEND_MESSAGE: '30 per second' } })).rejects.toThrow(/RATE_LIMIT_SEND_MESSAGE/);
  });
});
