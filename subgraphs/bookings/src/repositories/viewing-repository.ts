import { Prisma } from '../generated/prisma/client';
import { uuidsOnly } from '@market/platform';
import { isExclusionViolation, isUniqueViolation, retryOnDeadlock, TX_OPTIONS, type Db, type Tx } from '../db';
import { LIVE_VIEWING_STATUSES, type ListedSlotRecord, type ViewingRecord, type ViewingSlotRecord, type ViewingStatus } from '../domain';
import { publishViewingChange } from '../events/published';
import type { IdempotencyClaim } from '../rules/idempotency';
import { claimIdempotencyKey, findPriorRequest, type PriorRequest } from './idempotency-keys';
import { ScheduledEventRepository } from './scheduled-event-repository';

/** Named in the init migration: an agent's confirmed viewings never overlap. */
export const VIEWING_OVERLAP_CONSTRAINT = 'viewing_appointments_no_overlapping_confirmed';
/** Named in the calendar migration: a slot holds at most one live viewing. */
export const SLOT_TAKEN_INDEX = 'viewing_appointments_one_live_per_slot';
/** Named in the calendar migration: a listing's slots never overlap. */
export const SLOT_OVERLAP_CONSTRAINT = 'viewing_slots_no_overlap';

const viewingSelect = {
  id: true,
  listingId: true,
  buyerId: true,
  agentId: true,
  startsAt: true,
  endsAt: true,
  status: true,
  note: true,
  slotId: true,
  createdAt: true,
  listingTitle: true,
  listing: { select: { deletedAt: true } },
} as const;

type ViewingRow = Omit<ViewingRecord, 'listingDeleted'> & {
  listing: { deletedAt: Date | null };
};
const toViewing = ({ listing, ...row }: ViewingRow): ViewingRecord => ({
  ...row,
  listingDeleted: listing.deletedAt !== null,
});

const slotSelect = {
  id: true,
  listingId: true,
  agentId: true,
  startsAt: true,
  endsAt: true,
  _count: {
    select: {
      viewings: {
        where: {
          status: { in: [...LIVE_VIEWING_STATUSES] as ViewingStatus[] },
        },
      },
    },
  },
} as const;

type SlotRow = Omit<ViewingSlotRecord, 'available'> & {
  _count: { viewings: number };
};
const toSlot = ({ _count, ...row }: SlotRow): ViewingSlotRecord => ({
  ...row,
  available: _count.viewings === 0,
});

/** What a viewing becomes; `decide` callbacks return it from the locked current state. */
export interface ViewingChange {
  status: ViewingStatus;
  startsAt?: Date;
  endsAt?: Date;
  /** Moving a viewing leaves its slot. */
  leaveSlot?: boolean;
  /** Announced with the change. */
  rescheduled?: boolean;
  cancelledBy?: string;
}

export type CreateViewingOutcome =
  { kind: 'created'; viewing: ViewingRecord } | { kind: 'slotTaken' } | ({ kind: 'replay' } & PriorRequest);
export type ChangeViewingOutcome =
  { kind: 'changed'; viewing: ViewingRecord } | { kind: 'missing' } | { kind: 'agentBusy' } | ({ kind: 'replay' } & PriorRequest);
export type PublishSlotsOutcome = { kind: 'published'; slots: ViewingSlotRecord[] } | { kind: 'overlap' };

async function findViewings(tx: Tx, ids: readonly string[]): Promise<ViewingRecord[]> {
  const rows = await tx.viewingAppointment.findMany({
    where: { id: { in: [...ids] } },
    select: viewingSelect,
    relationLoadStrategy: 'join',
    orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
  });
  return rows.map(toViewing);
}

async function findViewing(tx: Tx, id: string): Promise<ViewingRecord> {
  const row = await tx.viewingAppointment.findUnique({
    where: { id },
    select: viewingSelect,
    relationLoadStrategy: 'join',
  });
  if (!row) throw new Error(`viewing ${id} vanished inside its own transaction`);
  return toViewing(row);
}

export class ViewingRepository {
  constructor(
    private readonly db: Db,
    /** Minutes before a confirmed viewing that reminders go out. */
    private readonly reminderLeadsMinutes: readonly number[],
  ) {}

