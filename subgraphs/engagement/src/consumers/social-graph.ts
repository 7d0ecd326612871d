import type { EventEnvelope } from '@market/platform';
import type { Tx } from '../db';
import { isUuid } from '../domain';
import { SocialRepository } from '../repositories/social-repository';

/**
 * The social graph from accounts' events: accepted connections (both ways) and follows, for the
 * feed's ranking, `peopleYouMayKnow` and activity profiles visible to connections.
 */
export const socialGraphHandlers = {
  'accounts.connection.accepted': async (event: EventEnvelope<'accounts.connection.accepted'>, tx: Tx): Promise<void> => {
    const { requesterId, addresseeId } = event.payload;
    if (isUuid(requesterId) && isUuid(addresseeId)) await SocialRepository.connect(tx, requesterId, addresseeId);
  },
  'accounts.connection.removed': async (event: EventEnvelope<'accounts.connection.removed'>, tx: Tx): Promise<void> => {
    const { requesterId, addresseeId } = event.payload;
    if (isUuid(requesterId) && isUuid(addresseeId)) await SocialRepository.disconnect(tx, requesterId, addresseeId);
  },
  'accounts.user.followed': async (event: EventEnvelope<'accounts.user.followed'>, tx: Tx): Promise<void> => {
    const { followerId, followeeId } = event.payload;
    if (isUuid(followerId) && isUuid(followeeId)) await SocialRepository.follow(tx, followerId, followeeId);
  },
  'accounts.user.unfollowed': async (event: EventEnvelope<'accounts.user.unfollowed'>, tx: Tx): Promise<void> => {
    const { followerId, followeeId } = event.payload;
    if (isUuid(followerId) && isUuid(followeeId)) await SocialRepository.unfollow(tx, followerId, followeeId);
  },
};
