import { DateTimeScalar, LocalDateScalar } from '@market/platform';
import type { Resolvers } from '../generated/graphql';
import { Query } from './query';
import { Mutation } from './mutation';
import { Subscription } from './subscription';
import { Listing } from './listing';
import { User } from './user';
import { ListingSearchResult } from './search';
import { SaveSearchResult } from './saved';
import { ConfirmListingPhotoResult, ListingPhoto } from './photos';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Date: LocalDateScalar,
  Query,
  Mutation,
  Subscription,
  Listing,
  User,
  ListingSearchResult,
  SaveSearchResult,
  ListingPhoto,
  ConfirmListingPhotoResult,
};
