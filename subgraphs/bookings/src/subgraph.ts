import path from 'node:path';
import { defineSubgraph, loaderByKey, loaderOfLists, type RateLimiter } from '@market/platform';
import { loadBookingsEnv } from './env';
import type { Context } from './context';
import type { Loaders } from './viewer';
import { createPrisma } from './db';
import { bookingsConsumers } from './consumers';
import { resolvers } from './resolvers';
import { CalendarRepository } from './repositories/calendar-repository';
import { ListingSnapshotRepository } from './repositories/listing-snapshot-repository';
import { StayRepository } from './repositories/stay-repository';
import { ViewingRepository } from './repositories/viewing-repository';
import { reminderJob, scheduledJobs } from './scheduled-jobs';
import { CleanupService } from './services/cleanup-service';
import { CalendarService } from './services/calendar-service';
import { writeLimits } from './services/rate-limits';
import { StayService } from './services/stay-service';
import { ViewingService } from './services/viewing-service';

export { loadBookingsEnv, loadBookingsEnv as loadEnv, bookingsEnvSchema, type BookingsEnv } from './env';

/** What tests may replace. */
export interface BookingsDeps {
  rateLimiter: RateLimiter;
}

/** Stays and viewings: what bookings is made of; the platform host builds, orders and closes it. */
export const bookings = defineSubgraph<BookingsDeps>()({
  name: 'bookings',
  schemaPath: path.join(__dirname, '..', 'schema.graphql'),
  loadEnv: loadBookingsEnv,
  database: createPrisma,
  build({ env, db, redis, bus, logger }, deps) {
    const snapshots = new ListingSnapshotRepository(db);
    const stays = new StayRepository(db);
    const viewings = new ViewingRepository(db, env.VIEWING_REMINDER_LEADS_MINUTES);
    // Redis when REDIS_URL is set (write limits shared by every replica), in-process otherwise.
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
    const cleanup = new CleanupService(env.VIEWING_REMINDER_LEADS_MINUTES);

    const createLoaders = (): Loaders => ({
      snapshotById: loaderByKey(
        (ids) => snapshots.findByIds(ids),
        (s) => s.listingId,
      ),
      stayById: loaderByKey(
        (ids) => stays.findByIds(ids),
        (s) => s.id,
      ),
      viewingById: loaderByKey(
        (ids) => viewings.findByIds(ids),
        (v) => v.id,
      ),
      staysByListing: loaderOfLists(
        (ids) => stays.findByListingIds(ids),
        (s) => s.listingId,
      ),
      staysByGuest: loaderOfLists(
        (ids) => stays.findByGuestIds(ids),
        (s) => s.guestId,
      ),
      viewingsByListing: loaderOfLists(
        (ids) => viewings.findByListingIds(ids),
        (v) => v.listingId,
      ),
      viewingsByBuyer: loaderOfLists(
        (ids) => viewings.findByBuyerIds(ids),
        (v) => v.buyerId,
      ),
      slotsByListing: loaderOfLists(
        (ids) => viewings.findSlotsByListingIds(ids, new Date()),
        (s) => s.listingId,
      ),
    });

    return {
      resolvers,
      context: (base): Context => ({
        ...base,
        stays: stayService,
        viewings: viewingService,
        calendar: calendarService,
        loaders: createLoaders(),
      }),
      consumers: bookingsConsumers(db, cleanup),
      jobs: [
        ...scheduledJobs(db, logger, { keyRetentionHours: env.IDEMPOTENCY_KEY_RETENTION_HOURS }),
        // Reminders are only worth moving to the outbox when a bus will carry them on; without one they wait.
        ...(bus ? [reminderJob(db, logger)] : []),
      ],
    };
  },
});

export const createSubgraph = bookings.create;
