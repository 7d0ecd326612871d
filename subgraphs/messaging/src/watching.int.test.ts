import { randomUUID } from 'node:crypto';
import type { EventEnvelope, EventPayload, Identity } from '@market/platform';
import { LISTING_WATCH_CONSUMER } from './consumers/listing-watches';
import { notificationAddedTopic } from './live/topics';
import { MAX_WATCHED_LISTINGS } from './domain';
import { codeOf, someone, useMessaging, until } from './testing/harness';

const { m, bus } = useMessaging();

type Listing = EventPayload<'listings.listing.upserted'>;

const WATCH = /* GraphQL */ `
  mutation Watch($listingId: ID!) {
    watchListing(listingId: $listingId) {
      __typename
      ... on ListingWatch {
        listing {
          id
        }
        watchedAt
      }
      ... on WatchLimitReached {
        limit
        message
      }
    }
  }
`;
const UNWATCH = /* GraphQL */ `
  mutation Unwatch($listingId: ID!) {
    unwatchListing(listingId: $listingId)
  }
`;
const WATCHED = /* GraphQL */ `
  query Watched($first: Int) {
    myWatchedListings(first: $first) {
      id
    }
  }
`;
const LISTINGS = /* GraphQL */ `
  query Listings($r: [_Any!]!) {
    _entities(representations: $r) {
      ... on Listing {
        id
        watchedByMe
        watcherCount
      }
    }
  }
`;
const MINE = /* GraphQL */ `
  {
    myNotifications {
      kind
      title
      body
    }
  }
`;

interface WatchResult {
  watchListing:
    | { __typename: 'ListingWatch'; listing: { id: string }; watchedAt: string }
    | { __typename: 'WatchLimitReached'; limit: number; message: string };
}

function listing(owner: Identity, overrides: Partial<Listing> = {}): Listing {
  return {
    listingId: randomUUID(),
    ownerId: owner.userId,
    title: 'Sea view flat',
    kind: 'SALE',
    status: 'ACTIVE',
    price: '350000.00',
    pricePerNight: null,
    currency: 'EUR',
    maxGuests: null,
    timeZone: 'Europe/Lisbon',
    ...overrides,
  };
}

let clock = Date.now();
/** Events of one listing carry increasing instants, as listings' writes do. */
function upserted(payload: Listing, occurredAt = new Date(++clock)): EventEnvelope<'listings.listing.upserted'> {
  return {
    id: randomUUID(),
    type: 'listings.listing.upserted',
    version: 1,
    aggregateId: payload.listingId,
    occurredAt: occurredAt.toISOString(),
    payload,
  };
}

/** The listing's deletion; `version` is the listing's (one past its last state), absent as in older events. */
function deleted(payload: Listing, version?: number, occurredAt = new Date(++clock)): EventEnvelope<'listings.listing.deleted'> {
  return {
    id: randomUUID(),
    type: 'listings.listing.deleted',
    version: 1,
    aggregateId: payload.listingId,
    occurredAt: occurredAt.toISOString(),
    payload: { listingId: payload.listingId, ownerId: payload.ownerId, ...(version === undefined ? {} : { version }) },
  };
}

async function deliver(...events: EventEnvelope[]): Promise<void> {
  await bus().publish(events);
  await bus().drain();
}

/** A listing listings has announced (so messaging knows it). */
async function published(owner: Identity, overrides: Partial<Listing> = {}): Promise<Listing> {
  const l = listing(owner, overrides);
  await deliver(upserted(l));
  return l;
}

const watch = (as: Identity, listingId: string) => m().call<WatchResult>(as, WATCH, { listingId });
const mine = async (as: Identity) =>
  (await m().call<{ myNotifications: { kind: string; title: string; body: string }[] }>(as, MINE)).data?.myNotifications ?? [];
const watched = async (as: Identity, first?: number) =>
  (await m().call<{ myWatchedListings: { id: string }[] }>(as, WATCHED, first ? { first } : {})).data?.myWatchedListings.map((l) => l.id);

