import type { Tx } from '../db';
import { PUBLIC_LISTING_STATUSES, type KnownListingRecord } from '../domain';
import { advanceListingOrder, supersedesListingState, type ListingEventOrder } from '@market/platform';

/** A listing's state as a `listings.listing.upserted` event reports it. */
export type ListingState = Omit<KnownListingRecord, 'deletedAt'>;

/** What was known of a listing before an event, with the title its watchers last saw. */
export type KnownListingState = KnownListingRecord & { shownTitle: string | null };

export type ApplyOutcome =
  /** `before` is null for a listing seen for the first time. */
  | { kind: 'applied'; before: KnownListingState | null; after: ListingState }
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
   * the previous state read is the one replaced. A state not newer than the one held (see
   * platform/src/events/listing-order.ts: a replayed dead letter, an event stamped by a replica whose
   * clock runs ahead) and any event after the deletion change nothing.
   */
  async apply(state: ListingState, incoming: ListingEventOrder): Promise<ApplyOutcome> {
    const data = {
      ownerId: state.ownerId,
      title: state.title,
      kind: state.kind,
      status: state.status,
      price: state.price,
      pricePerNight: state.pricePerNight,
      currency: state.currency,
      // Only a state watchers can see names the listing for them; a hidden one keeps the last shown title.
      ...(PUBLIC_LISTING_STATUSES.has(state.status) ? { shownTitle: state.title } : {}),
    };
    // A first sighting that races another transaction's meets its row on insert (committed by then:
    // a unique insert waits for the other to end), and the second pass decides against that row.
    for (let pass = 0; pass < 2; pass++) {
      const held = await this.locked(state.listingId);
      if (held) {
        const { known: before, order } = held;
        if (before.deletedAt || !supersedesListingState(order, incoming)) return { kind: 'stale' };
        const next = advanceListingOrder(order, incoming);
        await this.tx.knownListing.update({
          where: { listingId: state.listingId },
          data: { ...data, version: next.version, lastEventAt: next.occurredAt },
          select: { listingId: true },
        });
        return { kind: 'applied', before, after: state };
      }
      const { count } = await this.tx.knownListing.createMany({
        data: [{ listingId: state.listingId, ...data, version: incoming.version, lastEventAt: incoming.occurredAt }],
        skipDuplicates: true,
      });
      if (count === 1) return { kind: 'applied', before: null, after: state };
    }
    // Rows are never removed, so the second pass always finds one: this is a fault, and the event is retried.
    throw new Error(`known listing ${state.listingId} neither found nor inserted`);
  }

  /**
   * Marks the listing deleted for good and removes its watches. Returns what was known of it (null
   * when nothing was, or it was deleted already) and who watched it. A listing never seen gets a
   * bare tombstone, so a late upsert cannot make it watchable. Deletion wins whatever its version or
   * time; the row keeps the highest version seen.
   */
  async markDeleted(
    listingId: string,
    ownerId: string,
    incoming: ListingEventOrder,
  ): Promise<{ before: KnownListingState | null; watcherIds: string[] }> {
    const held = await this.locked(listingId);
    if (held?.known.deletedAt) return { before: null, watcherIds: [] };
    if (held) {
      const next = advanceListingOrder(held.order, incoming);
      await this.tx.knownListing.update({
        where: { listingId },
        data: { deletedAt: incoming.occurredAt, version: next.version, lastEventAt: next.occurredAt },
        select: { listingId: true },
      });
    } else {
      // What is never shown: the tombstone only says "deleted" (XXX is ISO 4217's "no currency").
      await this.tx.knownListing.upsert({
        where: { listingId },
        create: {
          listingId,
          ownerId,
          title: '',
          kind: 'SALE',
          status: 'DELETED',
          currency: 'XXX',
          version: incoming.version,
          lastEventAt: incoming.occurredAt,
          deletedAt: incoming.occurredAt,
        },
        update: { deletedAt: incoming.occurredAt },
        select: { listingId: true },
      });
    }
    const removed = await this.tx.$queryRaw<{ userId: string }[]>`
      DELETE FROM listing_watches WHERE listing_id = ${listingId}::uuid RETURNING user_id::text AS "userId"`;
    return { before: held?.known ?? null, watcherIds: removed.map((r) => r.userId) };
  }

  /** The listing's title as messaging last heard it (null for a listing it never heard of or that was deleted). */
  async titleOf(listingId: string): Promise<string | null> {
    const row = await this.tx.knownListing.findUnique({ where: { listingId }, select: { title: true, deletedAt: true } });
    return row && !row.deletedAt ? row.title : null;
  }

  /** Everyone watching the listing. */
  async watcherIds(listingId: string): Promise<string[]> {
    const rows = await this.tx.listingWatch.findMany({ where: { listingId }, select: { userId: true } });
    return rows.map((r) => r.userId);
  }

  /** What is known of the listing and where that state stands, locked until the transaction ends. */
  private async locked(listingId: string): Promise<{ known: KnownListingState; order: ListingEventOrder } | null> {
    const [row] = await this.tx.$queryRaw<(KnownListingState & { version: number | null; lastEventAt: Date })[]>`
      SELECT listing_id::text AS "listingId", owner_id::text AS "ownerId", title, shown_title AS "shownTitle", kind, status, price,
             price_per_night AS "pricePerNight", currency, deleted_at AS "deletedAt", version, last_event_at AS "lastEventAt"
      FROM known_listings WHERE listing_id = ${listingId}::uuid
      FOR UPDATE`;
    if (!row) return null;
    const { version, lastEventAt, ...known } = row;
    return { known, order: { version, occurredAt: lastEventAt } };
  }
}
