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
  type RateLimiter,
  type Subgraph,
  type SubgraphDeps,
} from '@market/platform';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { BookingsEnv } from './env';
import type { Context, Loaders } from './context';
import { createPrisma } from './db';
import { subscribeConsumers } from './events';
import { resolvers } from './resolvers';
import { CalendarRepository } from './repositories/calendar-repository';
import { ListingSnapshotRepository } from './repositories/listing-snapshot-repository';
import { StayRepository } from './repositories/stay-repository';
import { ViewingRepository } from './repositories/viewing-repository';
import { startScheduler } from './scheduler';
import { reminderJob, scheduledJobs } from './scheduled-jobs';
import { CleanupService } from './services/cleanup-service';
import { CalendarService } from './services/calendar-service';
import { writeLimits } from './services/rate-limits';
import { StayService } from './services/stay-service';
import { ViewingService } from './services/viewing-service';

export { loadBookingsEnv, loadBookingsEnv as loadEnv, bookingsEnvSchema, type BookingsEnv } from './env';

export const typeDefs = gql(readFileSync(path.join(__dirname, '..', 'schema.graphql'), 'utf8'));

/** Builds the bookings subgraph; nothing listens until the caller says so. */
export async function createSubgraph(
  env: BookingsEnv,
  logger: Logger = createLogger('bookings', env.LOG_LEVEL),
  deps: SubgraphDeps & { rateLimiter?: RateLimiter } = { bus: null },
): Promise<Subgraph> {
  const db = createPrisma(env.DATABASE_URL, env.DATABASE_POOL_SIZE, deps.onQuery);
  const relay = deps.bus ? startOutboxRelay({ databaseUrl: env.DATABASE_URL, bus: deps.bus, logger }) : null;

  const snapshots = new ListingSnapshotRepository(db);
  const stays = new StayRepository(db);
  const viewings = new ViewingRepository(db, env.VIEWING_REMINDER_LEADS_MINUTES);
  // Redis when REDIS_URL is set (write limits shared by every replica), in-process otherwise.
  const redis = createRedisServices({ redisUrl: env.REDIS_URL, logger, keyPrefix: env.REDIS_KEY_PREFIX });
  if (redis.mode === 'memory' && env.NODE_ENV === 'production' && !deps.rateLimiter) {
    logger.warn('REDIS_URL is not set: booking write limits are counted per process, which only suits a single replica');
  }
  const limits = writeLimits(deps.rateLimiter ?? redis.rateLimiter, env);
  const stayService = new StayService(
    stays,
    {
      requestTtlMinutes: env.STAY_REQUEST_TTL_MINUTES,
      keyRetentionHours: env.IDEMPOTENCY_KEY_RETENTION_HOURS,
      maxPendingRequests: env.STAY_MAX_PENDING_REQUESTS,
      defaultMaxNights: env.STAY_DEFAULT_MAX_NIGHTS,
    },
    limits,
  );
  const viewingService = new ViewingService(viewings, { keyRetentionHours: env.IDEMPOTENCY_KEY_RETENTION_HOURS }, limits);
  const calendarService = new CalendarService(new CalendarRepository(db));

  if (deps.bus) await subscribeConsumers(deps.bus, db, new CleanupService(env.VIEWING_REMINDER_LEADS_MINUTES));
  const scheduler = startScheduler({
    logger,
    pollMs: env.SCHEDULER_POLL_MS,
    jobs: [
      ...scheduledJobs(db, logger, { keyRetentionHours: env.IDEMPOTENCY_KEY_RETENTION_HOURS }),
      // Reminders are only worth moving to the outbox when a bus will carry them on; without one they wait.
      ...(deps.bus ? [reminderJob(db, logger)] : []),
    ],
  });

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
      await scheduler.stop();
      await relay?.stop();
      await db.$disconnect();
      await redis.close();
    },
  };
}