describe('watching a listing', () => {
  it('is idempotent, shows on the listing and in the watch list, and unwatching is too', async () => {
    const [owner, ana, ben] = [someone('SELLER'), someone(), someone()];
    const flat = await published(owner);

    const first = await watch(ana, flat.listingId);
    expect(first.errors).toBeUndefined();
    expect(first.data?.watchListing).toMatchObject({ __typename: 'ListingWatch', listing: { id: flat.listingId } });
    const again = await watch(ana, flat.listingId.toUpperCase());
    expect(again.data?.watchListing).toEqual(first.data?.watchListing);
    expect(await m().db.listingWatch.count({ where: { listingId: flat.listingId } })).toBe(1);

    const r = [{ __typename: 'Listing', id: flat.listingId }];
    expect((await m().call(ana, LISTINGS, { r })).data).toEqual({
      _entities: [{ id: flat.listingId, watchedByMe: true, watcherCount: 1 }],
    });
    expect((await m().call(ben, LISTINGS, { r })).data).toEqual({
      _entities: [{ id: flat.listingId, watchedByMe: false, watcherCount: 1 }],
    });
    expect((await m().call(null, LISTINGS, { r })).data).toEqual({
      _entities: [{ id: flat.listingId, watchedByMe: false, watcherCount: 1 }],
    });
    expect(await watched(ana)).toEqual([flat.listingId]);
    expect(await watched(ben)).toEqual([]);

    for (let i = 0; i < 2; i++) {
      const res = await m().call<{ unwatchListing: boolean }>(ana, UNWATCH, { listingId: flat.listingId });
      expect(res.data?.unwatchListing).toBe(true);
    }
    expect(await watched(ana)).toEqual([]);
    expect((await m().call(ana, LISTINGS, { r })).data).toEqual({
      _entities: [{ id: flat.listingId, watchedByMe: false, watcherCount: 0 }],
    });
  });

  it('lists the most recently watched first', async () => {
    const [owner, ana] = [someone('SELLER'), someone()];
    const a = await published(owner);
    const b = await published(owner);
    await watch(ana, a.listingId);
    await watch(ana, b.listingId);
    expect(await watched(ana)).toEqual([b.listingId, a.listingId]);
    expect(await watched(ana, 1)).toEqual([b.listingId]);
  });

  it("refuses unknown, deleted and hidden listings as NOT_FOUND, and one's own listing", async () => {
    const [owner, ana, admin] = [someone('SELLER'), someone(), someone('ADMIN')];
    expect(codeOf(await watch(ana, randomUUID()))).toBe('NOT_FOUND');

    const draft = await published(owner, { status: 'DRAFT' });
    const archived = await published(owner, { status: 'ARCHIVED' });
    expect(codeOf(await watch(ana, draft.listingId))).toBe('NOT_FOUND');
    expect(codeOf(await watch(ana, archived.listingId))).toBe('NOT_FOUND');
    // Admins see every listing in listings, so they may watch any.
    expect((await watch(admin, draft.listingId)).data?.watchListing.__typename).toBe('ListingWatch');

    const own = await published(owner);
    expect(codeOf(await watch(owner, own.listingId))).toBe('BAD_USER_INPUT');

    const gone = await published(owner);
    await deliver(deleted(gone));
    expect(codeOf(await watch(ana, gone.listingId))).toBe('NOT_FOUND');
    // A late (replayed) upsert does not bring a deleted listing back.
    await deliver(upserted(gone));
    expect(codeOf(await watch(ana, gone.listingId))).toBe('NOT_FOUND');

    expect(codeOf(await watch(ana, 'nope'))).toBe('NOT_FOUND');
    expect(codeOf(await watch(null as unknown as Identity, draft.listingId))).toBe('UNAUTHENTICATED');
    expect(codeOf(await m().call(ana, WATCHED, { first: 501 }))).toBe('BAD_USER_INPUT');
  });

  it(`caps a user at ${MAX_WATCHED_LISTINGS} watched listings, also under concurrent calls`, async () => {
    const [owner, ana] = [someone('SELLER'), someone()];
    const ids = Array.from({ length: MAX_WATCHED_LISTINGS - 1 }, () => randomUUID());
    await m().db.knownListing.createMany({
      data: ids.map((listingId) => ({
        listingId,
        ownerId: owner.userId,
        title: 't',
        kind: 'SALE',
        status: 'ACTIVE',
        price: '1.00',
        currency: 'EUR',
        lastEventAt: new Date(),
      })),
    });
    await m().db.listingWatch.createMany({ data: ids.map((listingId) => ({ userId: ana.userId, listingId })) });
    const [x, y] = [await published(owner), await published(owner)];

    const results = await Promise.all([watch(ana, x.listingId), watch(ana, y.listingId)]);
    expect(results.map((r) => r.data?.watchListing.__typename).sort()).toEqual(['ListingWatch', 'WatchLimitReached']);
    const refused = results.find((r) => r.data?.watchListing.__typename === 'WatchLimitReached');
    expect(refused?.data?.watchListing).toEqual({
      __typename: 'WatchLimitReached',
      limit: MAX_WATCHED_LISTINGS,
      message: expect.stringContaining('500'),
    });
    expect(await m().db.listingWatch.count({ where: { userId: ana.userId } })).toBe(MAX_WATCHED_LISTINGS);

    // At the cap, watching one already watched still answers the watch.
    expect((await watch(ana, ids[0] as string)).data?.watchListing.__typename).toBe('ListingWatch');
    expect((await watched(ana, 500))?.length).toBe(MAX_WATCHED_LISTINGS);
  });

  it('answers watchedByMe and watcherCount for 50 listings in two SQL queries', async () => {
    const [owner, ana] = [someone('SELLER'), someone()];
    const listings = [];
    for (let i = 0; i < 50; i++) listings.push(listing(owner));
    await deliver(...listings.map((l) => upserted(l)));
    for (const l of listings.slice(0, 10)) await watch(ana, l.listingId);

    const r = listings.map((l) => ({ __typename: 'Listing', id: l.listingId }));
    const { result, statements } = await m().countQueries(() =>
      m().call<{ _entities: { id: string; watchedByMe: boolean; watcherCount: number }[] }>(ana, LISTINGS, { r }),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?._entities.filter((l) => l.watchedByMe).length).toBe(10);
    expect(result.data?._entities.map((l) => l.watcherCount)).toEqual(listings.map((_, i) => (i < 10 ? 1 : 0)));
    // Messaging's delivery and broadcast jobs run beside the request on their own schedule: only the
    // request's statements count.
    const jobTables = /"(notification_preferences|notifications|notification_deliveries|broadcasts)"/;
    expect(statements.filter((sql) => !jobTables.test(sql))).toHaveLength(2);
  });
});

