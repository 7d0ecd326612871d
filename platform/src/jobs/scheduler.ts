import type { Logger } from '../logger';
import { jobLastRun, jobLastSuccess, jobRuns } from '../observability/metrics';

/**
 * One kind of periodic work: retention purges, request expiry, reminders, reconciliation, closing
 * auctions. `run` handles at most `limit` items due at `now` and says how many it handled; the
 * scheduler calls it again at once while it comes back full.
 *
 * Replica safety is the job's contract, not the scheduler's: every replica runs every job, so a job
 * claims its work in PostgreSQL (rows FOR UPDATE SKIP LOCKED, a per-interval claim row, or an
 * advisory lock) and two replicas never do one item twice.
 */
export interface ScheduledJob {
  name: string;
  run(limit: number, now: Date): Promise<number>;
  /** How often this job looks for due work; the scheduler's `pollMs` unless given. */
  everyMs?: number;
}

export interface Scheduler {
  /** Runs every job until nothing is due now; resolves with how many items each job handled. */
  tick(): Promise<Record<string, number>>;
  /** Runs one job until nothing is due now (tests and operators). */
  runNow(name: string): Promise<number>;
  /** When each job last finished and how (for readiness and metrics). */
  status(): Record<string, { lastRunAt: Date | null; lastOutcome: 'ok' | 'failed' | null; handled: number }>;
  stop(): Promise<void>;
}

export interface SchedulerOptions {
  jobs: readonly ScheduledJob[];
  logger: Logger;
  pollMs: number;
  /** The service whose jobs these are (the `service` label of the job metrics). */
  service?: string;
  batchSize?: number;
  now?: () => Date;
}

/**
 * The one scheduler of periodic jobs for every subgraph. Each job has its own timer, so a slow job
 * never delays another; one job never runs twice at once in a process. A job that fails is logged
 * and tried again at its next turn; the others go on.
 */
export function startScheduler(options: SchedulerOptions): Scheduler {
  const { logger } = options;
  const batchSize = options.batchSize ?? 100;
  const now = options.now ?? (() => new Date());
  let stopped = false;

  const state = new Map(
    options.jobs.map((job) => [
      job.name,
      {
        job,
        running: null as Promise<number> | null,
        timer: null as NodeJS.Timeout | null,
        lastRunAt: null as Date | null,
        lastOutcome: null as 'ok' | 'failed' | null,
        handled: 0,
      },
    ]),
  );

  const runJob = (name: string): Promise<number> => {
    const entry = state.get(name);
    if (!entry) return Promise.reject(new Error(`no scheduled job named ${name}`));
    entry.running ??= (async () => {
      let total = 0;
      try {
        let done: number;
        do {
          done = await entry.job.run(batchSize, now());
          total += done;
        } while (done >= batchSize && !stopped);
        entry.lastOutcome = 'ok';
      } catch (err) {
        entry.lastOutcome = 'failed';
        if (!stopped) logger.warn({ err, job: name }, 'scheduled job failed; it runs again at its next turn');
      } finally {
        entry.lastRunAt = new Date();
        entry.handled += total;
        const labels = { service: options.service ?? 'unknown', job: name };
        jobLastRun.set(labels, entry.lastRunAt.getTime() / 1000);
        jobLastSuccess.set(labels, entry.lastOutcome === 'ok' ? 1 : 0);
        jobRuns.inc({ ...labels, outcome: entry.lastOutcome ?? 'failed' });
        entry.running = null;
      }
      return total;
    })();
    return entry.running;
  };

  const schedule = (name: string) => {
    const entry = state.get(name);
    if (!entry || stopped) return;
    entry.timer = setTimeout(() => {
      void runJob(name).finally(() => schedule(name));
    }, entry.job.everyMs ?? options.pollMs);
    entry.timer.unref();
  };

  for (const name of state.keys()) {
    void runJob(name).finally(() => schedule(name));
  }

  return {
    async tick() {
      const totals: Record<string, number> = {};
      for (const name of state.keys()) {
        if (stopped) break;
        totals[name] = await runJob(name);
      }
      return totals;
    },
    runNow: runJob,
    status() {
      return Object.fromEntries(
        [...state].map(([name, s]) => [name, { lastRunAt: s.lastRunAt, lastOutcome: s.lastOutcome, handled: s.handled }]),
      );
    },
    async stop() {
      stopped = true;
      for (const s of state.values()) if (s.timer) clearTimeout(s.timer);
      await Promise.allSettled([...state.values()].map((s) => s.running));
    },
  };
}
