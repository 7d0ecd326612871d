import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gql } from 'graphql-tag';
import {
  createLogger,
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
import { ListingService, viewerOf } from './services/listing-service';
import { consumeSearchEvents } from './search/consumer';
import { createListingSearch } from './search/create-search';
import { ListingSearchService } from './search/search-service';

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
  const relay = deps.bus ? startOutboxRelay({ databaseUrl: env.DATABASE_URL, bus: deps.bus, logger }) : null;
  // Listings consumes its own events to keep the search index in line with the database.
  if (deps.bus) await consumeSearchEvents(deps.bus, db, index);
  const repository = new ListingRepository(db);
  const listings = new ListingService(repository);
  const search = new ListingSearchService(index, repository);
  const server = await createSubgraphServer<Context>({
    name: 'listings',
    typeDefs,
    resolvers: resolvers as GraphQLResolverMap<Context>,
    signingSecret: env.GATEWAY_SIGNING_SECRET,
    logger,
    exposeInternals: env.NODE_ENV === 'development',
    readiness: async () => {
      await db.$queryRaw`SELECT 1`;
    },
    createContext: (base) => ({
      ...base,
      listings,
      search,
      loaders: {
        listingById: loaderByKey((ids) => repository.findByIds(ids), (l) => l.id),
        listingsByOwner: loaderOfLists((ownerIds) => repository.findByOwners(ownerIds, viewerOf(base)), (l) => l.ownerId),
      },
    }),
  });
  return {
    name: 'listings',
    server,
    async close() {
      await server.stop();
      await relay?.stop();
      await index.close();
      await db.$disconnect();
    },
  };
}