describe('LISTING notifications from listings events', () => {
  it('tells every watcher, once, that the price dropped, and nobody else', async () => {
    const [owner, ana, ben, bystander] = [someone('SELLER'), someone(), someone(), someone()];
    const flat = await published(owner);
    await watch(ana, flat.listingId);
    await watch(ben, flat.listingId);

    const cheaper = upserted({ ...flat, price: '320000.00' });
    await deliver(cheaper, cheaper);
    await deliver(cheaper);

    const expected = {
      kind: 'LISTING',
      title: 'Price drop: Sea view flat',
      body: 'The asking price is now 320000.00 EUR (was 350000.00 EUR).',
    };
    expect(await mine(ana)).toEqual([expected]);
    expect(await mine(ben)).toEqual([expected]);
    expect(await mine(bystander)).toEqual([]);
    expect(await mine(owner)).toEqual([]);
    expect(await m().db.inboxEvent.count({ where: { consumer: LISTING_WATCH_CONSUMER, eventId: cheaper.id } })).toBe(1);
    expect(await bus().deadLetters()).toEqual([]);
  });

  it('says nothing of edits that change neither price nor status, nor of an event older than the state it has', async () => {
    const [owner, ana] = [someone('SELLER'), someone()];
    const flat = await published(owner);
    await watch(ana, flat.listingId);
    await deliver(upserted({ ...flat, title: 'Sea view flat, renovated' }));
    // A replayed dead letter from before the first event: neither told nor recorded.
    await deliver(upserted({ ...flat, price: '1.00' }, new Date(clock - 60_000)));
    expect(await mine(ana)).toEqual([]);
    expect((await m().db.knownListing.findUniqueOrThrow({ where: { listingId: flat.listingId } })).price).toBe('350000.00');
  });

  it('follows a listing through offer, withdrawal, return and sale', async () => {
    const [owner, ana] = [someone('SELLER'), someone()];
    const flat = await published(owner);
    await watch(ana, flat.listingId);

    await deliver(upserted({ ...flat, status: 'UNDER_OFFER' }));
    await deliver(upserted({ ...flat, status: 'ARCHIVED' }));
    expect(await watched(ana)).toEqual([]);
    // Hidden from the watcher: nothing about its edits.
    await deliver(upserted({ ...flat, status: 'ARCHIVED', price: '1.00' }));
    await deliver(upserted({ ...flat, status: 'ACTIVE', price: '340000.00' }));
    expect(await watched(ana)).toEqual([flat.listingId]);
    await deliver(upserted({ ...flat, status: 'SOLD', price: '340000.00' }));

    expect((await mine(ana)).map((n) => n.title).reverse()).toEqual([
      'Sea view flat is under offer',
      'Sea view flat was withdrawn',
      'Sea view flat is available again',
      'Sea view flat was sold',
    ]);
  });

  it('tells watchers a listing was deleted, and forgets their watches', async () => {
    const [owner, ana] = [someone('SELLER'), someone()];
    const cabin = await published(owner, { kind: 'RENT', title: 'Forest cabin', price: null, pricePerNight: '110.00' });
    await watch(ana, cabin.listingId);
    const gone = deleted(cabin);
    await deliver(gone, gone);

    expect(await mine(ana)).toEqual([
      { kind: 'LISTING', title: 'Forest cabin was removed', body: expect.stringContaining('taken off your watched listings') },
    ]);
    expect(await watched(ana)).toEqual([]);
    expect(await m().db.listingWatch.count({ where: { listingId: cabin.listingId } })).toBe(0);
  });

  it('never tells watchers a title the owner gave the listing while it was hidden', async () => {
    const [owner, ana] = [someone('SELLER'), someone()];
    const flat = await published(owner);
    await watch(ana, flat.listingId);
    await deliver(upserted({ ...flat, status: 'ARCHIVED' }));
    await deliver(upserted({ ...flat, status: 'ARCHIVED', title: 'SECRET rename while archived' }));
    await deliver(deleted(flat));
    // The deletion names the listing as the watcher last saw it.
    expect((await mine(ana)).map((n) => n.title).reverse()).toEqual(['Sea view flat was withdrawn', 'Sea view flat was removed']);

    // Renamed in the same edit that hides it, then deleted: neither notice carries the new name.
    const cabin = await published(owner, { kind: 'RENT', title: 'Forest cabin', price: null, pricePerNight: '110.00' });
    const bea = someone();
    await watch(bea, cabin.listingId);
    await deliver(upserted({ ...cabin, status: 'DRAFT', title: 'SECRET cabin' }));
    await deliver(deleted(cabin));
    expect((await mine(bea)).map((n) => n.title).reverse()).toEqual(['Forest cabin was withdrawn', 'Forest cabin was removed']);

    // Shown again under a new name: that name is the one watchers saw, and the one they are told.
    const loft = await published(owner, { title: 'Loft' });
    const cleo = someone();
    await watch(cleo, loft.listingId);
    await deliver(upserted({ ...loft, status: 'ARCHIVED', title: 'SECRET loft' }));
    await deliver(upserted({ ...loft, status: 'ACTIVE', title: 'Loft with a terrace' }));
    await deliver(upserted({ ...loft, status: 'ARCHIVED', title: 'SECRET loft again' }));
    await deliver(deleted(loft));
    expect((await mine(cleo)).map((n) => n.title)[0]).toBe('Loft with a terrace was removed');
    expect((await mine(cleo)).some((n) => n.title.includes('SECRET'))).toBe(false);
  });

  it('names no listing when one never shown to anyone is deleted', async () => {
    const [owner, admin] = [someone('SELLER'), someone('ADMIN')];
    const draft = await published(owner, { status: 'DRAFT', title: 'SECRET draft' });
    expect((await watch(admin, draft.listingId)).data?.watchListing.__typename).toBe('ListingWatch');
    await deliver(deleted(draft));
    expect((await mine(admin)).map((n) => n.title)).toEqual(['A listing you watched was removed']);
  });

  it('announces the notification live to the watcher', async () => {
    const [owner, ana] = [someone('SELLER'), someone()];
    const flat = await published(owner);
    await watch(ana, flat.listingId);
    const live = m().subscribe<{ notificationAdded: { kind: string; title: string } }>(
      ana,
      `subscription { notificationAdded { kind title } }`,
    );
    await until(() => m().pubsub.channels().includes(notificationAddedTopic.channel(ana.userId.toLowerCase())));

    await deliver(upserted({ ...flat, price: '360000.00' }));
    await until(() => live.events.length === 1);
    expect(live.events).toEqual([{ notificationAdded: { kind: 'LISTING', title: 'New price: Sea view flat' } }]);
    live.unsubscribe();
  });

  it('tells a few thousand watchers in one event', async () => {
    const owner = someone('SELLER');
    const flat = await published(owner);
    const watchers = Array.from({ length: 3_000 }, () => randomUUID());
    await m().db.listingWatch.createMany({ data: watchers.map((userId) => ({ userId, listingId: flat.listingId })) });

    await deliver(upserted({ ...flat, status: 'SOLD' }));
    expect(await m().db.notification.count({ where: { recipientId: { in: watchers }, kind: 'LISTING' } })).toBe(3_000);
    expect(await bus().deadLetters()).toEqual([]);
  });

  describe('ordered by the listing version, not by clocks', () => {
    const minutesFromNow = (minutes: number) => new Date(Date.now() + minutes * 60_000);
    const held = async (listingId: string) =>
      m().db.knownListing.findUniqueOrThrow({
        where: { listingId },
        select: { version: true, price: true, status: true, deletedAt: true },
      });

    it('ignores an older version that arrives after a newer one, even stamped later, and tells nobody', async () => {
      const [owner, ana] = [someone('SELLER'), someone()];
      const flat = await published(owner, { version: 1 });
      await watch(ana, flat.listingId);
      await deliver(upserted({ ...flat, price: '320000.00', version: 3 }));
      // Version 2 from a replica whose clock runs ten minutes ahead (or a dead letter replayed now).
      await deliver(upserted({ ...flat, price: '1.00', status: 'SOLD', version: 2 }, minutesFromNow(10)));
      // The same version again, stamped later still (a republish), changes nothing either.
      await deliver(upserted({ ...flat, price: '2.00', version: 3 }, minutesFromNow(20)));
      expect(await held(flat.listingId)).toEqual({ version: 3, price: '320000.00', status: 'ACTIVE', deletedAt: null });
      expect((await mine(ana)).map((n) => n.title)).toEqual(['Price drop: Sea view flat']);
    });

    it('applies a newer version stamped earlier than the state it replaces, and tells the watchers', async () => {
      const [owner, ana] = [someone('SELLER'), someone()];
      const flat = listing(owner, { version: 4 });
      await deliver(upserted(flat, minutesFromNow(10)));
      await watch(ana, flat.listingId);
      // Written after version 4 by a replica whose clock runs behind.
      await deliver(upserted({ ...flat, status: 'UNDER_OFFER', version: 5 }, minutesFromNow(-10)));
      expect(await held(flat.listingId)).toMatchObject({ version: 5, status: 'UNDER_OFFER' });
      expect((await mine(ana)).map((n) => n.title)).toEqual(['Sea view flat is under offer']);
    });

    it('orders by time when either side has no version, and keeps the highest version seen', async () => {
      const [owner, ana] = [someone('SELLER'), someone()];
      // Known from an event written before versions existed: a versioned event is ordered by time.
      const flat = await published(owner);
      await watch(ana, flat.listingId);
      await deliver(upserted({ ...flat, price: '1.00', version: 9 }, minutesFromNow(-10)));
      expect(await held(flat.listingId)).toMatchObject({ version: null, price: '350000.00' });
      await deliver(upserted({ ...flat, price: '340000.00', version: 2 }));
      expect(await held(flat.listingId)).toMatchObject({ version: 2, price: '340000.00' });
      // A versionless event older than what is held (a replayed dead letter) changes nothing; a newer one
      // applies and leaves the version where it was, so a replayed version 1 still cannot win.
      await deliver(upserted({ ...flat, price: '2.00' }, minutesFromNow(-20)));
      await deliver(upserted({ ...flat, price: '330000.00' }));
      expect(await held(flat.listingId)).toMatchObject({ version: 2, price: '330000.00' });
      await deliver(upserted({ ...flat, price: '3.00', version: 1 }, minutesFromNow(30)));
      expect(await held(flat.listingId)).toMatchObject({ version: 2, price: '330000.00' });
      expect((await mine(ana)).map((n) => n.title)).toEqual(['Price drop: Sea view flat', 'Price drop: Sea view flat']);
    });

    it('keeps a deleted listing deleted: no upsert up to its version brings it back, however late it is stamped', async () => {
      const [owner, ana] = [someone('SELLER'), someone()];
      const flat = await published(owner, { version: 2 });
      await watch(ana, flat.listingId);
      await deliver(deleted(flat, 3, minutesFromNow(-10)));
      await deliver(upserted({ ...flat, price: '1.00', version: 2 }, minutesFromNow(10)));
      expect(await held(flat.listingId)).toMatchObject({ version: 3, price: '350000.00', deletedAt: expect.any(Date) });
      expect(codeOf(await watch(ana, flat.listingId))).toBe('NOT_FOUND');
      expect((await mine(ana)).map((n) => n.title)).toEqual(['Sea view flat was removed']);

      // The deletion arrives first: its tombstone carries its version, and no earlier state makes it watchable.
      const ghost = listing(owner, { version: 5 });
      await deliver(deleted(ghost, 6, minutesFromNow(-10)));
      await deliver(upserted(ghost, minutesFromNow(10)));
      expect(await held(ghost.listingId)).toMatchObject({ version: 6, status: 'DELETED', deletedAt: expect.any(Date) });
      expect(codeOf(await watch(ana, ghost.listingId))).toBe('NOT_FOUND');
    });
  });

  it('sends an event naming no real listing to dead letters', async () => {
    const bad = upserted({ ...listing(someone()), listingId: 'listing-1' });
    await deliver(bad);
    expect((await bus().deadLetters()).map((d) => (d.event as { id: string }).id)).toContain(bad.id);
  });
});