  async findByIds(ids: readonly string[]): Promise<ViewingRecord[]> {
    const rows = await this.db.viewingAppointment.findMany({
      where: { id: { in: uuidsOnly(ids) } },
      select: viewingSelect,
      relationLoadStrategy: 'join',
    });
    return rows.map(toViewing);
  }

  async findByListingIds(listingIds: readonly string[]): Promise<ViewingRecord[]> {
    const rows = await this.db.viewingAppointment.findMany({
      where: { listingId: { in: uuidsOnly(listingIds) } },
      select: viewingSelect,
      relationLoadStrategy: 'join',
      orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
    });
    return rows.map(toViewing);
  }

  async findByBuyerIds(buyerIds: readonly string[]): Promise<ViewingRecord[]> {
    const rows = await this.db.viewingAppointment.findMany({
      where: { buyerId: { in: uuidsOnly(buyerIds) } },
      select: viewingSelect,
      relationLoadStrategy: 'join',
      orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
    });
    return rows.map(toViewing);
  }

  /** A user's viewings as buyer or as agent. */
  async findByParticipant(userId: string): Promise<ViewingRecord[]> {
    if (uuidsOnly([userId]).length === 0) return [];
    const rows = await this.db.viewingAppointment.findMany({
      where: { OR: [{ buyerId: userId }, { agentId: userId }] },
      select: viewingSelect,
      relationLoadStrategy: 'join',
      orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
    });
    return rows.map(toViewing);
  }

  /** The live request that spent the caller's key, if any (a cheap look before the transaction claims it). */
  findPriorRequest(claim: IdempotencyClaim): Promise<PriorRequest | null> {
    return findPriorRequest(this.db, claim);
  }

  /**
   * A PENDING viewing with its event (and the caller's idempotency key, when given); in a slot, only
   * if no other live viewing holds it (unique index). A refused request spends no key.
   */
  async create(
    input: {
      id: string;
      listingId: string;
      /** The listing's title now: the viewing keeps it. */
      listingTitle: string;
      buyerId: string;
      agentId: string;
      startsAt: Date;
      endsAt: Date;
      note: string | null;
      slotId: string | null;
    },
    claim: IdempotencyClaim | null,
  ): Promise<CreateViewingOutcome> {
    try {
      return await this.db.$transaction(async (tx): Promise<CreateViewingOutcome> => {
        if (claim) {
          const prior = await claimIdempotencyKey(tx, claim, { viewingId: input.id });
          if (prior) return { kind: 'replay', ...prior };
        }
        const { id } = await tx.viewingAppointment.create({
          data: { ...input, status: 'PENDING' },
          select: { id: true },
        });
        const viewing = await findViewing(tx, id);
        await publishViewingChange(tx, viewing);
        return { kind: 'created', viewing };
      }, TX_OPTIONS);
    } catch (err) {
      if (isUniqueViolation(err, SLOT_TAKEN_INDEX)) return { kind: 'slotTaken' };
      throw err;
    }
  }

  /**
   * Locks the viewing, lets `decide` turn it into the next state (or throw), then writes it with its
   * event and its reminders (scheduled when CONFIRMED, dropped otherwise) in one transaction. The
   * agent's exclusion constraint refuses a confirmed viewing that overlaps another.
   */
  async change(
    id: string,
    decide: (current: ViewingRecord) => ViewingChange,
    now: Date,
    claim: IdempotencyClaim | null,
  ): Promise<ChangeViewingOutcome> {
    try {
      return await retryOnDeadlock(() =>
        this.db.$transaction(async (tx): Promise<ChangeViewingOutcome> => {
          if (claim) {
            const prior = await claimIdempotencyKey(tx, claim, { viewingId: id });
            if (prior) return { kind: 'replay', ...prior };
          }
          const [current] = await lockViewings(tx, Prisma.sql`id = ${id}::uuid`);
          if (!current) return { kind: 'missing' };
          const viewing = await writeViewingChange(tx, current, decide(current), { now, reminderLeadsMinutes: this.reminderLeadsMinutes });
          return { kind: 'changed', viewing };
        }, TX_OPTIONS),
      );
    } catch (err) {
      if (isExclusionViolation(err, VIEWING_OVERLAP_CONSTRAINT)) return { kind: 'agentBusy' };
      throw err;
    }
  }

