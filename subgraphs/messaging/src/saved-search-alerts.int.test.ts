import { randomUUID } from 'node:crypto';
import type { EventEnvelope, EventPayload, Identity } from '@market/platform';
import { SAVED_SEARCH_ALERTS_CONSUMER } from './consumers/saved-search-alerts';
import { someone, useMessaging } from './testing/harness';

const { m, bus } = useMessaging();

const MINE = `{ myNotifications { kind title body } }`;
const mine = async (who: Identity) =>
  (await m().call<{ myNotifications: { kind: string; title: string; body: string }[] }>(who, MINE)).data?.myNotifications ?? [];

function event<T extends 'listings.saved-search.matched' | 'listings.saved-search.digest'>(
  type: T,
  payload: EventPayload<T>,
): EventEnvelope<T> {
  return { id: randomUUID(), type, version: 1, aggregateId: payload.savedSearchId, occurredAt: new Date().toISOString(), payload };
}

async function deliver(...events: EventEnvelope[]): Promise<void> {
  await bus().publish(events);
  await bus().drain();
}

describe('saved-search alerts from listings.saved-search.*', () => {
  it("tells an INSTANT search's owner of each match, once however often it arrives, and nobody else", async () => {
    const [owner, other] = [someone(), someone()];
    const savedSearchId = randomUUID();
    const first = event('listings.saved-search.matched', {
      savedSearchId,
      userId: owner.userId,
      searchName: 'Lisbon 2 rooms',
      listingId: randomUUID(),
      listingTitle: 'Bright flat in Alfama',
    });
    const second = event('listings.saved-search.matched', {
      savedSearchId,
      userId: owner.userId,
      searchName: null,
      listingId: randomUUID(),
      listingTitle: 'Loft by the river',
    });
    await deliver(first, first, second);
    await deliver(second);

    expect(await mine(owner)).toEqual(
      expect.arrayContaining([
        {
          kind: 'LISTING',
          title: 'New match for your saved search "Lisbon 2 rooms": Bright flat in Alfama',
          body: expect.stringContaining('Bright flat in Alfama'),
        },
        {
          kind: 'LISTING',
          title: 'New match for your saved search: Loft by the river',
          body: expect.stringContaining('Loft by the river'),
        },
      ]),
    );
    expect(await mine(owner)).toHaveLength(2);
    expect(await mine(other)).toEqual([]);
    expect(
      await m().db.inboxEvent.count({ where: { consumer: SAVED_SEARCH_ALERTS_CONSUMER, eventId: { in: [first.id, second.id] } } }),
    ).toBe(2);
    expect(await bus().deadLetters()).toEqual([]);
  });

  it("turns a DAILY search's digest into one notification naming the listings and counting the rest", async () => {
    const owner = someone();
    const listings = Array.from({ length: 12 }, (_, i) => ({ listingId: randomUUID(), title: `House ${i + 1}` }));
    await deliver(
      event('listings.saved-search.digest', {
        savedSearchId: randomUUID(),
        userId: owner.userId,
        searchName: 'Porto houses',
        matchCount: 14,
        listings,
      }),
    );

    const [digest, ...rest] = await mine(owner);
    expect(rest).toEqual([]);
    expect(digest).toEqual({
      kind: 'LISTING',
      title: '14 new listings match your saved search "Porto houses"',
      body: expect.stringContaining('House 1; House 2'),
    });
    expect(digest?.body).toContain('House 10; and 4 more.');
    expect(digest?.body).not.toContain('House 11');
  });

  it('follows the channels the user chose for listing updates (e-mail in the daily digest by default, none at once)', async () => {
    const owner = someone();
    await m().db.knownUser.create({
      data: { userId: owner.userId, name: 'Olga', role: 'BUYER', email: 'olga@example.test', lastEventAt: new Date() },
    });
    await deliver(
      event('listings.saved-search.matched', {
        savedSearchId: randomUUID(),
        userId: owner.userId,
        searchName: null,
        listingId: randomUUID(),
        listingTitle: 'Cabin',
      }),
    );
    expect(await mine(owner)).toHaveLength(1);
    expect(await m().db.delivery.count({ where: { userId: owner.userId } })).toBe(0);
  });

  it('sends an alert whose owner is not a user id to dead letters', async () => {
    const bad = event('listings.saved-search.matched', {
      savedSearchId: randomUUID(),
      userId: 'user-1',
      searchName: null,
      listingId: randomUUID(),
      listingTitle: 'x',
    });
    await deliver(bad);
    expect((await bus().deadLetters()).map((d) => (d.event as { id: string }).id)).toContain(bad.id);
  });
});
