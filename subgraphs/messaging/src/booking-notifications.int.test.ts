import { randomUUID } from 'node:crypto';
import type { EventEnvelope, EventPayload, Identity } from '@market/platform';
import { BOOKING_NOTIFICATIONS_CONSUMER } from './consumers/booking-notifications';
import type { BookingEventType } from './services/booking-notifications';
import { someone, useMessaging } from './testing/harness';

const { m, bus } = useMessaging();

const MINE = `{ myNotifications { kind title body } }`;
const mine = async (who: Identity) =>
  (await m().call<{ myNotifications: { kind: string; title: string; body: string }[] }>(who, MINE)).data?.myNotifications ?? [];

function event<T extends BookingEventType>(type: T, payload: EventPayload<T>): EventEnvelope<T> {
  return { id: randomUUID(), type, version: 1, aggregateId: randomUUID(), occurredAt: new Date().toISOString(), payload };
}

function stay(host: Identity, guest: Identity): EventPayload<'bookings.stay.requested'> {
  return {
    stayId: randomUUID(),
    listingId: randomUUID(),
    listingTitle: 'Sea view flat',
    hostId: host.userId,
    guestId: guest.userId,
    checkIn: '2027-01-10',
    checkOut: '2027-01-12',
    nights: 2,
    guests: 1,
    totalPrice: '241.00',
    currency: 'EUR',
  };
}

describe('BOOKING notifications from bookings events', () => {
  it('notifies host and guest of a stay request, once however often it is delivered', async () => {
    const [host, guest] = [someone('HOST'), someone()];
    const requested = event('bookings.stay.requested', stay(host, guest));
    await bus().publish([requested, requested]);
    await bus().drain();
    await bus().publish([requested]);
    await bus().drain();

    expect(await mine(host)).toEqual([
      { kind: 'BOOKING', title: 'New booking request for Sea view flat', body: expect.stringContaining('2027-01-10 to 2027-01-12') },
    ]);
    expect(await mine(guest)).toEqual([{ kind: 'BOOKING', title: 'Booking request sent: Sea view flat', body: expect.any(String) }]);
    expect(await m().db.inboxEvent.count({ where: { consumer: BOOKING_NOTIFICATIONS_CONSUMER, eventId: requested.id } })).toBe(1);
    expect(await bus().deadLetters()).toEqual([]);
  });

  it('follows a stay and a viewing through their lives, to the right people only', async () => {
    const [host, guest, agent, buyer, bystander] = [someone('HOST'), someone(), someone('AGENT'), someone(), someone()];
    const s = stay(host, guest);
    const v: EventPayload<'bookings.viewing.requested'> = {
      viewingId: randomUUID(),
      listingId: randomUUID(),
      listingTitle: 'Family house',
      buyerId: buyer.userId,
      agentId: agent.userId,
      startsAt: '2027-02-01T10:00:00.000Z',
      endsAt: '2027-02-01T10:30:00.000Z',
    };
    await bus().publish([
      event('bookings.stay.confirmed', { ...s, instantBook: false }),
      event('bookings.stay.cancelled', { ...s, cancelledBy: host.userId, refundAmount: '241.00' }),
      event('bookings.viewing.confirmed', { ...v, rescheduled: false }),
      event('bookings.viewing.reminder', { ...v, minutesBefore: 60 }),
      event('bookings.viewing.cancelled', { ...v, cancelledBy: buyer.userId }),
    ]);
    await bus().drain();

    expect((await mine(guest)).map((n) => n.title).sort()).toEqual([
      'The host cancelled your stay at Sea view flat',
      'Your stay at Sea view flat is confirmed',
    ]);
    expect((await mine(host)).map((n) => n.title)).toEqual(['Stay at Sea view flat cancelled']);
    expect((await mine(buyer)).map((n) => n.title).sort()).toEqual([
      'Reminder: viewing of Family house in 60 minutes',
      'Your viewing of Family house is confirmed',
    ]);
    expect((await mine(agent)).map((n) => n.title).sort()).toEqual([
      'Reminder: viewing of Family house in 60 minutes',
      'Viewing of Family house cancelled',
    ]);
    expect(await mine(bystander)).toEqual([]);
    expect(await bus().deadLetters()).toEqual([]);
  });

  it('tells the guest a request expired when bookings says nobody answered it in time', async () => {
    const [host, guest, otherGuest] = [someone('HOST'), someone(), someone()];
    const expired = event('bookings.stay.declined', { ...stay(host, guest), reason: 'EXPIRED' });
    await bus().publish([expired, event('bookings.stay.declined', { ...stay(host, otherGuest), reason: 'HOST' })]);
    await bus().drain();
    await bus().publish([expired]);
    await bus().drain();

    expect(await mine(guest)).toEqual([
      {
        kind: 'BOOKING',
        title: 'Your booking request for Sea view flat expired',
        body: expect.stringContaining('did not answer your request'),
      },
    ]);
    expect(await mine(otherGuest)).toEqual([
      {
        kind: 'BOOKING',
        title: 'Your booking request for Sea view flat was declined',
        body: expect.stringContaining('The host cannot take your stay'),
      },
    ]);
    expect(await mine(host)).toEqual([]);
    expect(await bus().deadLetters()).toEqual([]);
  });

  it('sends an event naming no real user to dead letters without notifying anyone', async () => {
    const guest = someone();
    await bus().publish([event('bookings.stay.declined', { ...stay(someone(), guest), hostId: 'not-a-user', guestId: 'nobody' })]);
    await bus().drain();
    const dead = await bus().deadLetters();
    expect(dead.map((d) => d.group)).toContain(BOOKING_NOTIFICATIONS_CONSUMER);
  });
});
