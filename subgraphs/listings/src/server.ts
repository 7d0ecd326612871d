import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gql } from 'graphql-tag';
import {
  createLogger,
  createRedisServices,
  createSubgraphServer,
  loaderByKey,
  loaderOfLists,
  startOutboxRelay,
  type Logger,
  type Subgraph,
  type SubgraphDeps,
} from '@market/platform';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { ListingsEnv } from './env';
import type { Context } from './context';
import { createPrisma } from './db';
import { resolvers } from './resolvers';
import { ListingRepository } from './repositories/listing-repository';
import { ListingDetailCache } from './repositories/listing-detail-cache';
import { consumeDetailCacheEvents } from './events';
import { consumeAccountEvents } from './owner-cleanup';
import { ListingService, viewerOf } from './services/listing-service';
import { LiveUpdates } from './services/live-updates';
import { consumeSearchEvents } from './search/consumer';
import { createListingSearch } from './search/create-search';
import { ListingSearchService } from './search/search-service';
import { createAuctions, withAuctionResolvers } from './auctions/module';

export { loadListingsEnv, loadListingsEnv as loadEnv, listingsEnvSchema, type ListingsEnv } from './env';

export const typeDefs = gql(readFileSync(path.join(__dirname, '..', 'schema.graphql'), 'utf8'));

/** Builds the listings subgraph; nothing listens until the caller says so. */
export async function createSubgraph(
  env: ListingsEnv,
  logger: Logger = createLogger('listings', env.LOG_LEVEL),
  deps: SubgraphDeps = { bus: null },
): Promise<Subgraph> {
  const db = createPrisma(env.DATABASE_URL, env.DATABASE_POOL_SIZE, deps.onQuery);
  const index = createListingSearch(env, db, logger);
  // Redis when REDIS_URL is set (cached listings shared by every replica), in-process otherwise.
  const redis = createRedisServices({ redisUrl: env.REDIS_URL, logger, keyPrefix: env.REDIS_KEY_PREFIX });
  // Subscription fan-out: the one given (Redis in a process of its own, shared in embedded mode), else
  // this service's own (Redis when REDIS_URL is set, otherwise this process only).
  const pubsub = deps.pubsub ?? redis.pubsub;
  const live = new LiveUpdates(pubsub, logger);
  const auctions = createAuctions(db, env, pubsub, logger);
  const repository = new ListingRepository(db);
  const details = new ListingDetailCache(repository, redis.cache);
  // Listings consumes its own events to keep the search index and the detail cache in line with the
  // database, and account deletions to delete the user's listings.
  if (deps.bus) {
    await consumeSearchEvents(deps.bus, db, index);
    await consumeDetailCacheEvents(deps.bus, db, details);
    await consumeAccountEvents(deps.bus, db, { details, live });
    await auctions.consume(deps.bus);
  }
  // Relayed once the consumers listen, so an in-process bus hands them every event.
  const relay = deps.bus ? startOutboxRelay({ databaseUrl: env.DATABASE_URL, bus: deps.bus, logger }) : null;
  const listings = new ListingService(repository, details, live);
  const search = new ListingSearchService(index, repository);
  const server = await createSubgraphServer<Context>({
    name: 'listings',
    typeDefs,
    resolvers: withAuctionResolvers(resolvers) as GraphQLResolverMap<Context>,
    signingSecret: env.GATEWAY_SIGNING_SECRET,
    logger,
    exposeInternals: env.NODE_ENV === 'development',
    readiness: async () => {
      await db.$queryRaw`SELECT 1`;
    },
    subscriptions: true,
    createContext: (base) => ({
      ...base,
      listings,
      search,
      pubsub,
      auctions: auctions.service,
      auctionLoaders: auctions.loaders(base),
      loaders: {
        listingById: loaderByKey((ids) => details.findByIds(ids), (l) => l.id),
        listingsByOwner: loaderOfLists((ownerIds) => repository.findByOwners(ownerIds, viewerOf(base)), (l) => l.ownerId),
      },
    }),
  });
  return {
    name: 'listings',
    server,
    async close() {
      await server.stop();
      await auctions.close();
      await relay?.stop();
      await index.close();
      await redis.close();
      await db.$disconnect();
    },
  };
}
