import type { MutationResolvers } from '../generated/graphql';

export const Mutation: MutationResolvers = {
  createListing: (_parent, { input }, ctx) => ctx.listings.create(ctx, input),
  updateListing: (_parent, { id, input }, ctx) => ctx.listings.update(ctx, id, input),
  deleteListing: (_parent, { id }, ctx) => ctx.listings.delete(ctx, id),
  saveListing: (_parent, { listingId }, ctx) => ctx.saved.saveListing(ctx, listingId),
  unsaveListing: (_parent, { listingId }, ctx) => ctx.saved.unsaveListing(ctx, listingId),
  saveSearch: (_parent, args, ctx) => ctx.saved.saveSearch(ctx, args),
  deleteSavedSearch: (_parent, { id }, ctx) => ctx.saved.deleteSavedSearch(ctx, id),
  requestListingPhotoUpload: async (_parent, args, ctx) => {
    const { photo, upload } = await ctx.photos.requestUpload(ctx, args);
    return {
      photo,
      uploadUrl: upload.url,
      method: upload.method,
      headers: Object.entries(upload.headers).map(([name, value]) => ({ name, value })),
      expiresAt: upload.expiresAt,
    };
  },
  confirmListingPhoto: (_parent, { photoId }, ctx) => ctx.photos.confirm(ctx, photoId),
  reorderListingPhotos: (_parent, { listingId, photoIds }, ctx) => ctx.photos.reorder(ctx, listingId, photoIds),
  setListingCoverPhoto: (_parent, { listingId, photoId }, ctx) => ctx.photos.setCover(ctx, listingId, photoId),
  deleteListingPhoto: (_parent, { photoId }, ctx) => ctx.photos.delete(ctx, photoId),
};
