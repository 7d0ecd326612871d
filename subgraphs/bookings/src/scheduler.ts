import type { Logger } from '@market/platform';

/**
 * One kind of due work. `run` handles at most `limit` items due at `now` in one transaction and
 * says how many it handled; a job claims its rows FOR UPDATE SKIP LOCKED (or equivalent), so
 * several replicas can run the same jobs at once without doing an item twice.
 */
export interface ScheduledJob {
  name: string;
  run(limit: number, now: Date): Promise<number>;
}

export interface Scheduler {
  /** Runs every job until nothing is due now; resolves with how many items each job handled. */
  tick(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

/**
 * Polls for due work every `pollMs`: viewing reminders into the outbox, unanswered stay requests to
 * EXPIRED, idempotency keys past their retention. A job that fails is logged and retried at the next
 * tick; the others still run.
 */
export function startScheduler(options: {
  jobs: readonly ScheduledJob[];
  logger: Logger;
  pollMs: number;
  batchSize?: number;
  now?: () => Date;
}): Scheduler {
  const { jobs, logger } = options;
  const batchSize = options.batchSize ?? 100;
  const now = options.now ?? (() => new Date());
  let running: Promise<Record<string, number>> | null = null;
  let stopped = false;

  const runJob = async (job: ScheduledJob): Promise<number> => {
    let total = 0;
    try {
      let done: number;
      do {
        done = await job.run(batchSize, now());
        total += done;
      } while (done === batchSize && !stopped);
    } catch (err) {
      if (!stopped) logger.warn({ err, job: job.name }, 'scheduled job failed; will retry');
    }
    return total;
  };

  const tick = (): Promise<Record<string, number>> => {
    running ??= (async () => {
      const totals: Record<string, number> = {};
      try {
        for (const job of jobs) {
          if (stopped) break;
          totals[job.name] = await runJob(job);
        }
      } finally {
        running = null;
      }
      return totals;
    })();
    return running;
  };

  const timer = setInterval(() => void tick(), options.pollMs);
  timer.unref();
  void tick();

  return {
    tick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
