import type { ConfirmListingPhotoResultResolvers, ListingPhotoResolvers } from '../generated/graphql';

export const ListingPhoto: ListingPhotoResolvers = {
  isCover: (photo) => photo.position === 0,
};

export const ConfirmListingPhotoResult: ConfirmListingPhotoResultResolvers = {
  __resolveType: (result) => result.__typename,
};
