import { isExclusionViolation, uuidsOnly, type Db } from '../db';
import { LIVE_STAY_STATUSES, type StayRecord } from '../domain';

/** Named in the init migration: live stays of one listing never overlap. */
export const STAY_OVERLAP_CONSTRAINT = 'stays_no_overlapping_live_stays';

const staySelect = {
  id: true,
  listingId: true,
  guestId: true,
  checkIn: true,
  checkOut: true,
  nights: true,
  guests: true,
  totalPrice: true,
  currency: true,
  status: true,
  createdAt: true,
  // Who owns the listing now decides who may see the stay; joined into the same query.
  listing: { select: { ownerId: true } },
} as const;

type StayRow = Omit<StayRecord, 'checkIn' | 'checkOut' | 'totalPrice' | 'hostId'> & {
  checkIn: Date;
  checkOut: Date;
  totalPrice: { toFixed(dp: number): string };
  listing: { ownerId: string };
};

const dateOnly = (d: Date) => d.toISOString().slice(0, 10);
const asDate = (day: string) => new Date(`${day}T00:00:00.000Z`);

function toStay({ listing, checkIn, checkOut, totalPrice, ...row }: StayRow): StayRecord {
  return { ...row, hostId: listing.ownerId, checkIn: dateOnly(checkIn), checkOut: dateOnly(checkOut), totalPrice: totalPrice.toFixed(2) };
}

export type CreateStayOutcome = { kind: 'created'; stay: StayRecord } | { kind: 'overlap' };

export class StayRepository {
  constructor(private readonly db: Db) {}

  async findByIds(ids: readonly string[]): Promise<StayRecord[]> {
    const rows = await this.db.stay.findMany({ where: { id: { in: uuidsOnly(ids) } }, select: staySelect, relationLoadStrategy: 'join' });
    return rows.map(toStay);
  }

  async findByListingIds(listingIds: readonly string[]): Promise<StayRecord[]> {
    const rows = await this.db.stay.findMany({
      where: { listingId: { in: uuidsOnly(listingIds) } },
      select: staySelect,
      relationLoadStrategy: 'join',
      orderBy: [{ checkIn: 'asc' }, { id: 'asc' }],
    });
    return rows.map(toStay);
  }

  async findByGuestIds(guestIds: readonly string[]): Promise<StayRecord[]> {
    const rows = await this.db.stay.findMany({
      where: { guestId: { in: uuidsOnly(guestIds) } },
      select: staySelect,
      relationLoadStrategy: 'join',
      orderBy: [{ checkIn: 'desc' }, { id: 'asc' }],
    });
    return rows.map(toStay);
  }

  /**
   * Inserts a REQUESTED stay. The database decides whether the dates are free (its exclusion
   * constraint), so concurrent bookings of the same nights cannot both succeed.
   */
  async create(input: {
    listingId: string;
    guestId: string;
    checkIn: string;
    checkOut: string;
    nights: number;
    guests: number;
    totalPrice: string;
    currency: string;
  }): Promise<CreateStayOutcome> {
    try {
      const row = await this.db.stay.create({
        data: { ...input, checkIn: asDate(input.checkIn), checkOut: asDate(input.checkOut), status: 'REQUESTED' },
        select: staySelect,
      });
      return { kind: 'created', stay: toStay(row) };
    } catch (err) {
      if (isExclusionViolation(err, STAY_OVERLAP_CONSTRAINT)) return { kind: 'overlap' };
      throw err;
    }
  }

  /** Cancels a live stay; null when the stay is not live (any more), decided by the same UPDATE. */
  async cancel(id: string): Promise<StayRecord | null> {
    const { count } = await this.db.stay.updateMany({
      where: { id, status: { in: [...LIVE_STAY_STATUSES] } },
      data: { status: 'CANCELLED' },
    });
    if (count === 0) return null;
    const [stay] = await this.findByIds([id]);
    return stay ?? null;
  }
}
