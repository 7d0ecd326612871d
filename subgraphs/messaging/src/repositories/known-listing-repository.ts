import type { Tx } from '../db';
import type { KnownListingRecord } from '../domain';

/** A listing's state as a `listings.listing.upserted` event reports it. */
export type ListingState = Omit<KnownListingRecord, 'deletedAt'>;

export type ApplyOutcome =
  /** `before` is null for a listing seen for the first time. */
  | { kind: 'applied'; before: KnownListingRecord | null; after: ListingState }
  /** The listing was deleted, or a newer event was applied already: nothing changed. */
  | { kind: 'stale' };

/**
 * Messaging's copy of what listings reports (its events are the only way to know), written by the
 * listing-watch consumer inside each event's inbox transaction.
 */
export class KnownListingRepository {
  constructor(private readonly tx: Tx) {}

  /**
   * Records the listing's new state and returns the one it replaces. The row is locked first, so
   * the previous state read is the one replaced. An event older than the newest applied (a replayed
   * dead letter) and any event after the deletion change nothing.
   */
  async apply(state: ListingState, occurredAt: Date): Promise<ApplyOutcome> {
    const [current] = await this.tx.$queryRaw<(KnownListingRecord & { lastEventAt: Date })[]>`
      SELECT listing_id::text AS "listingId", owner_id::text AS "ownerId", title, kind, status, price,
             price_per_night AS "pricePerNight", currency, deleted_at AS "deletedAt", last_event_at AS "lastEventAt"
      FROM known_listings WHERE listing_id = ${state.listingId}::uuid
      FOR UPDATE`;
    if (current && (current.deletedAt || current.lastEventAt > occurredAt)) return { kind: 'stale' };
    const data = {
      ownerId: state.ownerId,
      title: state.title,
      kind: state.kind,
      status: state.status,
      price: state.price,
      pricePerNight: state.pricePerNight,
      currency: state.currency,
      lastEventAt: occurredAt,
    };
    // A first sighting racing another one for the same listing: the later statement updates.
    await this.tx.knownListing.upsert({
      where: { listingId: state.listingId },
      create: { listingId: state.listingId, ...data },
      update: data,
      select: { listingId: true },
    });
    if (!current) return { kind: 'applied', before: null, after: state };
    const { lastEventAt: _lastEventAt, ...before } = current;
    return { kind: 'applied', before, after: state };
  }

  /**
   * Marks the listing deleted for good and removes its watches. Returns what was known of it (null
   * when nothing was, or it was deleted already) and who watched it. A listing never seen gets a
   * bare tombstone, so a late upsert cannot make it watchable.
   */
  async markDeleted(listingId: string, ownerId: string, occurredAt: Date): Promise<{ before: KnownListingRecord | null; watcherIds: string[] }> {
    const [current] = await this.tx.$queryRaw<KnownListingRecord[]>`
      SELECT listing_id::text AS "listingId", owner_id::text AS "ownerId", title, kind, status, price,
             price_per_night AS "pricePerNight", currency, deleted_at AS "deletedAt"
      FROM known_listings WHERE listing_id = ${listingId}::uuid
      FOR UPDATE`;
    if (current?.deletedAt) return { before: null, watcherIds: [] };
    if (current) {
      await this.tx.knownListing.update({ where: { listingId }, data: { deletedAt: occurredAt }, select: { listingId: true } });
    } else {
      // What is never shown: the tombstone only says "deleted" (XXX is ISO 4217's "no currency").
      await this.tx.knownListing.upsert({
        where: { listingId },
        create: { listingId, ownerId, title: '', kind: 'SALE', status: 'DELETED', currency: 'XXX', lastEventAt: occurredAt, deletedAt: occurredAt },
        update: { deletedAt: occurredAt },
        select: { listingId: true },
      });
    }
    const removed = await this.tx.$queryRaw<{ userId: string }[]>`
      DELETE FROM listing_watches WHERE listing_id = ${listingId}::uuid RETURNING user_id::text AS "userId"`;
    return { before: current ?? null, watcherIds: removed.map((r) => r.userId) };
  }

  /** Everyone watching the listing. */
  async watcherIds(listingId: string): Promise<string[]> {
    const rows = await this.tx.listingWatch.findMany({ where: { listingId }, select: { userId: true } });
    return rows.map((r) => r.userId);
  }
}
