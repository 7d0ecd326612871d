import { randomUUID } from 'node:crypto';
import { listingUpdatedTopic } from './live/topics';
import { codeOf, createListing, person, rentInput, saleInput, startListings, type Listings } from './testing/harness';
import { eventually } from '@market/platform/testing';

/** `listingUpdated` on the subgraph itself, subscribed over graphql-ws the way the gateway does. */
let l: Listings;
beforeAll(async () => {
  l = await startListings();
});
afterAll(async () => {
  await l?.close();
});

const LISTING_UPDATED = /* GraphQL */ `
  subscription ($listingId: ID!) {
    listingUpdated(listingId: $listingId) {
      id
      title
      status
      pricePerNight
      weeklyDiscountPercent
      cancellationPolicy
      version
      owner {
        id
      }
    }
  }
`;
const UPDATE = /* GraphQL */ `
  mutation ($id: ID!, $input: UpdateListingInput!) {
    updateListing(id: $id, input: $input) {
      id
      version
    }
  }
`;
const DELETE = /* GraphQL */ `
  mutation ($id: ID!) {
    deleteListing(id: $id)
  }
`;
const LISTING = /* GraphQL */ `
  query ($id: ID!) {
    listing(id: $id) {
      id
      title
      version
    }
  }
`;

interface Event {
  listingUpdated: { id: string; title: string; status: string; version: number; [field: string]: unknown };
}

/** Resolves once `count` subscriptions listen to the listing's channel. */
const listening = (listingId: string, count: number) =>
  eventually(() => l.pubsub.listeners(listingUpdatedTopic.channel(listingId)) === count);

/** Watches the listing over `listingUpdated` as this caller (null: signed out). */
const watch = (as: ReturnType<typeof person> | null, listingId: string) => l.subscribe<Event>(as, LISTING_UPDATED, { listingId });

/** [status, version] of each event a watcher heard. */
const statusesAndVersions = (sub: { events: Event[] }) => sub.events.map((e) => [e.listingUpdated.status, e.listingUpdated.version]);

async function update(as: ReturnType<typeof person>, id: string, input: Record<string, unknown>): Promise<number> {
  const res = await l.call<{ updateListing: { version: number } }>(as, UPDATE, { id, input });
  expect(res.errors).toBeUndefined();
  return res.data!.updateListing.version;
}

