import { InProcessEventBus, createLogger, type EventEnvelope, type LiveEvent } from '@market/platform';
import { listingUpdatedTopic, type ListingUpdated } from '../live/topics';
import { OWNER_CLEANUP_CONSUMER } from './account-deletion';
import { createListing, envelope, person, rentInput, saleInput, startListings, type Listings } from '../testing/harness';
import { eventually } from '@market/platform/testing';

/**
 * `accounts.user.deleted` delivered the way accounts' relay delivers it: on the bus this listings
 * subgraph consumes from, against the real test database.
 */
let l: Listings;
let bus: InProcessEventBus;
beforeAll(async () => {
  bus = new InProcessEventBus(createLogger('bus', 'silent'), { attempts: 2, initialDelayMs: 10, maxDelayMs: 20 });
  l = await startListings({ bus });
});
afterAll(async () => {
  await l?.close();
  await bus?.close();
});

const LISTING = `query ($id: ID!) { listing(id: $id) { id title } }`;
const UPDATE = `mutation ($id: ID!, $input: UpdateListingInput!) { updateListing(id: $id, input: $input) { id version } }`;
const USER_LISTINGS = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { id listings { id } } } }`;

async function deliver(event: EventEnvelope<'accounts.user.deleted'>): Promise<void> {
  await bus.publish([event]);
  await bus.drain();
  expect(await bus.deadLetters()).toEqual([]);
}

async function outboxOf(listingId: string) {
  const { rows } = await l.db.query<{ type: string; payload: unknown }>(
    'SELECT type, payload FROM outbox_events WHERE aggregate_id = $1 ORDER BY seq',
    [listingId],
  );
  return rows;
}

async function exists(listingId: string): Promise<boolean> {
  const { rowCount } = await l.db.query('SELECT 1 FROM listings WHERE id = $1', [listingId]);
  return rowCount === 1;
}

async function indexed(listingId: string): Promise<boolean> {
  const { rowCount } = await l.db.query('SELECT 1 FROM listing_search WHERE listing_id = $1', [listingId]);
  return rowCount === 1;
}

/** What `listingUpdated` subscribers of this listing are sent, straight from the pub/sub. */
async function watch(listingId: string): Promise<LiveEvent<ListingUpdated>[]> {
  const seen: LiveEvent<ListingUpdated>[] = [];
  await l.pubsub.subscribe(listingUpdatedTopic.channel(listingId), (message) => {
    const event = listingUpdatedTopic.parse(message);
    if (event) seen.push(event);
  });
  return seen;
}

describe('accounts.user.deleted', () => {
  it("deletes every listing of the user, each with its deletion event, and nobody else's", async () => {
    const [leaving, staying, admin] = [person('HOST'), person('SELLER'), person('ADMIN')];
    const rental = await createListing(l, leaving, rentInput());
    const draft = await createListing(l, leaving, saleInput({ status: 'DRAFT' }));
    expect((await l.call(leaving, UPDATE, { id: rental.id, input: { title: 'Renamed before leaving' } })).errors).toBeUndefined();
    const kept = await createListing(l, staying, saleInput());
    // Cached, and indexed for search, before the account goes.
    for (const id of [rental.id, draft.id])
      expect((await l.call<{ listing: { id: string } }>(admin, LISTING, { id })).data?.listing?.id).toBe(id);
    await eventually(() => indexed(rental.id), 10_000);
    const [rentalWatch, draftWatch] = await Promise.all([watch(rental.id), watch(draft.id)]);

    const event = envelope('accounts.user.deleted', leaving.userId, { userId: leaving.userId });
    await deliver(event);

    expect(await exists(rental.id)).toBe(false);
    expect(await exists(draft.id)).toBe(false);
    expect(await exists(kept.id)).toBe(true);
    // Not even an admin reads them any more: the detail cache forgot them with the commit.
    for (const id of [rental.id, draft.id]) expect((await l.call(admin, LISTING, { id })).data).toEqual({ listing: null });
    const theirs = await l.call<{ _entities: { listings: unknown[] }[] }>(admin, USER_LISTINGS, {
      reps: [{ __typename: 'User', id: leaving.userId }],
    });
    expect(theirs.data?._entities[0]?.listings).toEqual([]);

    // Their deletion events take the place of every earlier event naming them, one version past
    // each listing's last state (the rental was updated once).
    for (const [id, version] of [
      [rental.id, 3],
      [draft.id, 2],
    ] as const) {
      expect(await outboxOf(id)).toEqual([
        { type: 'listings.listing.deleted', payload: { listingId: id, ownerId: leaving.userId, version } },
      ]);
    }
    expect(await outboxOf(kept.id)).toHaveLength(1);
    const inbox = await l.db.query('SELECT 1 FROM inbox_events WHERE consumer = $1 AND event_id = $2', [OWNER_CLEANUP_CONSUMER, event.id]);
    expect(inbox.rowCount).toBe(1);

    // Watchers get a last DELETED event one version up; the draft's only for its owner and admins.
    await eventually(() => rentalWatch.length === 1 && draftWatch.length === 1);
    expect(rentalWatch[0]).toMatchObject({
      cursor: '3',
      payload: { id: rental.id, status: 'DELETED', version: 3, ownerOnly: false, title: 'Renamed before leaving' },
    });
    expect(draftWatch[0]).toMatchObject({ cursor: '2', payload: { id: draft.id, status: 'DELETED', version: 2, ownerOnly: true } });

    // Search follows the deletion event.
    await eventually(async () => !(await indexed(rental.id)), 10_000);
  });

  it('applies nothing twice when the same event is delivered again', async () => {
    const leaving = person('AGENT');
    const first = await createListing(l, leaving, saleInput());
    const firstWatch = await watch(first.id);
    const event = envelope('accounts.user.deleted', leaving.userId, { userId: leaving.userId });
    await deliver(event);
    expect(await exists(first.id)).toBe(false);
    await eventually(() => firstWatch.length === 1);

    // A listing of theirs that exists at redelivery shows that the redelivery is skipped by the inbox,
    // not merely harmless. The API refuses them now (deleted_owners), so it is moved to them by hand.
    const late = await createListing(l, person('SELLER'), saleInput());
    await l.db.query('UPDATE listings SET owner_id = $1 WHERE id = $2', [leaving.userId, late.id]);
    const lateWatch = await watch(late.id);
    await deliver(event);
    expect(await exists(late.id)).toBe(true);
    expect(await outboxOf(first.id)).toEqual([
      { type: 'listings.listing.deleted', payload: { listingId: first.id, ownerId: leaving.userId, version: 2 } },
    ]);
    expect(await outboxOf(late.id)).toEqual([expect.objectContaining({ type: 'listings.listing.upserted' })]);
    const inbox = await l.db.query('SELECT 1 FROM inbox_events WHERE consumer = $1 AND event_id = $2', [OWNER_CLEANUP_CONSUMER, event.id]);
    expect(inbox.rowCount).toBe(1);
    // Give a stray live event time to arrive before asserting there is none.
    await new Promise((r) => setTimeout(r, 100));
    expect(firstWatch).toHaveLength(1);
    expect(lateWatch).toHaveLength(0);

    // The same user deleted again by a new event: the handler does act when the inbox lets it.
    await deliver(envelope('accounts.user.deleted', leaving.userId, { userId: leaving.userId }));
    expect(await exists(late.id)).toBe(false);
  });

  it('does nothing for a user without listings, or an id that is not a uuid', async () => {
    const nobody = person('BUYER');
    const bystander = await createListing(l, person('SELLER'), saleInput());
    await deliver(envelope('accounts.user.deleted', nobody.userId, { userId: nobody.userId }));
    await deliver(envelope('accounts.user.deleted', 'not-a-uuid', { userId: 'not-a-uuid' }));
    expect(await exists(bystander.id)).toBe(true);
  });
});
