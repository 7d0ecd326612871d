import { consumeEvents, type EventBus } from '@market/platform';
import type { Db, Tx } from '../db';
import { StayHoldRepository } from '../repositories/stay-hold-repository';

/** Bookings' stays, by `listings.stay-holds`. */
export const STAY_HOLDS_CONSUMER = 'listings.stay-holds';

/**
 * Keeps listings' copy of the nights stays hold, for `searchListings` with dates: a requested or
 * confirmed stay holds its nights, a declined or cancelled one frees them. Bookings' calendar stays
 * the truth (host blocks are not in this copy; `availableListings` and `bookStay` know them).
 */
export async function consumeStayHoldEvents(bus: EventBus, db: Db): Promise<void> {
  await consumeEvents<Tx>({
    bus,
    consumer: STAY_HOLDS_CONSUMER,
    transaction: (fn) => db.$transaction(fn),
    handlers: {
      'bookings.stay.requested': (event, tx) => StayHoldRepository.hold(tx, event.payload),
      'bookings.stay.confirmed': (event, tx) => StayHoldRepository.hold(tx, event.payload),
      'bookings.stay.declined': (event, tx) => StayHoldRepository.release(tx, event.payload),
      'bookings.stay.cancelled': (event, tx) => StayHoldRepository.release(tx, event.payload),
    },
  });
}
