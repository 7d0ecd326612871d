import { enqueueEvent, type RawSql, type Role } from '@market/platform';
import type { ConnectionRecord } from '../domain';

/**
 * What accounts tells other services, always through the outbox in the same transaction as the
 * change:
 *  - `accounts.user.registered` when a user verifies their e-mail address (unverified accounts
 *    cannot sign in, so other services never hear of them);
 *  - `accounts.user.updated` when a user's record changes otherwise (profile, role, status);
 *  - `accounts.user.deleted` when a user deletes their account;
 *  - `accounts.connection.requested|accepted|declined|removed` and `accounts.user.followed|unfollowed`.
 * Connection and follow events are keyed by the pair of users, so one pair's events stay in order
 * even when a connection is removed and asked for again (a new id).
 * What accounts consumes is in consumers/.
 */
export const PUBLISHED_EVENTS = [
  'accounts.user.registered',
  'accounts.user.updated',
  'accounts.user.deleted',
  'accounts.connection.requested',
  'accounts.connection.accepted',
  'accounts.connection.declined',
  'accounts.connection.removed',
  'accounts.user.followed',
  'accounts.user.unfollowed',
] as const;

const pairKey = (a: string, b: string) => (a < b ? `${a}:${b}` : `${b}:${a}`);

export async function publishUserRegistered(tx: RawSql, user: { id: string; name: string; role: Role }): Promise<void> {
  await enqueueEvent(tx, 'accounts.user.registered', user.id, { userId: user.id, name: user.name, role: user.role });
}

export async function publishUserUpdated(tx: RawSql, userId: string): Promise<void> {
  await enqueueEvent(tx, 'accounts.user.updated', userId, { userId });
}

export async function publishUserDeleted(tx: RawSql, userId: string): Promise<void> {
  await enqueueEvent(tx, 'accounts.user.deleted', userId, { userId });
}

export async function publishConnectionChanged(
  tx: RawSql,
  change: 'requested' | 'accepted' | 'declined',
  connection: Pick<ConnectionRecord, 'id' | 'requesterId' | 'addresseeId'>,
): Promise<void> {
  const payload = { connectionId: connection.id, requesterId: connection.requesterId, addresseeId: connection.addresseeId };
  await enqueueEvent(tx, `accounts.connection.${change}`, pairKey(connection.requesterId, connection.addresseeId), payload);
}

export async function publishConnectionRemoved(
  tx: RawSql,
  connection: Pick<ConnectionRecord, 'id' | 'requesterId' | 'addresseeId'>,
  removedBy: string,
): Promise<void> {
  await enqueueEvent(tx, 'accounts.connection.removed', pairKey(connection.requesterId, connection.addresseeId), {
    connectionId: connection.id,
    requesterId: connection.requesterId,
    addresseeId: connection.addresseeId,
    removedBy,
  });
}

export async function publishFollowChanged(
  tx: RawSql,
  change: 'followed' | 'unfollowed',
  follow: { followerId: string; followeeId: string },
): Promise<void> {
  await enqueueEvent(tx, `accounts.user.${change}`, pairKey(follow.followerId, follow.followeeId), follow);
}
