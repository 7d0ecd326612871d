import type { ScheduledJob } from '@market/platform';
import { randomInt } from 'node:crypto';
import type { Logger } from '@market/platform';
import type { Db } from '../../db';
import { decidePromotion, dueTransitions } from '../rules/commands';
import { currencyDecimals } from '../rules/money';
import type { AuctionReadRepository } from '../repositories/auction-read-repository';
import type { AuctionCommandRepository } from '../repositories/command-repository';
import type { AuctionCommandProcessor } from '../services/command-processor';

/**
 * One kind of due work, in the shape of bookings' scheduler (and of a shared platform scheduler):
 * `run` handles at most `limit` items due at `now` and says how many it handled.
 */

/**
 * Opens auctions whose start passed and closes those whose end passed, appending AuctionOpened or
 * AuctionClosed (winner and amount, or why nobody won; a retracted bid is never the winner, the
 * aggregate counts live bids only). Durable: it reads the read model, not a timer, so auctions
 * that ended while every replica was down are closed at the first run after start-up. Safe on any
 * number of replicas without a lock: the close is decided on the aggregate caught up from the log,
 * and the (auction_id, seq) key lets only one replica append it; the others find it closed.
 */
export function closingJob(read: AuctionReadRepository, processor: AuctionCommandProcessor): ScheduledJob {
  return {
    name: 'auctions.close-due',
    async run(limit, now) {
      const ids = await read.due(now, limit);
      let handled = 0;
      for (const id of ids) {
        const changed = await processor.submit(id, {
          causationId: 'job:close-due',
          decide: (state, at) => {
            const events = state ? dueTransitions(state, Math.max(at, now.getTime())) : [];
            return { events, result: events.length > 0 };
          },
        });
        if (changed) handled++;
      }
      // Only what changed counts, so a batch of already-handled rows does not make the runner loop.
      return handled;
    },
  };
}

/** A uniform random number in [0, 1) from the CSPRNG (the draw is recorded, so it may be audited). */
function draw(): number {
  return randomInt(0, 2 ** 48) / 2 ** 48;
}

/**
 * The promoter: once per interval across all replicas, each opted-in open auction is promoted with
 * the configured probability: one of its live bids, picked uniformly, is doubled for its bidder (up
 * to the cap), appended as BidDoubled with the draw. Exactly one replica per interval: the run first
 * moves the claim row's `due_at` forward with a conditional UPDATE, which only one replica can do.
 */
export function promoterJob(options: {
  db: Db;
  read: AuctionReadRepository;
  processor: AuctionCommandProcessor;
  logger: Logger;
  intervalSeconds: number;
  probability: number;
  capUnits: number;
  replicaId: string;
  random?: () => number;
}): ScheduledJob {
  const random = options.random ?? draw;
  return {
    name: 'auctions.promoter',
    async run(limit, now) {
      if (options.intervalSeconds <= 0) return 0;
      await options.db.$executeRaw`INSERT INTO auction_job_claims (job, due_at) VALUES ('promoter', ${now}) ON CONFLICT (job) DO NOTHING`;
      const next = new Date(now.getTime() + options.intervalSeconds * 1000);
      const claimed = await options.db.$executeRaw`UPDATE auction_job_claims SET due_at = ${next}, claimed_by = ${options.replicaId}
        WHERE job = 'promoter' AND due_at <= ${now}`;
      if (claimed !== 1) return 0;
      const ids = await options.read.promotable(now, limit);
      let doubled = 0;
      for (const id of ids) {
        const roll = random();
        const pick = random();
        const done = await options.processor.submit(id, {
          causationId: `job:promoter:${now.toISOString()}`,
          decide: (state, at) => {
            if (!state) return { events: [], result: false };
            const capMinor = options.capUnits * 10 ** currencyDecimals(state.currency);
            const event = decidePromotion(state, { probability: options.probability, capMinor }, roll, pick, at);
            return { events: event ? [event] : [], result: event !== null };
          },
        });
        if (done) doubled++;
      }
      if (doubled > 0) options.logger.info({ doubled, auctions: ids.length }, 'promoter doubled bids');
      // One run per claimed interval: never ask the runner to come back before the next one.
      return 0;
    },
  };
}

/** Forgets decided bid commands past their retention. */
export function commandPurgeJob(commands: AuctionCommandRepository, retentionHours: number): ScheduledJob {
  return {
    name: 'auctions.purge-commands',
    run: (limit, now) => commands.purge(new Date(now.getTime() - retentionHours * 3_600_000), limit),
  };
}
