import { consumeEvents, type Consumer } from '@market/platform';
import type { Db, Tx } from '../db';
import { accountDeletionHandlers } from './account-deletion';
import { listingDeletionHandlers } from './listing-deletion';
import { machineDeletionHandlers } from './machine-deletion';
import { targetReplicaHandlers } from './target-replicas';
import { completedStayHandlers } from './completed-stays';
import { socialGraphHandlers } from './social-graph';
import type { EngagementEnv } from '../env';

/**
 * Engagement consumes the deletions of the entities its rows refer to, since those live in other
 * databases and no foreign key can cascade across them. One group, `engagement.cleanup`, for both.
 */
export const CLEANUP_CONSUMER = 'engagement.cleanup';
/** What engagement learns from other domains: listings and machines to attach to, completed stays, the social graph. */
export const REPLICA_CONSUMER = 'engagement.replicas';

export function engagementConsumers(db: Db, env: Pick<EngagementEnv, 'REVIEW_WINDOW_DAYS'>): Consumer[] {
  const transaction = <R>(fn: (tx: Tx) => Promise<R>): Promise<R> => db.$transaction(fn);
  return [
    (bus) =>
      consumeEvents<Tx>({
        bus,
        consumer: CLEANUP_CONSUMER,
        transaction,
        handlers: { ...accountDeletionHandlers, ...listingDeletionHandlers, ...machineDeletionHandlers },
      }),
    (bus) =>
      consumeEvents<Tx>({
        bus,
        consumer: REPLICA_CONSUMER,
        transaction,
        handlers: { ...targetReplicaHandlers, ...completedStayHandlers(env.REVIEW_WINDOW_DAYS), ...socialGraphHandlers },
      }),
  ];
}
