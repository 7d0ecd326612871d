import { codeOf, createListing, person, saleInput, startListings, type Listings } from '../testing/harness';

/** Listing photos through the subgraph, uploaded to the local photo store it serves (embedded mode). */
let l: Listings;
beforeAll(async () => {
  l = await startListings();
});
afterAll(async () => {
  await l?.close();
});

const REQUEST = `mutation ($listingId: ID!, $contentType: String!, $size: Int!) {
  requestListingPhotoUpload(listingId: $listingId, contentType: $contentType, size: $size) {
    photo { id status position url } uploadUrl method headers { name value } expiresAt } }`;
const CONFIRM = `mutation ($id: ID!) { confirmListingPhoto(photoId: $id) { __typename ... on ListingPhoto { id status position isCover } ... on PhotoNotUploaded { photoId } } }`;
const REORDER = `mutation ($listingId: ID!, $ids: [ID!]!) { reorderListingPhotos(listingId: $listingId, photoIds: $ids) { id position isCover } }`;
const COVER = `mutation ($listingId: ID!, $id: ID!) { setListingCoverPhoto(listingId: $listingId, photoId: $id) { id position } }`;
const DELETE = `mutation ($id: ID!) { deleteListingPhoto(photoId: $id) }`;
const LISTING = `query ($id: ID!) { listing(id: $id) { images photos { id url position isCover } coverPhoto { id } } }`;

type Upload = {
  requestListingPhotoUpload: {
    photo: { id: string; status: string; url: string };
    uploadUrl: string;
    method: string;
    headers: { name: string; value: string }[];
  };
};
type Shown = {
  listing: {
    images: string[];
    photos: { id: string; url: string; position: number; isCover: boolean }[];
    coverPhoto: { id: string } | null;
  };
};

const bytes = (n: number, fill: number) => Buffer.alloc(n, fill);

async function upload(
  owner: Parameters<Listings['call']>[0],
  listingId: string,
  body: Buffer,
  confirm = true,
): Promise<{ id: string; url: string }> {
  const res = await l.call<Upload>(owner, REQUEST, { listingId, contentType: 'image/jpeg', size: body.length });
  expect(res.errors).toBeUndefined();
  const { photo, uploadUrl, method, headers } = res.data!.requestListingPhotoUpload;
  expect(photo.status).toBe('PENDING');
  const put = await fetch(uploadUrl, { method, headers: Object.fromEntries(headers.map((h) => [h.name, h.value])), body });
  expect(put.status).toBe(200);
  if (confirm)
    expect((await l.call(owner, CONFIRM, { id: photo.id })).data).toMatchObject({
      confirmListingPhoto: { __typename: 'ListingPhoto', status: 'READY' },
    });
  return { id: photo.id, url: photo.url };
}

describe('listing photos', () => {
  it('uploads through a pre-signed URL, orders photos with a cover, and shows them before old text URLs', async () => {
    const owner = person('SELLER');
    const listing = await createListing(l, owner, saleInput({ images: ['https://cdn.example.com/old.jpg'] }));
    const a = await upload(owner, listing.id, bytes(2048, 1));
    const b = await upload(owner, listing.id, bytes(1024, 2));
    const c = await upload(owner, listing.id, bytes(512, 3));

    let shown = (await l.call<Shown>(null, LISTING, { id: listing.id })).data!.listing;
    expect(shown.photos.map((p) => [p.id, p.position, p.isCover])).toEqual([
      [a.id, 0, true],
      [b.id, 1, false],
      [c.id, 2, false],
    ]);
    expect(shown.images).toEqual([a.url, b.url, c.url, 'https://cdn.example.com/old.jpg']);
    expect(shown.coverPhoto).toEqual({ id: a.id });
    // The stored file is served back, byte for byte.
    const served = await fetch(b.url);
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer())).toEqual(bytes(1024, 2));

    expect((await l.call(owner, REORDER, { listingId: listing.id, ids: [c.id, a.id, b.id] })).errors).toBeUndefined();
    expect((await l.call(owner, COVER, { listingId: listing.id, id: b.id })).data).toEqual({
      setListingCoverPhoto: [
        { id: b.id, position: 0 },
        { id: c.id, position: 1 },
        { id: a.id, position: 2 },
      ],
    });
    expect((await l.call(owner, DELETE, { id: c.id })).data).toEqual({ deleteListingPhoto: true });
    shown = (await l.call<Shown>(null, LISTING, { id: listing.id })).data!.listing;
    expect(shown.photos.map((p) => [p.id, p.position])).toEqual([
      [b.id, 0],
      [a.id, 1],
    ]);
    expect((await fetch(c.url)).status).toBe(404);
  });

  it("refuses what is not the owner's, not uploaded, of the wrong type or size, or a wrong order", async () => {
    const owner = person('SELLER');
    const listing = await createListing(l, owner, saleInput());
    const stranger = person('SELLER');
    expect(codeOf(await l.call(stranger, REQUEST, { listingId: listing.id, contentType: 'image/jpeg', size: 100 }))).toBe('FORBIDDEN');
    expect(codeOf(await l.call(null, REQUEST, { listingId: listing.id, contentType: 'image/jpeg', size: 100 }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await l.call(owner, REQUEST, { listingId: listing.id, contentType: 'image/gif', size: 100 }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await l.call(owner, REQUEST, { listingId: listing.id, contentType: 'image/png', size: 50 * 1024 * 1024 }))).toBe(
      'BAD_USER_INPUT',
    );

    const res = await l.call<Upload>(owner, REQUEST, { listingId: listing.id, contentType: 'image/png', size: 10 });
    const pending = res.data!.requestListingPhotoUpload;
    expect((await l.call(owner, CONFIRM, { id: pending.photo.id })).data).toEqual({
      confirmListingPhoto: { __typename: 'PhotoNotUploaded', photoId: pending.photo.id },
    });
    // The signed URL takes exactly the signed size and type.
    expect((await fetch(pending.uploadUrl, { method: 'PUT', headers: { 'Content-Type': 'image/png' }, body: bytes(11, 0) })).status).toBe(
      400,
    );
    expect((await fetch(pending.uploadUrl, { method: 'PUT', headers: { 'Content-Type': 'image/jpeg' }, body: bytes(10, 0) })).status).toBe(
      400,
    );
    expect(
      (
        await fetch(pending.uploadUrl.replace('size=10', 'size=11'), {
          method: 'PUT',
          headers: { 'Content-Type': 'image/png' },
          body: bytes(11, 0),
        })
      ).status,
    ).toBe(403);
    expect((await l.call(stranger, CONFIRM, { id: pending.photo.id })).errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');

    const one = await upload(owner, listing.id, bytes(100, 9));
    expect(codeOf(await l.call(owner, REORDER, { listingId: listing.id, ids: [one.id, one.id] }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await l.call(owner, REORDER, { listingId: listing.id, ids: [] }))).toBe('BAD_USER_INPUT');
  });
});
