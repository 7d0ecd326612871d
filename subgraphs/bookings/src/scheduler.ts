import type { Logger } from '@market/platform';
import type { Db } from './db';
import { dispatchDueEvents } from './repositories/scheduled-event-repository';

export interface Scheduler {
  /** Moves everything due now into the outbox; resolves with how many events went. */
  tick(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Polls `scheduled_events` and hands due events (viewing reminders) to the outbox, from where the
 * relay publishes them. Started only when the subgraph has a bus: without one, nothing would
 * carry the events on, and the rows simply wait.
 */
export function startScheduler(options: { db: Db; logger: Logger; pollMs: number; batchSize?: number }): Scheduler {
  const { db, logger } = options;
  const batchSize = options.batchSize ?? 100;
  let running: Promise<number> | null = null;
  let stopped = false;

  const tick = (): Promise<number> => {
    running ??= (async () => {
      let total = 0;
      try {
        let sent: number;
        do {
          sent = await dispatchDueEvents(db, logger, batchSize);
          total += sent;
        } while (sent === batchSize && !stopped);
      } catch (err) {
        if (!stopped) logger.warn({ err }, 'scheduler tick failed; will retry');
      } finally {
        running = null;
      }
      return total;
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
