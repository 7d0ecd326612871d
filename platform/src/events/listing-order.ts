import { InvalidEventError, type EventEnvelope } from './contracts';

/**
 * Where a listing's state stands in its history: the version listings gave it (taken under the
 * write's row lock, so clock-free) and when the event occurred (a clock reading, which replicas may
 * disagree on). The time only orders states when one side has no version: events written before
 * versions existed, and copies only such events have written.
 */
export interface ListingEventOrder {
  version: number | null;
  occurredAt: Date;
}

/** Where a `listings.listing.*` event stands. */
export function listingEventOrderOf(event: EventEnvelope<'listings.listing.upserted' | 'listings.listing.deleted'>): ListingEventOrder {
  const occurredAt = new Date(event.occurredAt);
  // A time that is no instant never will be: dead letters, not retries.
  if (Number.isNaN(occurredAt.getTime())) throw new InvalidEventError(`${event.type} ${event.id}: occurredAt is not an instant`);
  return { version: event.payload.version ?? null, occurredAt };
}

/**
 * Whether an incoming state is newer than the held one: a higher version when both have one (a
 * replayed dead letter or a replica with a fast clock cannot win by its time); otherwise a time at
 * least as late, as before versions existed.
 */
export function supersedesListingState(held: ListingEventOrder, incoming: ListingEventOrder): boolean {
  if (held.version !== null && incoming.version !== null) return incoming.version > held.version;
  return incoming.occurredAt.getTime() >= held.occurredAt.getTime();
}

/**
 * What a copy remembers after applying a state: the highest version and the latest time it has
 * seen, so neither a versioned nor a versionless older event can win afterwards.
 */
export function advanceListingOrder(held: ListingEventOrder | null, incoming: ListingEventOrder): ListingEventOrder {
  if (!held) return incoming;
  const versions = [held.version, incoming.version].filter((v): v is number => v !== null);
  return {
    version: versions.length > 0 ? Math.max(...versions) : null,
    occurredAt: incoming.occurredAt > held.occurredAt ? incoming.occurredAt : held.occurredAt,
  };
}
