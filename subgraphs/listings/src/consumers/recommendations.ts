import { consumeEvents, type EventBus, type EventEnvelope } from '@market/platform';
import type { Db, Tx } from '../db';
import { isUuid } from '@market/platform';
import { RecommendationRepository } from '../repositories/recommendation-repository';
import type { InteractionKind } from '../recommendations/rules/interactions';

/** Bookings' stays and viewings, by `listings.recommendations` (one group: the state is in PostgreSQL). */
export const RECOMMENDATIONS_CONSUMER = 'listings.recommendations';

/**
 * What users do in other domains, learned by recommendations as it happens (no nightly recompute):
 * a stay or viewing request and its confirmation are strong interest of the guest or buyer in the
 * listing. Declines and cancellations teach nothing new: the interest was real (affinities are
 * never lowered). Applied in the transaction that records the event in the inbox, so a redelivery
 * counts nothing twice. engagement publishes no reaction events yet: REACTION is weighted in
 * rules/interactions.ts and will be fed from them when they exist. Views and favorites are listings'
 * own and recorded where they happen.
 */
export async function consumeRecommendationEvents(bus: EventBus, db: Db): Promise<void> {
  const learn =
    (kind: InteractionKind, who: (payload: Record<string, unknown>) => unknown) =>
    async (event: EventEnvelope, tx: Tx): Promise<void> => {
      const payload = event.payload as Record<string, unknown>;
      const userId = who(payload);
      const listingId = payload['listingId'];
      // Ids that are not uuids name nothing here (and stay away from the ::uuid casts).
      if (typeof userId !== 'string' || typeof listingId !== 'string' || !isUuid(userId) || !isUuid(listingId)) return;
      await RecommendationRepository.recordIn(tx, userId.toLowerCase(), listingId.toLowerCase(), kind, new Date(event.occurredAt));
    };
  const guest = (p: Record<string, unknown>) => p['guestId'];
  const buyer = (p: Record<string, unknown>) => p['buyerId'];
  await consumeEvents<Tx>({
    bus,
    consumer: RECOMMENDATIONS_CONSUMER,
    transaction: (fn) => db.$transaction(fn),
    handlers: {
      'bookings.stay.requested': learn('STAY_REQUESTED', guest),
      'bookings.stay.confirmed': learn('STAY_CONFIRMED', guest),
      'bookings.viewing.requested': learn('VIEWING_REQUESTED', buyer),
      'bookings.viewing.confirmed': learn('VIEWING_CONFIRMED', buyer),
    },
  });
}
