import type { Db, Tx } from '../db';
import { isUuid } from '@market/platform';

/** listings' copy of the nights bookings' stays hold (see the ListingStayHold model). */
export class StayHoldRepository {
  constructor(private readonly db: Db) {}

  /** Holds the nights of a requested or confirmed stay, unless the stay was already released (a late event). */
  static async hold(tx: Tx, stay: { stayId: string; listingId: string; checkIn: string; checkOut: string }): Promise<void> {
    if (!isUuid(stay.stayId) || !isUuid(stay.listingId) || !(stay.checkOut > stay.checkIn)) return;
    await tx.$executeRaw`INSERT INTO listing_stay_holds (stay_id, listing_id, check_in, check_out)
      SELECT ${stay.stayId}::uuid, ${stay.listingId}::uuid, ${stay.checkIn}::date, ${stay.checkOut}::date
      WHERE EXISTS (SELECT 1 FROM listings WHERE id = ${stay.listingId}::uuid)
      ON CONFLICT (stay_id) DO NOTHING`;
  }

  /** Frees the nights of a declined or cancelled stay, for good. */
  static async release(tx: Tx, stay: { stayId: string; listingId: string; checkIn: string; checkOut: string }): Promise<void> {
    if (!isUuid(stay.stayId) || !isUuid(stay.listingId) || !(stay.checkOut > stay.checkIn)) return;
    await tx.$executeRaw`INSERT INTO listing_stay_holds (stay_id, listing_id, check_in, check_out, released)
      SELECT ${stay.stayId}::uuid, ${stay.listingId}::uuid, ${stay.checkIn}::date, ${stay.checkOut}::date, true
      WHERE EXISTS (SELECT 1 FROM listings WHERE id = ${stay.listingId}::uuid)
      ON CONFLICT (stay_id) DO UPDATE SET released = true`;
  }

  /** Which of these listings have a held night in [checkIn, checkOut). */
  async heldAmong(listingIds: readonly string[], checkIn: string, checkOut: string): Promise<Set<string>> {
    const ids = listingIds.filter(isUuid);
    if (ids.length === 0) return new Set();
    const rows = await this.db.$queryRaw<{ listing_id: string }[]>`
      SELECT DISTINCT listing_id::text AS listing_id FROM listing_stay_holds
      WHERE listing_id = ANY(${ids}::uuid[]) AND NOT released
        AND check_in < ${checkOut}::date AND check_out > ${checkIn}::date`;
    return new Set(rows.map((r) => r.listing_id));
  }
}
