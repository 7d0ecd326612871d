import { consumeEvents, type Consumer, type EventEnvelope } from '@market/platform';
import type { Db, Tx } from '../db';
import { UserErasure } from '../repositories/user-erasure';
import { uuidOf } from './event-ids';

/**
 * accounts.user.deleted: the user's notifications and watches are deleted, the text of their
 * messages removed, and they leave their conversations (see repositories/user-erasure.ts).
 */
export const ACCOUNT_DELETION_CONSUMER = 'messaging.account-deletion';

export const accountDeletionHandlers = {
  'accounts.user.deleted': async (event: EventEnvelope<'accounts.user.deleted'>, tx: Tx): Promise<void> => {
    await new UserErasure(tx).forget(uuidOf(event, 'userId', event.payload.userId));
  },
};

export const accountDeletionConsumer =
  (db: Db): Consumer =>
  (bus) =>
    consumeEvents<Tx>({
      bus,
      consumer: ACCOUNT_DELETION_CONSUMER,
      transaction: (fn) => db.$transaction(fn),
      handlers: accountDeletionHandlers,
    });
