import type { EventEnvelope } from '@market/platform';
import type { Tx } from '../db';
import { isUuid } from '../domain';
import { CleanupRepository } from '../repositories/cleanup';

/** instances.machine.deleted: the comments, reactions, feedback and views on the machine go. */
export const machineDeletionHandlers = {
  'instances.machine.deleted': async (event: EventEnvelope<'instances.machine.deleted'>, tx: Tx): Promise<void> => {
    if (isUuid(event.payload.machineId)) await new CleanupRepository(tx).forgetTarget('MACHINE', event.payload.machineId);
  },
};
