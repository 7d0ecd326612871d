import type { Tx } from '../db';
import { isUuid } from '@market/platform';

/**
 * Advisory locks of the form (namespace, hashtext(user id)): the two-key form lives apart from the
 * outbox relay's single-key lock, and a hash collision only makes two users' writes wait for each
 * other, never wrong.
 */
const OWNER_LOCK_NAMESPACE = 0x4c_69_73_74; // 'List'

/**
 * The `deleted_owners` tombstones, always inside the caller's transaction.
 *
 * Why a lock and not only a read: the cleanup sees only committed listings, and a create reads only
 * a committed tombstone. Unsynchronised, a create could read "not deleted", the cleanup commit its
 * tombstone and find nothing to delete, and the create commit after it: an orphan listing. So every
 * write by a user holds that user's lock in shared mode (writes by one user do not wait for each
 * other) and the cleanup holds it exclusively: one of the two commits first and the other then sees
 * it (the create is refused, or the cleanup deletes the new listing).
 */
export class DeletedOwnerRepository {
  constructor(private readonly tx: Tx) {}

  /** Whether the user's account was deleted; holds their lock in shared mode until the transaction ends. */
  async isDeleted(userId: string): Promise<boolean> {
    // Not a uuid: no account of accounts, so never a tombstone (and kept away from the ::uuid cast).
    if (!isUuid(userId)) return false;
    await this.tx.$executeRaw`SELECT pg_advisory_xact_lock_shared(${OWNER_LOCK_NAMESPACE}::int, hashtext(${userId.toLowerCase()}))`;
    const found = await this.tx.deletedOwner.findUnique({ where: { userId }, select: { userId: true } });
    return found !== null;
  }

  /**
   * Records the user as deleted (again: nothing changes); holds their lock exclusively until the
   * transaction ends, so a write by them in flight finishes first and one that comes later sees it.
   */
  async record(userId: string): Promise<void> {
    if (!isUuid(userId)) return;
    await this.tx.$executeRaw`SELECT pg_advisory_xact_lock(${OWNER_LOCK_NAMESPACE}::int, hashtext(${userId.toLowerCase()}))`;
    await this.tx.$executeRaw`INSERT INTO deleted_owners (user_id) VALUES (${userId}::uuid) ON CONFLICT (user_id) DO NOTHING`;
  }
}
