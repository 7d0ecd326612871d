import { z } from 'zod';
import { rateLimitSetting } from '@market/platform';

/** Auction settings, spread into the listings env schema (the service's one env module). */
export const auctionsEnvShape = {
  /** How long placeBid waits for its decision before answering BidPending (then `bidDecided`). */
  AUCTION_BID_DECISION_WAIT_MS: z.coerce.number().int().min(0).max(10_000).default(200),
  /** An aggregate snapshot every this many events, so loading an auction replays fewer. */
  AUCTION_SNAPSHOT_EVERY: z.coerce.number().int().min(1).max(10_000).default(50),
  /** Commands of one auction decided and committed together, at most. */
  AUCTION_BATCH_SIZE: z.coerce.number().int().min(1).max(1_000).default(100),
  /** Commands that may wait for one auction in one process; beyond, RATE_LIMITED. */
  AUCTION_MAX_QUEUED: z.coerce.number().int().min(1).default(5_000),
  /** The soft-close window of an auction whose seller sets none (0: off). */
  AUCTION_SOFT_CLOSE_MINUTES: z.coerce.number().int().min(0).max(60).default(2),
  /** How often due auctions are opened and closed (0: never, e.g. in a process that only serves reads). */
  AUCTION_SCHEDULER_POLL_MS: z.coerce.number().int().min(0).default(1_000),
  /** The promoter runs once per this many seconds across all replicas (0: off). */
  AUCTION_PROMOTER_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(300),
  /** Chance that an opted-in open auction gets a bid doubled in one promoter run. */
  AUCTION_PROMOTER_PROBABILITY: z.coerce.number().min(0).max(1).default(0.1),
  /** No bid is doubled beyond this many whole units of its currency. */
  AUCTION_PROMOTER_CAP: z.coerce.number().int().min(1).max(1_000_000_000_000).default(10_000_000),
  /**
   * New bids one user may place, across all auctions, written `N/<window>` (retries of a decided
   * idempotency key are answered from the store and not counted). Beyond: RATE_LIMITED.
   */
  RATE_LIMIT_PLACE_BID: rateLimitSetting('60/1m'),
  /** Decided bid commands (idempotency keys, `bidDecision`) are kept this long. */
  AUCTION_COMMAND_RETENTION_HOURS: z.coerce.number().int().min(1).default(24),
};

export type AuctionsEnv = { [K in keyof typeof auctionsEnvShape]: z.infer<(typeof auctionsEnvShape)[K]> };
