import type { EventEnvelope } from '@market/platform';
import type { Tx } from '../db';
import { isUuid } from '../domain';
import { CleanupRepository } from '../repositories/cleanup';

/** accounts.user.deleted: the user's posts, comments, reactions and reports go. */
export const accountDeletionHandlers = {
  'accounts.user.deleted': async (event: EventEnvelope<'accounts.user.deleted'>, tx: Tx): Promise<void> => {
    if (isUuid(event.payload.userId)) await new CleanupRepository(tx).forgetUser(event.payload.userId);
  },
};
