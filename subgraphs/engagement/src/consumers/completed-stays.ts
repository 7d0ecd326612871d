import type { EventEnvelope } from '@market/platform';
import type { Tx } from '../db';
import { isUuid } from '../domain';
import { ReviewRepository } from '../repositories/review-repository';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * bookings.stay.completed: guest and host may review each other for `windowDays` from the moment
 * the stay was completed (the event's time, so a late delivery does not lengthen the window).
 */
export function completedStayHandlers(windowDays: number) {
  return {
    'bookings.stay.completed': async (event: EventEnvelope<'bookings.stay.completed'>, tx: Tx): Promise<void> => {
      const p = event.payload;
      if (!isUuid(p.stayId) || !isUuid(p.listingId)) return;
      const completedAt = new Date(event.occurredAt);
      await ReviewRepository.recordCompletedStay(tx, {
        stayId: p.stayId,
        listingId: p.listingId,
        hostId: isUuid(p.hostId) ? p.hostId : null,
        guestId: isUuid(p.guestId) ? p.guestId : null,
        completedAt,
        reviewsCloseAt: new Date(completedAt.getTime() + windowDays * DAY_MS),
      });
    },
  };
}
