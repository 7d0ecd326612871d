import { randomUUID } from 'node:crypto';
import type { EventEnvelope, EventPayload } from '@market/platform';
import { bookingNotifications, type BookingEventType } from './booking-notifications';

const host = randomUUID();
const guest = randomUUID();
const stay: EventPayload<'bookings.stay.requested'> = {
  stayId: randomUUID(),
  listingId: randomUUID(),
  listingTitle: 'Sea view flat',
  hostId: host,
  guestId: guest,
  checkIn: '2027-01-10',
  checkOut: '2027-01-13',
  nights: 3,
  guests: 2,
  totalPrice: '361.50',
  currency: 'EUR',
};
const agent = randomUUID();
const buyer = randomUUID();
const viewing: EventPayload<'bookings.viewing.requested'> = {
  viewingId: randomUUID(),
  listingId: randomUUID(),
  listingTitle: 'Family house',
  buyerId: buyer,
  agentId: agent,
  startsAt: '2027-01-10T14:30:00.000Z',
  endsAt: '2027-01-10T15:00:00.000Z',
};

function event<T extends BookingEventType>(type: T, payload: EventPayload<T>): EventEnvelope<T> {
  return { id: randomUUID(), type, version: 1, aggregateId: 'a', occurredAt: new Date().toISOString(), payload };
}
const recipients = (e: EventEnvelope<BookingEventType>) => bookingNotifications(e).map((n) => n.recipientId);

describe('bookingNotifications', () => {
  it('tells the host about a request and gives the guest a receipt', () => {
    const e = event('bookings.stay.requested', stay);
    const [toHost, toGuest] = bookingNotifications(e);
    expect(toHost).toEqual({
      recipientId: host,
      kind: 'BOOKING',
      title: 'New booking request for Sea view flat',
      body: 'A guest asks to stay 2027-01-10 to 2027-01-13 (3 nights, 2 guests), 361.50 EUR. Confirm or decline the request.',
      dedupeKey: `booking:${e.id}:${host}`,
    });
    expect(toGuest?.recipientId).toBe(guest);
  });

  it('tells whoever did not act', () => {
    expect(recipients(event('bookings.stay.confirmed', { ...stay, instantBook: false }))).toEqual([guest]);
    expect(recipients(event('bookings.stay.confirmed', { ...stay, instantBook: true }))).toEqual([guest, host]);
    expect(recipients(event('bookings.stay.declined', stay))).toEqual([guest]);
    expect(recipients(event('bookings.viewing.requested', viewing))).toEqual([agent, buyer]);
    expect(recipients(event('bookings.viewing.confirmed', { ...viewing, rescheduled: true }))).toEqual([buyer]);
    expect(recipients(event('bookings.viewing.cancelled', { ...viewing, cancelledBy: buyer }))).toEqual([agent]);
    expect(recipients(event('bookings.viewing.cancelled', { ...viewing, cancelledBy: agent }))).toEqual([buyer]);
    expect(recipients(event('bookings.viewing.cancelled', { ...viewing, cancelledBy: randomUUID() }))).toEqual([agent, buyer]);
    expect(recipients(event('bookings.viewing.reminder', { ...viewing, minutesBefore: 60 }))).toEqual([buyer, agent]);
  });

  it('shows the refund to both sides of a cancellation', () => {
    const [toGuest, toHost] = bookingNotifications(
      event('bookings.stay.cancelled', { ...stay, cancelledBy: guest, refundAmount: '180.75' }),
    );
    expect(toGuest?.title).toBe('You cancelled your stay at Sea view flat');
    expect(toGuest?.body).toContain('Refund: 180.75 EUR');
    expect(toHost?.title).toBe('A guest cancelled a stay at Sea view flat');
    expect(toHost?.body).toContain('180.75 EUR');
  });

  it('says when a reminder is for, in plain words', () => {
    const [day] = bookingNotifications(event('bookings.viewing.reminder', { ...viewing, minutesBefore: 1440 }));
    expect(day?.title).toBe('Reminder: viewing of Family house in 24 hours');
    expect(day?.body).toBe('Your viewing is on 2027-01-10 14:30 UTC to 15:00 UTC.');
    const [hour] = bookingNotifications(event('bookings.viewing.reminder', { ...viewing, minutesBefore: 60 }));
    expect(hour?.title).toBe('Reminder: viewing of Family house in 60 minutes');
  });

  it('tells the guest whether the host declined or the request expired unanswered', () => {
    const [byHost] = bookingNotifications(event('bookings.stay.declined', { ...stay, reason: 'HOST' }));
    expect(byHost?.title).toBe('Your booking request for Sea view flat was declined');
    expect(byHost?.body).toContain('The host cannot take your stay');
    const [expired] = bookingNotifications(event('bookings.stay.declined', { ...stay, reason: 'EXPIRED' }));
    expect(expired).toMatchObject({ recipientId: guest, kind: 'BOOKING', title: 'Your booking request for Sea view flat expired' });
    expect(expired?.body).toBe(
      'The host did not answer your request to stay 2027-01-10 to 2027-01-13 (3 nights, 2 guests), 361.50 EUR in time, so it lapsed; the dates are free for other plans. You will not be charged.',
    );
    // Events written before requests could expire carry no reason: the host declined those.
    const [legacy] = bookingNotifications(event('bookings.stay.declined', stay));
    expect(legacy?.title).toBe(byHost?.title);
  });

  it('keeps titles within what a notification holds', () => {
    const [n] = bookingNotifications(event('bookings.stay.declined', { ...stay, listingTitle: 'x'.repeat(300) }));
    expect(n?.title.length).toBe(200);
  });
});
