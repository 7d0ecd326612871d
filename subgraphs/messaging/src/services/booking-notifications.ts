import type { EventEnvelope, EventPayload } from '@market/platform';
import type { NewNotification } from './notification-service';

/** The bookings events that become BOOKING notifications. */
export const BOOKING_EVENT_TYPES = [
  'bookings.stay.requested',
  'bookings.stay.confirmed',
  'bookings.stay.declined',
  'bookings.stay.cancelled',
  'bookings.viewing.requested',
  'bookings.viewing.confirmed',
  'bookings.viewing.cancelled',
  'bookings.viewing.reminder',
] as const;
export type BookingEventType = (typeof BOOKING_EVENT_TYPES)[number];

type Stay = EventPayload<'bookings.stay.requested'>;
type Viewing = EventPayload<'bookings.viewing.requested'>;

const nights = (n: number) => `${n} night${n === 1 ? '' : 's'}`;
const guests = (n: number) => `${n} guest${n === 1 ? '' : 's'}`;
const stayTerms = (s: Stay) => `${s.checkIn} to ${s.checkOut} (${nights(s.nights)}, ${guests(s.guests)}), ${s.totalPrice} ${s.currency}`;
/** "2026-11-23 14:30 UTC": instants read the same for both parties, wherever they are. */
const when = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
const viewingTime = (v: Viewing) => `${when(v.startsAt)} to ${when(v.endsAt).slice(11)}`;
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * Who hears about a bookings event, and what they read. Parties are told what they did not do
 * themselves, plus the receipts a guest or buyer needs (a request went out, the refund). Each
 * notification's dedupe key names the event and the recipient, so it is stored once however often
 * the event arrives.
 */
export function bookingNotifications(event: EventEnvelope<BookingEventType>): NewNotification[] {
  const out: { to: string; title: string; body: string }[] = [];
  const { type } = event;
  switch (type) {
    case 'bookings.stay.requested': {
      const s = (event as EventEnvelope<typeof type>).payload;
      out.push(
        {
          to: s.hostId,
          title: `New booking request for ${s.listingTitle}`,
          body: `A guest asks to stay ${stayTerms(s)}. Confirm or decline the request.`,
        },
        {
          to: s.guestId,
          title: `Booking request sent: ${s.listingTitle}`,
          body: `We asked the host to confirm your stay ${stayTerms(s)}.`,
        },
      );
      break;
    }
    case 'bookings.stay.confirmed': {
      const s = (event as EventEnvelope<typeof type>).payload;
      out.push({ to: s.guestId, title: `Your stay at ${s.listingTitle} is confirmed`, body: `See you ${stayTerms(s)}.` });
      if (s.instantBook)
        out.push({ to: s.hostId, title: `New instant booking at ${s.listingTitle}`, body: `A guest booked ${stayTerms(s)}.` });
      break;
    }
    case 'bookings.stay.declined': {
      const s = (event as EventEnvelope<typeof type>).payload;
      // Absent in events written before requests could expire: the host declined those.
      out.push(
        s.reason === 'EXPIRED'
          ? {
              to: s.guestId,
              title: `Your booking request for ${s.listingTitle} expired`,
              body: `The host did not answer your request to stay ${stayTerms(s)} in time, so it lapsed; the dates are free for other plans. You will not be charged.`,
            }
          : {
              to: s.guestId,
              title: `Your booking request for ${s.listingTitle} was declined`,
              body: `The host cannot take your stay ${stayTerms(s)}; the dates are free for other plans. You will not be charged.`,
            },
      );
      break;
    }
    case 'bookings.stay.cancelled': {
      const s = (event as EventEnvelope<typeof type>).payload;
      const byGuest = s.cancelledBy === s.guestId;
      out.push(
        {
          to: s.guestId,
          title: byGuest ? `You cancelled your stay at ${s.listingTitle}` : `The host cancelled your stay at ${s.listingTitle}`,
          body: `The stay ${stayTerms(s)} is cancelled. Refund: ${s.refundAmount} ${s.currency}.`,
        },
        {
          to: s.hostId,
          title: byGuest ? `A guest cancelled a stay at ${s.listingTitle}` : `Stay at ${s.listingTitle} cancelled`,
          body: `The stay ${stayTerms(s)} is cancelled and its nights are free again. Refunded to the guest: ${s.refundAmount} ${s.currency}.`,
        },
      );
      break;
    }
    case 'bookings.viewing.requested': {
      const v = (event as EventEnvelope<typeof type>).payload;
      out.push(
        {
          to: v.agentId,
          title: `Viewing request for ${v.listingTitle}`,
          body: `A buyer asks to view it on ${viewingTime(v)}. Confirm or move the viewing.`,
        },
        {
          to: v.buyerId,
          title: `Viewing request sent: ${v.listingTitle}`,
          body: `We asked the agent to confirm your viewing on ${viewingTime(v)}.`,
        },
      );
      break;
    }
    case 'bookings.viewing.confirmed': {
      const v = (event as EventEnvelope<typeof type>).payload;
      out.push({
        to: v.buyerId,
        title: v.rescheduled ? `Your viewing of ${v.listingTitle} was moved` : `Your viewing of ${v.listingTitle} is confirmed`,
        body: `The agent expects you on ${viewingTime(v)}.`,
      });
      break;
    }
    case 'bookings.viewing.cancelled': {
      const v = (event as EventEnvelope<typeof type>).payload;
      const body = `The viewing on ${viewingTime(v)} is cancelled.`;
      if (v.cancelledBy !== v.agentId) out.push({ to: v.agentId, title: `Viewing of ${v.listingTitle} cancelled`, body });
      if (v.cancelledBy !== v.buyerId) out.push({ to: v.buyerId, title: `Viewing of ${v.listingTitle} cancelled`, body });
      break;
    }
    case 'bookings.viewing.reminder': {
      const v = (event as EventEnvelope<typeof type>).payload;
      const soon = v.minutesBefore >= 120 ? `in ${Math.round(v.minutesBefore / 60)} hours` : `in ${v.minutesBefore} minutes`;
      out.push(
        { to: v.buyerId, title: `Reminder: viewing of ${v.listingTitle} ${soon}`, body: `Your viewing is on ${viewingTime(v)}.` },
        { to: v.agentId, title: `Reminder: viewing of ${v.listingTitle} ${soon}`, body: `You show it to a buyer on ${viewingTime(v)}.` },
      );
      break;
    }
  }
  return out.map(({ to, title, body }) => ({
    recipientId: to.toLowerCase(),
    kind: 'BOOKING',
    title: clip(title, 200),
    body: clip(body, 2000),
    dedupeKey: `booking:${event.id}:${to.toLowerCase()}`,
  }));
}
