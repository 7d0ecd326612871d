import { z } from 'zod';
import { consumeEvents, defineTopic, type EventBus } from '@market/platform';
import type { Db, Tx } from './db';
import { INSTANCE_STATUSES, type InstanceRecord } from './domain';
import type { InstanceFeed } from './live/instance-feed';
import { InstanceRepository } from './repositories/instance-repository';
import type { LogLineRepository } from './repositories/log-line-repository';
import type { InstanceSupervisor } from './runtime/supervisor';

/**
 * What instances publishes and consumes.
 * Publishes, through the outbox, in the transaction of the change (InstanceRepository):
 * - instances.instance.<status> for every transition: requested, starting, running, stopping,
 *   stopped, failed, removed (messaging tells owners about stopped and failed ones).
 * Publishes live events (pub/sub, for subscriptions: at-most-once, after the commit, each with the
 * cursor its catch-up query resumes from), through InstanceFeed:
 * - instances.instanceLogLine, keyed by instance id: every stored log line (cursor: the line id);
 * - instances.instanceStatusChanged, keyed by instance id: the instance after each transition.
 * Consumes:
 * - accounts.user.deleted: the user's live instances are removed with their volumes and logs; once
 *   that commits, their processes or containers are released, which frees their ports.
 */

export const instanceLogLineTopic = defineTopic(
  'instances.instanceLogLine',
  z.object({ id: z.string(), instanceId: z.string(), stream: z.enum(['STDOUT', 'STDERR']), line: z.string(), at: z.coerce.date() }),
);

export const instanceStatusTopic = defineTopic(
  'instances.instanceStatusChanged',
  z.object({
    id: z.string(),
    machineId: z.string(),
    ownerId: z.string(),
    status: z.enum(INSTANCE_STATUSES),
    host: z.string(),
    port: z.number().int(),
    driver: z.enum(['DOCKER', 'PROCESS']),
    runtimeRef: z.string().nullable(),
    failureReason: z.string().nullable(),
    exitCode: z.number().int().nullable(),
    startedAt: z.coerce.date().nullable(),
    stoppedAt: z.coerce.date().nullable(),
    removedAt: z.coerce.date().nullable(),
    statusChangedAt: z.coerce.date(),
    uptimeMs: z.number(),
    downtimeMs: z.number(),
    deleteVolume: z.boolean(),
    releasedAt: z.coerce.date().nullable(),
    createdAt: z.coerce.date(),
    updatedAt: z.coerce.date(),
  }),
);
export async function subscribeInstanceConsumers(
  bus: EventBus,
  db: Db,
  deps: { supervisor: InstanceSupervisor; feed: InstanceFeed; logLines: LogLineRepository },
): Promise<void> {
  const { supervisor, feed, logLines } = deps;
  const removedIn = new WeakMap<object, InstanceRecord[]>();
  await consumeEvents<Tx>({
    bus,
    consumer: 'instances.owner-cleanup',
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
}
