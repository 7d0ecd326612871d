import path from 'node:path';
import { defineSubgraph, loaderByKey, loaderOfLists } from '@market/platform';
import { loadListingsEnv } from './env';
import type { Context } from './context';
import { createPrisma } from './db';
import { resolvers } from './resolvers';
import { ListingRepository } from './repositories/listing-repository';
import { ListingDetailCache } from './repositories/listing-detail-cache';
import { listingsConsumers } from './consumers';
import { ListingService } from './services/listing-service';
import { viewerOf } from './viewer';
import { LiveUpdates } from './services/live-updates';
import { createListingSearch } from './search/create-search';
import { ListingSearchService } from './search/search-service';
import { createAuctions, withAuctionResolvers } from './auctions/module';
import { RecommendationRepository } from './repositories/recommendation-repository';
import { RecommendationEngine } from './recommendations/engine';
import { RecommendationService } from './recommendations/recommendation-service';
import { SavedRepository } from './repositories/saved-repository';
import { SavedService } from './saved/saved-service';
import { savedSearchDigestJob } from './saved/digest-job';
import { DatedSearch } from './dates/dated-search';
import { StayHoldRepository } from './repositories/stay-hold-repository';
import { PhotoRepository } from './repositories/photo-repository';
import { PhotoService } from './photos/photo-service';
import { createPhotoStorage } from './photos/photo-storage';

export { loadListingsEnv, loadListingsEnv as loadEnv, listingsEnvSchema, type ListingsEnv } from './env';

/** Listings and their search: what the listings subgraph is made of; the platform host runs it. */
export const listings = defineSubgraph()({
  name: 'listings',
  schemaPath: path.join(__dirname, '..', 'schema.graphql'),
  loadEnv: loadListingsEnv,
  database: createPrisma,
  async build({ env, db, redis, pubsub, logger }) {
    const index = createListingSearch(env, db, logger);
    const live = new LiveUpdates(pubsub, logger);
    const auctions = createAuctions(db, env, pubsub, logger, redis.rateLimiter);
    const repository = new ListingRepository(db);
    // Redis when REDIS_URL is set (cached listings shared by every replica), in-process otherwise.
    const details = new ListingDetailCache(repository, redis.cache);
    const listingService = new ListingService(repository, details, live);
    const search = new ListingSearchService(index, repository);
    const learned = new RecommendationRepository(db);
    const recommendations = new RecommendationService(new RecommendationEngine(learned), learned, details, logger);
    const savedRepository = new SavedRepository(db);
    const saved = new SavedService(savedRepository, details);
    const datedSearch = new DatedSearch(search, new StayHoldRepository(db));
    const photoStorage = await createPhotoStorage(env, logger);
    const photoRepository = new PhotoRepository(db);
    const photos = new PhotoService(photoRepository, photoStorage.storage, details, env.PHOTO_MAX_BYTES, logger);
    return {
      resolvers: withAuctionResolvers(resolvers),
      subscriptions: true,
      routes: photoStorage.local ? (app) => photoStorage.local?.mount(app) : undefined,
      onListen: photoStorage.local ? (port) => photoStorage.local?.useBaseUrlIfUnset(`http://localhost:${port}/uploads`) : undefined,
      context: (base): Context => ({
        ...base,
        listings: listingService,
        search,
        recommendations,
        saved,
        datedSearch,
        photos,
        pubsub,
        auctions: auctions.service,
        auctionLoaders: auctions.loaders(base),
        loaders: {
          listingById: loaderByKey(
            (ids) => details.findByIds(ids),
            (l) => l.id,
          ),
          listingsByOwner: loaderOfLists(
            (ownerIds) => repository.findByOwners(ownerIds, viewerOf(base)),
            (l) => l.ownerId,
          ),
          priceHistory: loaderOfLists(
            (ids) => repository.priceHistories(ids),
            (p) => p.listingId,
          ),
          photos: loaderOfLists(
            (ids) => photoRepository.readyOf(ids),
            (p) => p.listingId,
          ),
        },
      }),
      consumers: [...listingsConsumers(db, { index, details, live }), (bus) => auctions.consume(bus)],
      jobs: [...auctions.jobs, savedSearchDigestJob(savedRepository)],
      async close() {
        await auctions.close();
        await index.close();
        photoStorage.close();
      },
    };
  },
});

export const createSubgraph = listings.create;
