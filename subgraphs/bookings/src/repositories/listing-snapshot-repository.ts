import type { EventEnvelope } from '@market/platform';
import { uuidsOnly, type DbOrTx } from '../db';
import { DEFAULT_CANCELLATION_POLICY, type CancellationPolicy, type ListingKind, type ListingSnapshot } from '../domain';

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
 * the event's time: a row is changed only by an event at least as new as the one it reflects, so
 * events arriving out of order cannot roll a listing back.
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

  async applyUpserted(event: EventEnvelope<'listings.listing.upserted'>): Promise<void> {
    const p = event.payload;
    // Terms an older producer leaves out read as "none" (and the default policy): the newest event
    // describes the whole listing.
    const policy = p.cancellationPolicy ?? DEFAULT_CANCELLATION_POLICY;
    // A deleted listing stays deleted: deleted_at is never cleared here.
    await this.db.$executeRaw`
      INSERT INTO listing_snapshots
        (listing_id, owner_id, kind, status, title, price_per_night, cleaning_fee, currency, max_guests, min_nights,
         max_nights, instant_book, weekly_discount_percent, monthly_discount_percent, cancellation_policy, time_zone, updated_at)
      VALUES (${p.listingId}::uuid, ${p.ownerId}::uuid, ${p.kind}::"ListingKind", ${p.status}, ${p.title.slice(0, 160)},
        ${p.pricePerNight}::numeric, ${p.cleaningFee ?? null}::numeric, ${p.currency}, ${p.maxGuests}::int,
        ${p.minNights ?? null}::int, ${p.maxNights ?? null}::int, ${p.instantBook ?? false},
        ${p.weeklyDiscountPercent ?? null}::int, ${p.monthlyDiscountPercent ?? null}::int,
        ${policy}::"CancellationPolicy", ${p.timeZone}, ${event.occurredAt}::timestamptz)
      ON CONFLICT (listing_id) DO UPDATE SET
        owner_id = EXCLUDED.owner_id, kind = EXCLUDED.kind, status = EXCLUDED.status, title = EXCLUDED.title,
        price_per_night = EXCLUDED.price_per_night, cleaning_fee = EXCLUDED.cleaning_fee, currency = EXCLUDED.currency,
        max_guests = EXCLUDED.max_guests, min_nights = EXCLUDED.min_nights, max_nights = EXCLUDED.max_nights,
        instant_book = EXCLUDED.instant_book, weekly_discount_percent = EXCLUDED.weekly_discount_percent,
        monthly_discount_percent = EXCLUDED.monthly_discount_percent, cancellation_policy = EXCLUDED.cancellation_policy,
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
