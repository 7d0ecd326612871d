import type { Logger, ScheduledJob } from '@market/platform';
import type { RetentionRepository } from './repositories/retention-repository';

/** How long accounts keeps what it no longer needs (see .env.example). */
export interface RetentionPolicy {
  /** Ended (expired or revoked) sessions, listed in mySessions until then, and their refresh tokens. */
  sessionsDays: number;
  /** Used or expired one-time codes. */
  codesHours: number;
  /** Development outbox messages. */
  devOutboxDays: number;
}

export interface PurgeCounts {
  verificationCodes: number;
  devOutboxMessages: number;
  refreshTokens: number;
  sessions: number;
}

export const RETENTION_JOB = 'accounts.retention-purge';
/** Replicas look this often whether the job is due, so a run is at most this late. */
const MAX_CHECK_INTERVAL_MS = 5 * 60_000;
const BATCH_SIZE = 1000;

export interface RetentionPurge {
  /** Purges now, whether or not the job is due (tests, operators); resolves with what went. */
  purgeNow(): Promise<PurgeCounts>;
  /** Purges if this replica claims the job's run for this interval; null when it did not (or failed). */
  tick(): Promise<PurgeCounts | null>;
  /** The periodic check for the platform scheduler; null when `intervalMinutes` is 0. */
  job: ScheduledJob | null;
}

/**
 * The periodic purge of expired data. Every replica's scheduler checks every few minutes; the database hands
 * each interval's run to exactly one of them (RetentionRepository.claimRun), so the job runs once
 * per interval however many replicas there are, and still runs when replicas restart more often
 * than the interval. Each run deletes in batches and logs what it deleted. `intervalMinutes` 0
 * schedules nothing (purgeNow still works).
 */
export function createRetentionPurge(options: {
  repository: RetentionRepository;
  policy: RetentionPolicy;
  intervalMinutes: number;
  logger: Logger;
  batchSize?: number;
}): RetentionPurge {
  const { repository, policy, logger } = options;
  const batchSize = options.batchSize ?? BATCH_SIZE;
  let running: Promise<PurgeCounts> | null = null;

  /** Repeats one batched delete until a batch comes back short. */
  const drain = async (deleteBatch: () => Promise<number>): Promise<number> => {
    let total = 0;
    for (;;) {
      const deleted = await deleteBatch();
      total += deleted;
      if (deleted < batchSize) return total;
    }
  };

  const purge = async (): Promise<PurgeCounts> => {
    const started = Date.now();
    const purged: PurgeCounts = {
      verificationCodes: await drain(() => repository.purgeCodes(policy.codesHours, batchSize)),
      devOutboxMessages: await drain(() => repository.purgeDevOutbox(policy.devOutboxDays, batchSize)),
      refreshTokens: await drain(() => repository.purgeRefreshTokensOfEndedSessions(policy.sessionsDays, batchSize)),
      sessions: await drain(() => repository.purgeEndedSessions(policy.sessionsDays, batchSize)),
    };
    logger.info({ job: RETENTION_JOB, purged, retention: policy, ms: Date.now() - started }, 'retention purge finished');
    return purged;
  };

  /** One run at a time in this process. */
  const purgeNow = (): Promise<PurgeCounts> => {
    running ??= purge().finally(() => {
      running = null;
    });
    return running;
  };

  /** One check at a time in this process: a tick asked for while one is under way shares its result. */
  let ticking: Promise<PurgeCounts | null> | null = null;
  const tick = (): Promise<PurgeCounts | null> => {
    if (options.intervalMinutes === 0) return Promise.resolve(null);
    ticking ??= (async () => {
      try {
        if (!(await repository.claimRun(RETENTION_JOB, options.intervalMinutes * 60))) return null;
        return await purgeNow();
      } catch (err) {
        logger.warn({ err, job: RETENTION_JOB }, 'retention purge failed; the next interval tries again');
        return null;
      } finally {
        ticking = null;
      }
    })();
    return ticking;
  };

  return {
    purgeNow,
    tick,
    job:
      options.intervalMinutes > 0
        ? {
            name: RETENTION_JOB,
            everyMs: Math.min(options.intervalMinutes * 60_000, MAX_CHECK_INTERVAL_MS),
            run: async () => {
              await tick();
              return 0;
            },
          }
        : null,
  };
}
