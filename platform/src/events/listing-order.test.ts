import type { EventEnvelope } from './contracts';
import { advanceListingOrder, listingEventOrderOf, supersedesListingState } from './listing-order';

const at = (iso: string) => new Date(`2030-03-10T${iso}Z`);

describe('supersedesListingState', () => {
  it('orders by version when both sides have one, whatever the clocks say', () => {
    // Older version, later time (a replica whose clock runs ahead, or a replayed dead letter): no.
    expect(supersedesListingState({ version: 3, occurredAt: at('10:00:00') }, { version: 2, occurredAt: at('10:05:00') })).toBe(false);
    // Newer version, earlier time: yes.
    expect(supersedesListingState({ version: 2, occurredAt: at('10:05:00') }, { version: 3, occurredAt: at('10:00:00') })).toBe(true);
    // The same version again (republished, redelivered under a new id) brings nothing new.
    expect(supersedesListingState({ version: 3, occurredAt: at('10:00:00') }, { version: 3, occurredAt: at('11:00:00') })).toBe(false);
  });

  it('falls back to time when either side has no version, a tie counting as newer', () => {
    for (const [held, incoming] of [
      [null, null],
      [4, null],
      [null, 4],
    ] as const) {
      expect(supersedesListingState({ version: held, occurredAt: at('10:00:00') }, { version: incoming, occurredAt: at('10:00:01') })).toBe(
        true,
      );
      expect(supersedesListingState({ version: held, occurredAt: at('10:00:00') }, { version: incoming, occurredAt: at('10:00:00') })).toBe(
        true,
      );
      expect(supersedesListingState({ version: held, occurredAt: at('10:00:00') }, { version: incoming, occurredAt: at('09:59:59') })).toBe(
        false,
      );
    }
  });
});

describe('advanceListingOrder', () => {
  it('keeps the highest version and the latest time seen', () => {
    expect(advanceListingOrder({ version: 2, occurredAt: at('10:05:00') }, { version: 3, occurredAt: at('10:00:00') })).toEqual({
      version: 3,
      occurredAt: at('10:05:00'),
    });
    // A versionless state applied over a versioned one leaves the version where it was.
    expect(advanceListingOrder({ version: 3, occurredAt: at('10:00:00') }, { version: null, occurredAt: at('10:01:00') })).toEqual({
      version: 3,
      occurredAt: at('10:01:00'),
    });
    expect(advanceListingOrder({ version: null, occurredAt: at('10:00:00') }, { version: 1, occurredAt: at('09:00:00') })).toEqual({
      version: 1,
      occurredAt: at('10:00:00'),
    });
    expect(advanceListingOrder(null, { version: null, occurredAt: at('10:00:00') })).toEqual({ version: null, occurredAt: at('10:00:00') });
  });
});

describe('listingEventOrderOf', () => {
  const event = (payload: { version?: number }, occurredAt = '2030-03-10T10:00:00.000Z') =>
    ({
      id: 'e1',
      type: 'listings.listing.deleted',
      version: 1,
      aggregateId: 'l1',
      occurredAt,
      payload: { listingId: 'l1', ownerId: 'o1', ...payload },
    }) as EventEnvelope<'listings.listing.deleted'>;

  it("reads the listing's version, null for events written before versions existed", () => {
    expect(listingEventOrderOf(event({ version: 7 }))).toEqual({ version: 7, occurredAt: at('10:00:00') });
    expect(listingEventOrderOf(event({}))).toEqual({ version: null, occurredAt: at('10:00:00') });
  });

  it('refuses a time that is no instant, for dead letters', () => {
    expect(() => listingEventOrderOf(event({ version: 1 }, 'yesterday'))).toThrow(expect.objectContaining({ name: 'InvalidEventError' }));
  });
});
