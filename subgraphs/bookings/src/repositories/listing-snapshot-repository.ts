import type { EventEnvelope } from '@market/platform';
import { uuidsOnly, type DbOrTx } from '../db';
import type { ListingKind, ListingSnapshot } from '../domain';

const snapshotSelect = {
  listingId: true,
  ownerId: true,
  kind: true,
  status: true,
  pricePerNight: true,
  currency: true,
  maxGuests: true,
  timeZone: true,
  updatedAt: true,
  deletedAt: true,
} as const;

type SnapshotRow = Omit<ListingSnapshot, 'pricePerNight' | 'kind'> & { kind: ListingKind; pricePerNight: { toFixed(dp: number): string } | null };

function toSnapshot(row: SnapshotRow): ListingSnapshot {
  return { ...row, pricePerNight: row.pricePerNight === null ? null : row.pricePerNight.toFixed(2) };
}

/**
 * The local replica of listings. Writes come only from listings' events, and each write carries
 * the event's time: a row is changed only by an event at least as new as the one it reflects, so
 * events arriving out of order cannot roll a listing back.
 */
export class ListingSnapshotRepository {
  constructor(private readonly db: DbOrTx) {}

  async findByIds(ids: readonly string[]): Promise<ListingSnapshot[]> {
    const rows = await this.db.listingSnapshot.findMany({ where: { listingId: { in: uuidsOnly(ids) } }, select: snapshotSelect });
    return rows.map(toSnapshot);
  }

  async applyUpserted(event: EventEnvelope<'listings.listing.upserted'>): Promise<void> {
    const p = event.payload;
    // A deleted listing stays deleted: deleted_at is never cleared here.
    await this.db.$executeRaw`
      INSERT INTO listing_snapshots
        (listing_id, owner_id, kind, status, price_per_night, currency, max_guests, time_zone, updated_at)
      VALUES (${p.listingId}::uuid, ${p.ownerId}::uuid, ${p.kind}::"ListingKind", ${p.status}, ${p.pricePerNight}::numeric,
        ${p.currency}, ${p.maxGuests}::int, ${p.timeZone}, ${event.occurredAt}::timestamptz)
      ON CONFLICT (listing_id) DO UPDATE SET
        owner_id = EXCLUDED.owner_id, kind = EXCLUDED.kind, status = EXCLUDED.status,
        price_per_night = EXCLUDED.price_per_night, currency = EXCLUDED.currency, max_guests = EXCLUDED.max_guests,
        time_zone = EXCLUDED.time_zone, updated_at = EXCLUDED.updated_at
      WHERE listing_snapshots.updated_at <= EXCLUDED.updated_at`;
  }

  async applyDeleted(event: EventEnvelope<'listings.listing.deleted'>): Promise<void> {
    const p = event.payload;
    // Deletion wins whatever the order. When it arrives before any upsert, a tombstone is written so
    // a late upsert cannot bring the listing back; its placeholder facts ('XXX' is ISO 4217's "no
    // currency") are never used because deleted_at is set.
    await this.db.$executeRaw`
      INSERT INTO listing_snapshots (listing_id, owner_id, kind, status, currency, time_zone, updated_at, deleted_at)
      VALUES (${p.listingId}::uuid, ${p.ownerId}::uuid, 'SALE'::"ListingKind", 'DELETED', 'XXX', 'UTC',
        ${event.occurredAt}::timestamptz, ${event.occurredAt}::timestamptz)
      ON CONFLICT (listing_id) DO UPDATE SET
        deleted_at = COALESCE(listing_snapshots.deleted_at, EXCLUDED.deleted_at),
        updated_at = GREATEST(listing_snapshots.updated_at, EXCLUDED.updated_at)`;
  }
}
