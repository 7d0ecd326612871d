import { randomUUID } from 'node:crypto';
import { admin, BOOK, day, inHours, person, startBookings, type Bookings } from './testing/harness';

/**
 * A guest's stays and a buyer's viewings outlive the listing they were at: when the listing is
 * deleted or hidden, `listing` is null (the list itself never fails) and `listingTitle` still says
 * what was booked. Slots of a listing that is off the market are its owner's business only.
 */

const MY_STAYS = `{ myStays { id status listingTitle listing { id } guest { id } } }`;
const MY_VIEWINGS = `{ myViewings { id status listingTitle listing { id } buyer { id } agent { id } } }`;
const PUBLISH = `mutation($listingId: ID!, $slots: [ViewingSlotInput!]!) { publishViewingSlots(listingId: $listingId, slots: $slots) { id } }`;
const REQUEST_VIEWING = `mutation($input: RequestViewingInput!) { requestViewing(input: $input) { __typename ... on ViewingAppointment { id } } }`;
const SLOTS = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Listing { id viewingSlots { id } } } }`;

let b: Bookings;
beforeAll(async () => {
  b = await startBookings();
});
afterAll(async () => {
  await b?.close();
});

describe('stays and viewings of listings that are gone', () => {
  it('keeps a guest’s stays readable, with their title, after the listing is deleted', async () => {
    const home = await b.listing({ title: 'Loft by the canal', instantBook: true });
    const guest = person();
    const booked = await b.call(guest, BOOK, { input: { listingId: home.id, checkIn: day(10), checkOut: day(12), guests: 1 } });
    const stayId = booked.data.bookStay.id;
    expect((await b.call(guest, MY_STAYS)).data.myStays).toEqual([
      { id: stayId, status: 'CONFIRMED', listingTitle: 'Loft by the canal', listing: { id: home.id }, guest: { id: guest.userId } },
    ]);

    await b.deliver('listings.listing.deleted', { listingId: home.id, ownerId: home.owner.userId });
    const after = await b.call(guest, MY_STAYS);
    expect(after.errors).toBeUndefined();
    expect(after.data.myStays).toEqual([
      { id: stayId, status: 'CANCELLED', listingTitle: 'Loft by the canal', listing: null, guest: { id: guest.userId } },
    ]);
  });

  it('keeps the title a guest booked when the listing is renamed and taken off the market (listings decides whether to show it)', async () => {
    const home = await b.listing({ title: 'Cabin in the woods' });
    const guest = person();
    const booked = await b.call(guest, BOOK, { input: { listingId: home.id, checkIn: day(10), checkOut: day(12), guests: 1 } });
    await b.deliver(
      'listings.listing.upserted',
      { ...home.payload, title: 'Renamed', status: 'DRAFT', version: 2 },
      { occurredAt: new Date(Date.now() + 1_000).toISOString() },
    );
    const { rows } = await b.sql.query('SELECT title, status FROM listing_snapshots WHERE listing_id = $1', [home.id]);
    expect(rows).toEqual([{ title: 'Renamed', status: 'DRAFT' }]);
    const after = await b.call(guest, MY_STAYS);
    expect(after.errors).toBeUndefined();
    expect(after.data.myStays).toEqual([
      {
        id: booked.data.bookStay.id,
        status: 'REQUESTED',
        listingTitle: 'Cabin in the woods',
        listing: { id: home.id },
        guest: { id: guest.userId },
      },
    ]);
  });

  it('keeps a buyer’s viewings readable, with their title, after the listing is deleted', async () => {
    const house = await b.forSale({ title: 'Old mill' });
    const buyer = person();
    const requested = await b.call(buyer, REQUEST_VIEWING, { input: { listingId: house.id, startsAt: inHours(48), endsAt: inHours(49) } });
    const viewingId = requested.data.requestViewing.id;
    await b.deliver('listings.listing.deleted', { listingId: house.id, ownerId: house.owner.userId });
    const after = await b.call(buyer, MY_VIEWINGS);
    expect(after.errors).toBeUndefined();
    expect(after.data.myViewings).toEqual([
      {
        id: viewingId,
        status: 'CANCELLED',
        listingTitle: 'Old mill',
        listing: null,
        buyer: { id: buyer.userId },
        agent: { id: house.owner.userId },
      },
    ]);
  });
});

describe('Listing.viewingSlots', () => {
  it('shows the slots of an ACTIVE listing to anyone, and of a listing off the market only to its owner and admins', async () => {
    const house = await b.forSale();
    const published = await b.call(house.owner, PUBLISH, { listingId: house.id, slots: [{ startsAt: inHours(30), endsAt: inHours(31) }] });
    const slotIds = published.data.publishViewingSlots.map((s: { id: string }) => ({ id: s.id }));
    const slotsAs = async (who: ReturnType<typeof person> | null) =>
      (await b.call(who, SLOTS, { r: [{ __typename: 'Listing', id: house.id }] })).data._entities[0].viewingSlots;

    expect(await slotsAs(null)).toEqual(slotIds);
    expect(await slotsAs(person())).toEqual(slotIds);

    await b.deliver(
      'listings.listing.upserted',
      { ...house.payload, status: 'ARCHIVED', version: 2 },
      { occurredAt: new Date(Date.now() + 1_000).toISOString() },
    );
    expect(await slotsAs(null)).toEqual([]);
    expect(await slotsAs(person())).toEqual([]);
    expect(await slotsAs(house.owner)).toEqual(slotIds);
    expect(await slotsAs(admin())).toEqual(slotIds);

    // A listing bookings never heard of has no slots for anyone.
    const unknown = await b.call(null, SLOTS, { r: [{ __typename: 'Listing', id: randomUUID() }] });
    expect(unknown.data._entities[0].viewingSlots).toEqual([]);
  });
});
