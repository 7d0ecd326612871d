import type { DbOrTx } from '../db';
import { DEFAULT_CANCELLATION_POLICY, type CancellationPolicy, type ListingKind, type ListingSnapshot } from '../domain';
import {
  advanceListingOrder,
  listingEventOrderOf,
  supersedesListingState,
  uuidsOnly,
  type EventEnvelope,
  type ListingEventOrder,
} from '@market/platform';

const snapshotSelect = {
  listingId: true,
  ownerId: true,
  kind: true,
  status: true,
  title: true,
  pricePerNight: true,
  cleaningFee: true,
  currency: true,
  maxGuests: true,
  minNights: true,
  maxNights: true,
  instantBook: true,
  weeklyDiscountPercent: true,
  monthlyDiscountPercent: true,
  cancellationPolicy: true,
  timeZone: true,
  updatedAt: true,
  deletedAt: true,
} as const;

type Money = { toFixed(dp: number): string } | null;
type SnapshotRow = Omit<ListingSnapshot, 'pricePerNight' | 'cleaningFee' | 'kind' | 'cancellationPolicy'> & {
  kind: ListingKind;
  cancellationPolicy: CancellationPolicy;
  pricePerNight: Money;
  cleaningFee: Money;
};

const money = (value: Money) => (value === null ? null : value.toFixed(2));

function toSnapshot(row: SnapshotRow): ListingSnapshot {
  return {
    ...row,
    pricePerNight: money(row.pricePerNight),
    cleaningFee: money(row.cleaningFee),
  };
}

/**
 * The local replica of listings. Writes come only from listings' events, and each write carries
 * where its event stands in the listing's history (its version, and its time for events without
 * one; see platform/src/events/listing-order.ts): a row is changed only by a newer state than the one
 * it reflects, so events arriving out of order, or stamped by a replica whose clock runs ahead,
 * cannot roll a listing back.
 */
export class ListingSnapshotRepository {
  constructor(private readonly db: DbOrTx) {}

  async findByIds(ids: readonly string[]): Promise<ListingSnapshot[]> {
    const rows = await this.db.listingSnapshot.findMany({
      where: { listingId: { in: uuidsOnly(ids) } },
      select: snapshotSelect,
    });
    return rows.map(toSnapshot);
  }

  /** Records the listing's state unless the snapshot already reflects a newer one; whether it did. */
  async applyUpserted(event: EventEnvelope<'listings.listing.upserted'>): Promise<boolean> {
    const p = event.payload;
    const incoming = listingEventOrderOf(event);
    // Terms an older producer leaves out read as "none" (and the default policy): the newest event
    // describes the whole listing. A deleted listing stays deleted: deleted_at is never written here.
    const facts = {
      ownerId: p.ownerId,
      kind: p.kind,
      status: p.status,
      title: p.title.slice(0, 160),
      pricePerNight: p.pricePerNight,
      cleaningFee: p.cleaningFee ?? null,
      currency: p.currency,
      maxGuests: p.maxGuests,
      minNights: p.minNights ?? null,
      maxNights: p.maxNights ?? null,
      instantBook: p.instantBook ?? false,
      weeklyDiscountPercent: p.weeklyDiscountPercent ?? null,
      monthlyDiscountPercent: p.monthlyDiscountPercent ?? null,
      cancellationPolicy: p.cancellationPolicy ?? DEFAULT_CANCELLATION_POLICY,
      timeZone: p.timeZone,
    };
    // A first sighting that races another transaction's meets its row on insert (committed by then:
    // a unique insert waits for the other to end), and the second pass decides against that row.
    for (let pass = 0; pass < 2; pass++) {
      const held = await this.lockedOrder(p.listingId);
      if (held) {
        if (!supersedesListingState(held, incoming)) return false;
        const next = advanceListingOrder(held, incoming);
        await this.db.listingSnapshot.update({
          where: { listingId: p.listingId },
          data: { ...facts, version: next.version, updatedAt: next.occurredAt },
          select: { listingId: true },
        });
        return true;
      }
      const { count } = await this.db.listingSnapshot.createMany({
        data: [{ listingId: p.listingId, ...facts, version: incoming.version, updatedAt: incoming.occurredAt }],
        skipDuplicates: true,
      });
      if (count === 1) return true;
    }
    // Rows are never removed, so the second pass always finds one: this is a fault, and the event is retried.
    throw new Error(`listing snapshot ${p.listingId} neither found nor inserted`);
  }

  async applyDeleted(event: EventEnvelope<'listings.listing.deleted'>): Promise<void> {
    const p = event.payload;
    const { version, occurredAt } = listingEventOrderOf(event);
    // Deletion wins whatever the order (and whatever the versions). When it arrives before any
    // upsert, a tombstone is written so a late upsert cannot bring the listing back; its placeholder
    // facts ('XXX' is ISO 4217's "no currency") are never used because deleted_at is set. The
    // deletion's version, one above the listing's last state, keeps every upsert from changing it.
    // Version and time advanceListingOrder as platform/src/events/listing-order.ts `advanceListingOrder` does (GREATEST skips nulls).
    await this.db.$executeRaw`
      INSERT INTO listing_snapshots (listing_id, owner_id, kind, status, currency, time_zone, version, updated_at, deleted_at)
      VALUES (${p.listingId}::uuid, ${p.ownerId}::uuid, 'SALE'::"ListingKind", 'DELETED', 'XXX', 'UTC', ${version}::int,
        ${occurredAt}::timestamptz, ${occurredAt}::timestamptz)
      ON CONFLICT (listing_id) DO UPDATE SET
        deleted_at = COALESCE(listing_snapshots.deleted_at, EXCLUDED.deleted_at),
        version = GREATEST(listing_snapshots.version, EXCLUDED.version),
        updated_at = GREATEST(listing_snapshots.updated_at, EXCLUDED.updated_at)`;
  }

  /** Where the snapshot stands, locked until the transaction ends; null when there is none yet. */
  private async lockedOrder(listingId: string): Promise<ListingEventOrder | null> {
    // NO KEY UPDATE: stays and viewings referencing the row (FOR KEY SHARE) are not held up.
    const [row] = await this.db.$queryRaw<ListingEventOrder[]>`
      SELECT version, updated_at AS "occurredAt" FROM listing_snapshots WHERE listing_id = ${listingId}::uuid FOR NO KEY UPDATE`;
    return row ?? null;
  }
}
