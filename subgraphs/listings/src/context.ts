import type { BaseContext, DataLoader, PubSub } from '@market/platform';
import type { ListingRecord } from './domain';
import type { ListingService } from './services/listing-service';
import type { ListingSearchService } from './search/search-service';
import type { AuctionService } from './auctions/services/auction-service';
import type { AuctionLoaders } from './auctions/resolvers/loaders';
import type { RecommendationService } from './recommendations/recommendation-service';
import type { SavedService } from './saved/saved-service';
import type { DatedSearch } from './dates/dated-search';
import type { PhotoService } from './photos/photo-service';
import type { PhotoRecord } from './repositories/photo-repository';
import type { PriceChangeRecord } from './repositories/listing-repository';

export interface Context extends BaseContext {
  listings: ListingService;
  search: ListingSearchService;
  recommendations: RecommendationService;
  saved: SavedService;
  /** `searchListings`, with or without dates. */
  datedSearch: DatedSearch;
  photos: PhotoService;
  /** Where `listingUpdated` listens (shared by every replica: Redis, or in-process when embedded). */
  pubsub: PubSub;
  auctions: AuctionService;
  auctionLoaders: AuctionLoaders;
  loaders: {
    /** Any listing by id, whatever its status: callers decide visibility through ListingService. */
    listingById: DataLoader<string, ListingRecord | null>;
    /** A user's listings as this request's caller may see them. */
    listingsByOwner: DataLoader<string, ListingRecord[]>;
    /** Price histories, oldest first, one query per request. */
    priceHistory: DataLoader<string, PriceChangeRecord[]>;
    /** READY photos in order, one query per request. */
    photos: DataLoader<string, PhotoRecord[]>;
  };
}
