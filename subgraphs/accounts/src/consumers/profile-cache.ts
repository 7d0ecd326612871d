import { consumeEvents, type EventBus } from '@market/platform';
import type { Db, Tx } from '../db';
import type { UserProfileCache } from '../repositories/user-profile-cache';

export const PROFILE_CACHE_CONSUMER = 'accounts.profile-cache';

/**
 * Its own `accounts.user.registered|updated|deleted` (one group: the cache is shared by every replica).
 * Every event that changes a user's record drops it from the profile cache. The writer already did
 * right after its commit; this is the guarantee, and it also removes a stale entry that a read
 * racing the commit put back.
 */
export async function consumeProfileCacheEvents(bus: EventBus, db: Db, profiles: UserProfileCache): Promise<void> {
  const invalidate = async (event: { payload: { userId: string } }) => profiles.invalidate(event.payload.userId);
  await consumeEvents<Tx>({
    bus,
    consumer: PROFILE_CACHE_CONSUMER,
    transaction: (fn) => db.$transaction(fn),
    handlers: {
      'accounts.user.registered': invalidate,
      'accounts.user.updated': invalidate,
      'accounts.user.deleted': invalidate,
    },
  });
}
