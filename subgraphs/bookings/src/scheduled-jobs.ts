import type { Logger } from '@market/platform';
import type { Db } from './db';
import { purgeExpiredIdempotencyKeys } from './repositories/idempotency-keys';
import { dispatchDueEvents } from './repositories/scheduled-event-repository';
import { StayRepository } from './repositories/stay-repository';
import type { ScheduledJob } from '@market/platform';
import { keysExpiredBefore } from './rules/idempotency';

/**
 * Housekeeping that keeps the data true whether or not events can leave: unanswered stay requests
 * expire (their event waits in the outbox if no relay runs), and idempotency keys past their
 * retention are purged (they already answer nothing; this only reclaims the rows).
 */
export function scheduledJobs(db: Db, logger: Logger, options: { keyRetentionHours: number }): ScheduledJob[] {
  const stays = new StayRepository(db);
  return [
    {
      name: 'expire-stay-requests',
      run: async (limit, now) => {
        const expired = await stays.expireUnanswered(now, limit);
        if (expired > 0) logger.info({ expired }, 'unanswered stay requests expired');
        return expired;
      },
    },
    {
      name: 'purge-idempotency-keys',
      run: (limit, now) => purgeExpiredIdempotencyKeys(db, keysExpiredBefore({ hours: options.keyRetentionHours, now: () => now }), limit),
    },
  ];
}

/** Due viewing reminders into the outbox, for the relay to publish. */
export function reminderJob(db: Db, logger: Logger): ScheduledJob {
  return { name: 'viewing-reminders', run: (limit, now) => dispatchDueEvents(db, logger, limit, now) };
}
