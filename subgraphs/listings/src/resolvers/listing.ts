import type { ListingResolvers } from '../generated/graphql';

export const Listing: ListingResolvers = {
  // Authorizes like `Query.listing`: another user's draft resolves to null.
  __resolveReference: async (ref, ctx) => ctx.listings.visibleTo(ctx, await ctx.loaders.listingById.load(ref.id)),
  owner: (listing) => ({ id: listing.ownerId }),
  priceHistory: (listing, _args, ctx) => ctx.loaders.priceHistory.load(listing.id),
  photos: async (listing, _args, ctx) => (await ctx.loaders.photos.load(listing.id)).map((p) => ctx.photos.view(p)),
  coverPhoto: async (listing, _args, ctx) => {
    const [cover] = await ctx.loaders.photos.load(listing.id);
    return cover ? ctx.photos.view(cover) : null;
  },
  // Uploaded photos first, then the text URLs of listings from before uploads (still stored).
  images: async (listing, _args, ctx) => [
    ...(await ctx.loaders.photos.load(listing.id)).map((p) => ctx.photos.view(p).url),
    ...listing.images,
  ],
};
