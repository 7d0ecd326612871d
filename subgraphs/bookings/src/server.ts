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
import type { BookingsEnv } from './env';
import type { Context, Loaders } from './context';
import { createPrisma } from './db';
import { consumeListingEvents } from './events';
import { resolvers } from './resolvers';
import { CalendarRepository } from './repositories/calendar-repository';
import { ListingSnapshotRepository } from './repositories/listing-snapshot-repository';
import { StayRepository } from './repositories/stay-repository';
import { ViewingRepository } from './repositories/viewing-repository';
import { startScheduler } from './scheduler';
import { CalendarService } from './services/calendar-service';
import { StayService } from './services/stay-service';
import { ViewingService } from './services/viewing-service';

export { loadBookingsEnv, loadBookingsEnv as loadEnv, bookingsEnvSchema, type BookingsEnv } from './env';

export const typeDefs = gql(readFileSync(path.join(__dirname, '..', 'schema.graphql'), 'utf8'));

/** Builds the bookings subgraph; nothing listens until the caller says so. */
export async function createSubgraph(
  env: BookingsEnv,
  logger: Logger = createLogger('bookings', env.LOG_LEVEL),
  deps: SubgraphDeps = { bus: null },
): Promise<Subgraph> {
  const db = createPrisma(env.DATABASE_URL, env.DATABASE_POOL_SIZE, deps.onQuery);
  const relay = deps.bus ? startOutboxRelay({ databaseUrl: env.DATABASE_URL, bus: deps.bus, logger }) : null;
  // Reminders are only worth moving to the outbox when a bus will carry them on.
  const scheduler = deps.bus ? startScheduler({ db, logger, pollMs: env.SCHEDULER_POLL_MS }) : null;
  if (deps.bus) await consumeListingEvents(deps.bus, db);

  const snapshots = new ListingSnapshotRepository(db);
  const stays = new StayRepository(db);
  const viewings = new ViewingRepository(db, env.VIEWING_REMINDER_LEADS_MINUTES);
  const stayService = new StayService(stays);
  const viewingService = new ViewingService(viewings);
  const calendarService = new CalendarService(new CalendarRepository(db));

  const createLoaders = (): Loaders => ({
    snapshotById: loaderByKey((ids) => snapshots.findByIds(ids), (s) => s.listingId),
    stayById: loaderByKey((ids) => stays.findByIds(ids), (s) => s.id),
    viewingById: loaderByKey((ids) => viewings.findByIds(ids), (v) => v.id),
    staysByListing: loaderOfLists((ids) => stays.findByListingIds(ids), (s) => s.listingId),
    staysByGuest: loaderOfLists((ids) => stays.findByGuestIds(ids), (s) => s.guestId),
    viewingsByListing: loaderOfLists((ids) => viewings.findByListingIds(ids), (v) => v.listingId),
    viewingsByBuyer: loaderOfLists((ids) => viewings.findByBuyerIds(ids), (v) => v.buyerId),
    slotsByListing: loaderOfLists((ids) => viewings.findSlotsByListingIds(ids, new Date()), (s) => s.listingId),
  });

  const server = await createSubgraphServer<Context>({
    name: 'bookings',
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
      stays: stayService,
      viewings: viewingService,
      calendar: calendarService,
      loaders: createLoaders(),
    }),
  });
  return {
    name: 'bookings',
    server,
    async close() {
      await server.stop();
      await scheduler?.stop();
      await relay?.stop();
      await db.$disconnect();
    },
  };
}