describe('listingUpdated', () => {
  it('tells anyone watching a published listing, signed in or not, about each change, with its version', async () => {
    const host = person('HOST');
    const listing = await createListing(l, host, rentInput());
    const anonymous = watch(null, listing.id);
    const buyer = watch(person('BUYER'), listing.id.toUpperCase());
    await listening(listing.id, 2);

    await update(host, listing.id, { pricePerNight: '120', weeklyDiscountPercent: 10, cancellationPolicy: 'FLEXIBLE' });
    await update(host, listing.id, { title: 'Now with a balcony' });
    await eventually(() => anonymous.events.length === 2 && buyer.events.length === 2);

    for (const sub of [anonymous, buyer]) {
      expect(sub.errors).toEqual([]);
      expect(sub.events.map((e) => e.listingUpdated)).toEqual([
        expect.objectContaining({
          id: listing.id,
          pricePerNight: '120.00',
          weeklyDiscountPercent: 10,
          cancellationPolicy: 'FLEXIBLE',
          version: 2,
          owner: { id: host.userId },
        }),
        expect.objectContaining({ title: 'Now with a balcony', status: 'ACTIVE', version: 3 }),
      ]);
    }
    // Catch-up is a read of the listing: its version is the last event's.
    const current = await l.call<{ listing: { version: number } }>(null, LISTING, { id: listing.id });
    expect(current.data?.listing.version).toBe(3);
    anonymous.unsubscribe();
    buyer.unsubscribe();
    await listening(listing.id, 0);
  });

  it('refuses a listing the caller cannot see as NOT_FOUND, like the query, and lets its owner and admins watch it', async () => {
    const seller = person('SELLER');
    const draft = await createListing(l, seller, saleInput({ status: 'DRAFT' }));
    const refused = [
      watch(person('BUYER'), draft.id),
      watch(person('SELLER'), draft.id),
      watch(null, draft.id),
      watch(person('BUYER'), randomUUID()),
      watch(person('BUYER'), 'not-a-uuid'),
    ];
    await eventually(() => refused.every((s) => s.done));
    expect(refused.map((s) => codeOf({ errors: s.errors as { extensions?: Record<string, unknown> }[] }))).toEqual(
      Array(refused.length).fill('NOT_FOUND'),
    );

    const owner = watch(seller, draft.id);
    const admin = watch(person('ADMIN'), draft.id);
    await listening(draft.id, 2);
    await update(seller, draft.id, { title: 'Still a draft' });
    await eventually(() => owner.events.length === 1 && admin.events.length === 1);
    expect(owner.events[0]?.listingUpdated).toMatchObject({ title: 'Still a draft', status: 'DRAFT', version: 2 });
    expect(refused.every((s) => s.events.length === 0)).toBe(true);
    owner.unsubscribe();
    admin.unsubscribe();
  });

  it('checks every event: while the listing is hidden, only its owner and admins hear of it', async () => {
    const seller = person('SELLER');
    const listing = await createListing(l, seller, saleInput());
    const stranger = watch(person('BUYER'), listing.id);
    const owner = watch(seller, listing.id);
    await listening(listing.id, 2);

    await update(seller, listing.id, { status: 'DRAFT' });
    await update(seller, listing.id, { title: 'Secret renovation' });
    await update(seller, listing.id, { status: 'ACTIVE' });
    await eventually(() => owner.events.length === 3);
    await eventually(() => stranger.events.length === 1);
    expect(statusesAndVersions(owner)).toEqual([
      ['DRAFT', 2],
      ['DRAFT', 3],
      ['ACTIVE', 4],
    ]);
    expect(stranger.events.map((e) => [e.listingUpdated.status, e.listingUpdated.version, e.listingUpdated.title])).toEqual([
      ['ACTIVE', 4, 'Secret renovation'],
    ]);
    expect(stranger.done).toBe(false);
    stranger.unsubscribe();
    owner.unsubscribe();
  });

  it('ends with a DELETED event, one version up, after which the listing reads as null', async () => {
    const seller = person('SELLER');
    const listing = await createListing(l, seller, saleInput());
    const watcher = watch(person('BUYER'), listing.id);
    await listening(listing.id, 1);

    await update(seller, listing.id, { price: '340000' });
    expect((await l.call(seller, DELETE, { id: listing.id })).data).toEqual({ deleteListing: true });
    await eventually(() => watcher.events.length === 2);
    expect(watcher.events[1]?.listingUpdated).toMatchObject({
      id: listing.id,
      status: 'DELETED',
      version: 3,
      owner: { id: seller.userId },
    });
    expect((await l.call(null, LISTING, { id: listing.id })).data).toEqual({ listing: null });
    // Nothing can follow a deletion: the subscription completes, without an error, and lets go of the channel.
    await eventually(() => watcher.done);
    expect(watcher.errors).toEqual([]);
    expect(watcher.events).toHaveLength(2);
    await listening(listing.id, 0);
  });

  it('tells a stranger nothing about a deleted draft', async () => {
    const seller = person('SELLER');
    const listing = await createListing(l, seller, saleInput());
    const stranger = watch(person('BUYER'), listing.id);
    const owner = watch(seller, listing.id);
    await listening(listing.id, 2);

    await update(seller, listing.id, { status: 'DRAFT' });
    await l.call(seller, DELETE, { id: listing.id });
    await eventually(() => owner.events.length === 2);
    expect(owner.events[1]?.listingUpdated).toMatchObject({ status: 'DELETED', version: 3 });
    // The stranger's subscription ends too, with no data: not even that the draft was deleted.
    await eventually(() => stranger.done && owner.done);
    expect(stranger.events).toEqual([]);
    expect(stranger.errors).toEqual([]);
    expect(owner.errors).toEqual([]);
    await listening(listing.id, 0);
  });

  it('ends every subscription to a listing deleted while archived: owner and admin after the DELETED event, a stranger without it', async () => {
    const seller = person('SELLER');
    const listing = await createListing(l, seller, rentInput());
    const stranger = watch(person('BUYER'), listing.id);
    const anonymous = watch(null, listing.id);
    const owner = watch(seller, listing.id);
    const admin = watch(person('ADMIN'), listing.id);
    await listening(listing.id, 4);

    await update(seller, listing.id, { status: 'ARCHIVED' });
    await update(seller, listing.id, { title: 'SECRET new name' });
    await l.call(seller, DELETE, { id: listing.id });
    await eventually(() => [stranger, anonymous, owner, admin].every((s) => s.done));

    for (const sub of [owner, admin]) {
      expect(sub.errors).toEqual([]);
      expect(statusesAndVersions(sub)).toEqual([
        ['ARCHIVED', 2],
        ['ARCHIVED', 3],
        ['DELETED', 4],
      ]);
    }
    for (const sub of [stranger, anonymous]) {
      expect(sub.errors).toEqual([]);
      expect(sub.events).toEqual([]);
    }
    await listening(listing.id, 0);
  });

  it('keeps a subscription open through hiding and showing again; only deletion ends it', async () => {
    const seller = person('SELLER');
    const listing = await createListing(l, seller, saleInput());
    const stranger = watch(person('BUYER'), listing.id);
    await listening(listing.id, 1);

    await update(seller, listing.id, { status: 'ARCHIVED' });
    await update(seller, listing.id, { status: 'ACTIVE' });
    await eventually(() => stranger.events.length === 1);
    expect(stranger.done).toBe(false);
    await l.call(seller, DELETE, { id: listing.id });
    await eventually(() => stranger.done);
    expect(stranger.events.map((e) => e.listingUpdated.status)).toEqual(['ACTIVE', 'DELETED']);
    await listening(listing.id, 0);
  });
});
