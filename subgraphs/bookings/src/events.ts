import {
  consumeEvents,
  enqueueEvent,
  InvalidEventError,
  type EventBus,
  type EventEnvelope,
  type EventPayload,
  type EventType,
  type RawSql,
} from '@market/platform';
import { TX_OPTIONS, uuidsOnly, type Db, type Tx } from './db';
import type { StayRecord, ViewingRecord } from './domain';
import { ListingSnapshotRepository } from './repositories/listing-snapshot-repository';
import type { CleanupService } from './services/cleanup-service';

/**
 * What bookings tells other services, through the outbox in the same transaction as the change:
 *   bookings.stay.requested | confirmed | declined | cancelled (declined carries reason HOST, or
 *   EXPIRED when the scheduler let an unanswered request lapse),
 *   bookings.viewing.requested | confirmed | cancelled, and bookings.viewing.reminder (from the
 *   scheduler, 24 h and 1 h before a confirmed viewing).
 * Consumed:
 *   - `bookings.listing-snapshots`: listings' events, to keep `listing_snapshots`, its own copy of
 *     the listing facts that stays and viewings need; a deletion cancels what was ahead there.
 *   - `bookings.account-cleanup`: accounts.user.deleted cancels the user's stays and viewings ahead
 *     and strips what they wrote from the records kept (CleanupService).
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

export const LISTING_SNAPSHOTS_CONSUMER = 'bookings.listing-snapshots';
export const ACCOUNT_CLEANUP_CONSUMER = 'bookings.account-cleanup';

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
export async function publishStayChange(
  tx: RawSql,
  stay: StayRecord,
  context: { instantBook?: boolean } = {},
): Promise<void> {
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

type Handler<T extends EventType> = (event: EventEnvelope<T>, tx: Tx) => Promise<void>;

/** Ids that cannot be stored will never be: straight to dead letters instead of retries. */
function requireUuids(event: EventEnvelope, ...ids: string[]): void {
  if (uuidsOnly(ids).length !== ids.length) throw new InvalidEventError(`${event.type} ${event.id}: ids must be uuids`);
}

/**
 * Listings' events keep the snapshot; a deletion also cancels what was ahead at the listing (in the
 * same transaction, so the snapshot and the cancellations commit together with the inbox row).
 */
export function listingSnapshotHandlers(cleanup: CleanupService): {
  'listings.listing.upserted': Handler<'listings.listing.upserted'>;
  'listings.listing.deleted': Handler<'listings.listing.deleted'>;
} {
  return {
    'listings.listing.upserted': async (event, tx) => {
      requireUuids(event, event.payload.listingId, event.payload.ownerId);
      await new ListingSnapshotRepository(tx).applyUpserted(event);
    },
    'listings.listing.deleted': async (event, tx) => {
      requireUuids(event, event.payload.listingId, event.payload.ownerId);
      await new ListingSnapshotRepository(tx).applyDeleted(event);
      await cleanup.listingDeleted(tx, event.payload.listingId, event.payload.ownerId, new Date(event.occurredAt));
    },
  };
}

export function accountCleanupHandlers(cleanup: CleanupService): {
  'accounts.user.deleted': Handler<'accounts.user.deleted'>;
} {
  return {
    'accounts.user.deleted': async (event, tx) => {
      requireUuids(event, event.payload.userId);
      await cleanup.userDeleted(tx, event.payload.userId, new Date(event.occurredAt));
    },
  };
}

/**
 * Subscribes bookings' consumers; each event is applied once (inbox row in the same transaction as
 * its effect). Listing events keep one consumer group, so a listing's upserts and its deletion are
 * applied in the order they happened.
 */
export async function subscribeConsumers(bus: EventBus, db: Db, cleanup: CleanupService): Promise<void> {
  await consumeEvents<Tx>({
    bus,
    consumer: LISTING_SNAPSHOTS_CONSUMER,
    transaction: (fn) => db.$transaction(fn, TX_OPTIONS),
    handlers: listingSnapshotHandlers(cleanup),
  });
  await consumeEvents<Tx>({
    bus,
    consumer: ACCOUNT_CLEANUP_CONSUMER,
    transaction: (fn) => db.$transaction(fn, TX_OPTIONS),
    handlers: accountCleanupHandlers(cleanup),
  });
}
