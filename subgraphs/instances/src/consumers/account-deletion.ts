import { consumeEvents, type Consumer } from '@market/platform';
import type { Db, Tx } from '../db';
import type { InstanceRecord } from '../domain';
import type { InstanceFeed } from '../live/instance-feed';
import { InstanceRepository } from '../repositories/instance-repository';
import type { LogLineRepository } from '../repositories/log-line-repository';
import type { InstanceSupervisor } from '../runtime/supervisor';

/**
 * accounts.user.deleted: the user's live instances are removed with their volumes and logs; once
 * that commits, their processes or containers are released, which frees their ports.
 */
export const OWNER_CLEANUP_CONSUMER = 'instances.owner-cleanup';

export const accountDeletionConsumer =
  (db: Db, deps: { supervisor: InstanceSupervisor; feed: InstanceFeed; logLines: LogLineRepository }): Consumer =>
  async (bus) => {
    const { supervisor, feed, logLines } = deps;
    const removedIn = new WeakMap<object, InstanceRecord[]>();
    await consumeEvents<Tx>({
      bus,
      consumer: OWNER_CLEANUP_CONSUMER,
      transaction: async (fn) => {
        let removed: InstanceRecord[] = [];
        const result = await db.$transaction(async (tx) => {
          removedIn.set(tx, []);
          const value = await fn(tx);
          removed = removedIn.get(tx) ?? [];
          return value;
        });
        for (const instance of removed) feed.publishStatus(instance);
        if (removed.length > 0) {
          await supervisor.releaseRemoved();
          // What the workloads wrote while they were being stopped.
          await logLines.deleteOf(removed.map((i) => i.id));
        }
        return result;
      },
      handlers: {
        'accounts.user.deleted': async (event, tx) => {
          const removed = await InstanceRepository.removeAllOfOwner(tx, event.payload.userId);
          removedIn.get(tx)?.push(...removed);
        },
      },
    });
  };
