import { uuidsOnly, type Db } from '../db';
import type { ViewingRecord } from '../domain';

/** Named in the init migration: an agent's confirmed viewings never overlap. */
export const VIEWING_OVERLAP_CONSTRAINT = 'viewing_appointments_no_overlapping_confirmed';

const viewingSelect = {
  id: true,
  listingId: true,
  buyerId: true,
  agentId: true,
  startsAt: true,
  endsAt: true,
  status: true,
  note: true,
  createdAt: true,
} as const;

export class ViewingRepository {
  constructor(private readonly db: Db) {}

  async findByIds(ids: readonly string[]): Promise<ViewingRecord[]> {
    return this.db.viewingAppointment.findMany({ where: { id: { in: uuidsOnly(ids) } }, select: viewingSelect });
  }

  async findByListingIds(listingIds: readonly string[]): Promise<ViewingRecord[]> {
    return this.db.viewingAppointment.findMany({
      where: { listingId: { in: uuidsOnly(listingIds) } },
      select: viewingSelect,
      orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
    });
  }

  async findByBuyerIds(buyerIds: readonly string[]): Promise<ViewingRecord[]> {
    return this.db.viewingAppointment.findMany({
      where: { buyerId: { in: uuidsOnly(buyerIds) } },
      select: viewingSelect,
      orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
    });
  }

  async create(input: {
    listingId: string;
    buyerId: string;
    agentId: string;
    startsAt: Date;
    endsAt: Date;
    note: string | null;
  }): Promise<ViewingRecord> {
    return this.db.viewingAppointment.create({ data: { ...input, status: 'PENDING' }, select: viewingSelect });
  }
}
