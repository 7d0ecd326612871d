import { enqueueEvent, type EventPayload, type EventType, type RawSql } from '@market/platform';
import type { StayRecord, ViewingRecord } from '../domain';

/**
 * What bookings tells other services, through the outbox in the same transaction as the change:
 *   bookings.stay.requested | confirmed | declined | cancelled (declined carries reason HOST, or
 *   EXPIRED when the scheduler let an unanswered request lapse),
 *   bookings.viewing.requested | confirmed | cancelled, and bookings.viewing.reminder (from the
 *   scheduler, 24 h and 1 h before a confirmed viewing).
 * What it consumes is in consumers/.
 */
export const PUBLISHED_EVENTS = [
  'bookings.stay.requested',
  'bookings.stay.confirmed',
  'bookings.stay.declined',
  'bookings.stay.cancelled',
  'bookings.viewing.requested',
  'bookings.viewing.confirmed',
  'bookings.viewing.cancelled',
  'bookings.viewing.reminder',
] as const satisfies readonly EventType[];

export function stayPayload(stay: StayRecord): EventPayload<'bookings.stay.requested'> {
  return {
    stayId: stay.id,
    listingId: stay.listingId,
    listingTitle: stay.listingTitle,
    hostId: stay.hostId,
    guestId: stay.guestId,
    checkIn: stay.checkIn,
    checkOut: stay.checkOut,
    nights: stay.nights,
    guests: stay.guests,
    totalPrice: stay.totalPrice,
    currency: stay.currency,
  };
}

export function viewingPayload(viewing: ViewingRecord): EventPayload<'bookings.viewing.requested'> {
  return {
    viewingId: viewing.id,
    listingId: viewing.listingId,
    listingTitle: viewing.listingTitle,
    buyerId: viewing.buyerId,
    agentId: viewing.agentId,
    startsAt: viewing.startsAt.toISOString(),
    endsAt: viewing.endsAt.toISOString(),
  };
}

/** The event a stay's new status is announced with. */
export async function publishStayChange(tx: RawSql, stay: StayRecord, context: { instantBook?: boolean } = {}): Promise<void> {
  const payload = stayPayload(stay);
  switch (stay.status) {
    case 'REQUESTED':
      await enqueueEvent(tx, 'bookings.stay.requested', stay.id, payload);
      return;
    case 'CONFIRMED':
      await enqueueEvent(tx, 'bookings.stay.confirmed', stay.id, { ...payload, instantBook: context.instantBook ?? false });
      return;
    case 'DECLINED':
      await enqueueEvent(tx, 'bookings.stay.declined', stay.id, { ...payload, reason: 'HOST' });
      return;
    case 'EXPIRED':
      await enqueueEvent(tx, 'bookings.stay.declined', stay.id, { ...payload, reason: 'EXPIRED' });
      return;
    case 'CANCELLED':
      await enqueueEvent(tx, 'bookings.stay.cancelled', stay.id, {
        ...payload,
        cancelledBy: stay.cancelledById ?? stay.guestId,
        refundAmount: stay.refundAmount ?? '0.00',
      });
      return;
    case 'COMPLETED':
      await enqueueEvent(tx, 'bookings.stay.completed', stay.id, payload);
      return;
  }
}

/** The event a viewing's new state is announced with. */
export async function publishViewingChange(
  tx: RawSql,
  viewing: ViewingRecord,
  context: { rescheduled?: boolean; cancelledBy?: string } = {},
): Promise<void> {
  const payload = viewingPayload(viewing);
  switch (viewing.status) {
    case 'PENDING':
      await enqueueEvent(tx, 'bookings.viewing.requested', viewing.id, payload);
      return;
    case 'CONFIRMED':
      await enqueueEvent(tx, 'bookings.viewing.confirmed', viewing.id, { ...payload, rescheduled: context.rescheduled ?? false });
      return;
    case 'CANCELLED':
      await enqueueEvent(tx, 'bookings.viewing.cancelled', viewing.id, { ...payload, cancelledBy: context.cancelledBy ?? viewing.buyerId });
      return;
  }
}
