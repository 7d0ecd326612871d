import { randomUUID } from 'node:crypto';
import { PerUserLimits, type AuthContext, type EventBus, type Logger, type PubSub, type RateLimiter } from '@market/platform';
import type { Db } from '../db';
import type { AuctionsEnv } from './env';
import { AuctionEventStore } from './repositories/event-store';
import { AuctionReadRepository } from './repositories/auction-read-repository';
import { AuctionCommandRepository } from './repositories/command-repository';
import { AuctionCommandProcessor } from './services/command-processor';
import { AuctionLive } from './services/live';
import { AuctionService } from './services/auction-service';
import type { ScheduledJob } from '@market/platform';
import { closingJob, commandPurgeJob, promoterJob } from './jobs/jobs';
import { consumeAuctionCleanupEvents } from './consumers/account-deletion';
import { createAuctionLoaders, type AuctionLoaders } from './resolvers/loaders';

export { withAuctionResolvers } from './resolvers';
export { auctionsEnvShape } from './env';

export interface Auctions {
  service: AuctionService;
  read: AuctionReadRepository;
  processor: AuctionCommandProcessor;
  /** Closing on time, the promoter and the purge of old commands, for the platform scheduler (every AUCTION_SCHEDULER_POLL_MS; 0: never on their own). */
  jobs: ScheduledJob[];
  loaders(ctx: AuthContext): AuctionLoaders;
  /** Subscribes the auction consumers (account and listing deletions) to the bus. */
  consume(bus: EventBus): Promise<void>;
  close(): Promise<void>;
}

/**
 * The auctions module of the listings subgraph, built once per process: the event store and its
 * command processor, the read models, live updates, the jobs (closing on time, the promoter, the
 * purge of old commands) and the consumers. The subgraph wires in `service` (context), `loaders`
 * (per request), `consume` and `close`.
 */
export function createAuctions(
  db: Db,
  env: AuctionsEnv,
  pubsub: PubSub,
  logger: Logger,
  /** Counts each user's new bids (Redis when REDIS_URL is set, so all replicas share the count). */
  rateLimiter: RateLimiter,
): Auctions {
  const log = logger.child({ module: 'auctions' });
  const store = new AuctionEventStore(db, env.AUCTION_SNAPSHOT_EVERY);
  const read = new AuctionReadRepository(db);
  const commands = new AuctionCommandRepository(db);
  const live = new AuctionLive(pubsub, log);
  const processor = new AuctionCommandProcessor(db, store, commands, log, {
    maxBatch: env.AUCTION_BATCH_SIZE,
    maxQueued: env.AUCTION_MAX_QUEUED,
    maxAttempts: 20,
    onCommitted: (batch) => live.committed(batch),
  });
  const limits = new PerUserLimits(rateLimiter, { placeBid: { ...env.RATE_LIMIT_PLACE_BID, what: 'bids' } });
  const service = new AuctionService(read, commands, processor, live, log, {
    decisionWaitMs: env.AUCTION_BID_DECISION_WAIT_MS,
    defaultSoftCloseMinutes: env.AUCTION_SOFT_CLOSE_MINUTES,
    countBid: (bidderId) => limits.count('placeBid', bidderId),
  });
  const everyMs = env.AUCTION_SCHEDULER_POLL_MS > 0 ? env.AUCTION_SCHEDULER_POLL_MS : 2 ** 31 - 1;
  const jobs: ScheduledJob[] = [
    closingJob(read, processor),
    promoterJob({
      db,
      read,
      processor,
      logger: log,
      intervalSeconds: env.AUCTION_PROMOTER_INTERVAL_SECONDS,
      probability: env.AUCTION_PROMOTER_PROBABILITY,
      capUnits: env.AUCTION_PROMOTER_CAP,
      replicaId: randomUUID(),
    }),
    commandPurgeJob(commands, env.AUCTION_COMMAND_RETENTION_HOURS),
  ].map((job) => ({ ...job, everyMs }));
  return {
    service,
    read,
    processor,
    jobs,
    loaders: (ctx) => createAuctionLoaders(read, ctx),
    consume: (bus) => consumeAuctionCleanupEvents(bus, db, { read, auctions: service }),
    async close() {
      await processor.close();
    },
  };
}