  async findSlotById(id: string): Promise<ViewingSlotRecord | null> {
    if (uuidsOnly([id]).length === 0) return null;
    const row = await this.db.viewingSlot.findUnique({
      where: { id },
      select: slotSelect,
    });
    return row ? toSlot(row) : null;
  }

  /** Slots of many listings ending after `now`, by start, in one query. */
  async findSlotsByListingIds(listingIds: readonly string[], now: Date): Promise<ListedSlotRecord[]> {
    const rows = await this.db.viewingSlot.findMany({
      where: { listingId: { in: uuidsOnly(listingIds) }, endsAt: { gt: now } },
      // Who may see the slots is decided from the listing, joined into the same query.
      select: { ...slotSelect, listing: { select: { ownerId: true, status: true, deletedAt: true } } },
      relationLoadStrategy: 'join',
      orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
    });
    return rows.map(({ listing, ...row }) => ({
      ...toSlot(row),
      listingOwnerId: listing.ownerId,
      listingOnMarket: listing.status === 'ACTIVE' && listing.deletedAt === null,
    }));
  }

  /** All or none: the listing's slots never overlap (exclusion constraint), old or new. */
  async publishSlots(listingId: string, agentId: string, slots: { startsAt: Date; endsAt: Date }[]): Promise<PublishSlotsOutcome> {
    try {
      const rows = await retryOnDeadlock(() =>
        this.db.viewingSlot.createManyAndReturn({
          data: slots.map((s) => ({
            listingId,
            agentId,
            startsAt: s.startsAt,
            endsAt: s.endsAt,
          })),
          select: {
            id: true,
            listingId: true,
            agentId: true,
            startsAt: true,
            endsAt: true,
          },
        }),
      );
      rows.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
      return {
        kind: 'published',
        slots: rows.map((r) => ({ ...r, available: true })),
      };
    } catch (err) {
      if (isExclusionViolation(err, SLOT_OVERLAP_CONSTRAINT)) return { kind: 'overlap' };
      throw err;
    }
  }
}

/** Locks the viewings matching `where` (SQL over `viewing_appointments`) FOR UPDATE and reads them. */
export async function lockViewings(tx: Tx, where: Prisma.Sql): Promise<ViewingRecord[]> {
  const locked = await tx.$queryRaw<
    { id: string }[]
  >`SELECT id::text AS id FROM viewing_appointments WHERE ${where} ORDER BY id FOR UPDATE`;
  if (locked.length === 0) return [];
  return findViewings(
    tx,
    locked.map((r) => r.id),
  );
}

/**
 * Writes a locked viewing's next state in the caller's transaction, with its event and its
 * reminders (scheduled when CONFIRMED, dropped otherwise).
 */
export async function writeViewingChange(
  tx: Tx,
  current: ViewingRecord,
  next: ViewingChange,
  options: { now: Date; reminderLeadsMinutes: readonly number[] },
): Promise<ViewingRecord> {
  await tx.viewingAppointment.update({
    where: { id: current.id },
    data: {
      status: next.status,
      ...(next.startsAt ? { startsAt: next.startsAt } : {}),
      ...(next.endsAt ? { endsAt: next.endsAt } : {}),
      ...(next.leaveSlot ? { slotId: null } : {}),
    },
    select: { id: true },
  });
  const viewing = await findViewing(tx, current.id);
  const scheduled = new ScheduledEventRepository(tx);
  await scheduled.clearFor(current.id);
  if (viewing.status === 'CONFIRMED') await scheduled.scheduleViewingReminders(viewing, options.reminderLeadsMinutes, options.now);
  await publishViewingChange(tx, viewing, {
    ...(next.rescheduled !== undefined ? { rescheduled: next.rescheduled } : {}),
    ...(next.cancelledBy !== undefined ? { cancelledBy: next.cancelledBy } : {}),
  });
  return viewing;
}
