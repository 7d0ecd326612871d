import { consumeEvents, type EventBus } from '@market/platform';
import type { Db, Tx } from './db';
import { InstanceRepository } from './repositories/instance-repository';

/**
 * What instances publishes and consumes. It publishes nothing yet (the runtime that reacts to new
 * and removed instances arrives with the lifecycle work). It consumes:
 * - accounts.user.deleted: the user's live instances are removed, so their slots and ports free up.
 */
export async function subscribeInstanceConsumers(bus: EventBus, db: Db): Promise<void> {
  await consumeEvents<Tx>({
    bus,
    consumer: 'instances.owner-cleanup',
    transaction: (fn) => db.$transaction(fn),
    handlers: {
      'accounts.user.deleted': async (event, tx) => {
        await InstanceRepository.removeAllOfOwner(tx, event.payload.userId);
      },
    },
  });
}
