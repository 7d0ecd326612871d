import { consumeEvents, type Consumer, type EventEnvelope } from '@market/platform';
import type { Db, Tx } from '../db';
import { KnownUserRepository } from '../repositories/known-user-repository';
import { uuidOf } from './event-ids';

/**
 * accounts.user.registered | updated | deleted: messaging's copy of users (known_users), like its
 * copy of listings. Only users accounts announced (verified, not deleted) can be in a conversation;
 * names title MESSAGE notifications; roles address admin announcements. (The deletion's erasure is
 * consumers/account-deletion.ts; this only marks the copy.)
 */
export const KNOWN_USERS_CONSUMER = 'messaging.known-users';

export const knownUserHandlers = {
  'accounts.user.registered': async (event: EventEnvelope<'accounts.user.registered'>, tx: Tx): Promise<void> => {
    const p = event.payload;
    await new KnownUserRepository(tx).apply(
      { userId: uuidOf(event, 'userId', p.userId), name: p.name, role: p.role, status: 'ACTIVE' },
      new Date(event.occurredAt),
    );
  },
  'accounts.user.updated': async (event: EventEnvelope<'accounts.user.updated'>, tx: Tx): Promise<void> => {
    const p = event.payload;
    await new KnownUserRepository(tx).apply(
      {
        userId: uuidOf(event, 'userId', p.userId),
        ...(p.name ? { name: p.name } : {}),
        ...(p.role ? { role: p.role } : {}),
        ...(p.status ? { status: p.status } : {}),
      },
      new Date(event.occurredAt),
    );
  },
  'accounts.user.deleted': async (event: EventEnvelope<'accounts.user.deleted'>, tx: Tx): Promise<void> => {
    await new KnownUserRepository(tx).apply(
      { userId: uuidOf(event, 'userId', event.payload.userId), status: 'DELETED' },
      new Date(event.occurredAt),
    );
  },
};

export const knownUsersConsumer =
  (db: Db): Consumer =>
  (bus) =>
    consumeEvents<Tx>({ bus, consumer: KNOWN_USERS_CONSUMER, transaction: (fn) => db.$transaction(fn), handlers: knownUserHandlers });
