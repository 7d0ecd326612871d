import { isExclusionViolation, retryOnDeadlock, TX_OPTIONS, uuidsOnly, type Db, type DbOrTx, type Tx } from '../db';
import { Prisma } from '../generated/prisma/client';
import type { CancellationPolicy, PriceBreakdown, StayRecord, StayStatus } from '../domain';
import { publishStayChange } from '../events/published';
import type { IdempotencyClaim } from '../services/idempotency';
import { HOLD_OVERLAP_CONSTRAINT, lockListingCalendar } from './calendar-holds';
import { asDate, dateOnly } from './dates';
import { claimIdempotencyKey, findPriorRequest, type PriorRequest } from './idempotency-keys';

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
  nightlyRate: true,
  nightlySubtotal: true,
  cleaningFee: true,
  discountPercent: true,
  discountAmount: true,
  totalPrice: true,
  currency: true,
  cancellationPolicy: true,
  status: true,
  respondBy: true,
  refundAmount: true,
  cancelledAt: true,
  cancelledById: true,
  createdAt: true,
  listingTitle: true,
  // Who owns the listing now decides who may see the stay; joined into the same query.
  listing: { select: { ownerId: true, timeZone: true, deletedAt: true } },
} as const;

type Money = { toFixed(dp: number): string };

interface StayRow {
  id: string;
  listingId: string;
  guestId: string;
  checkIn: Date;
  checkOut: Date;
  nights: number;
  guests: number;
  nightlyRate: Money;
  nightlySubtotal: Money;
  cleaningFee: Money;
  discountPercent: number;
  discountAmount: Money;
  totalPrice: Money;
  currency: string;
  cancellationPolicy: CancellationPolicy;
  status: StayStatus;
  respondBy: Date | null;
  refundAmount: Money | null;
  cancelledAt: Date | null;
  cancelledById: string | null;
  createdAt: Date;
  listingTitle: string;
  listing: { ownerId: string; timeZone: string; deletedAt: Date | null };
}

function toStay(row: StayRow): StayRecord {
  const price: PriceBreakdown = {
    nightlyRate: row.nightlyRate.toFixed(2),
    nights: row.nights,
    nightlySubtotal: row.nightlySubtotal.toFixed(2),
    discountPercent: row.discountPercent,
    discount: row.discountAmount.toFixed(2),
    cleaningFee: row.cleaningFee.toFixed(2),
    total: row.totalPrice.toFixed(2),
    currency: row.currency,
  };
  return {
    id: row.id,
    listingId: row.listingId,
    hostId: row.listing.ownerId,
    listingTitle: row.listingTitle,
    listingDeleted: row.listing.deletedAt !== null,
    timeZone: row.listing.timeZone,
    guestId: row.guestId,
    checkIn: dateOnly(row.checkIn),
    checkOut: dateOnly(row.checkOut),
    nights: row.nights,
    guests: row.guests,
    price,
    totalPrice: price.total,
    currency: row.currency,
    cancellationPolicy: row.cancellationPolicy,
    status: row.status,
    respondBy: row.respondBy,
    refundAmount: row.refundAmount === null ? null : row.refundAmount.toFixed(2),
    cancelledAt: row.cancelledAt,
    cancelledById: row.cancelledById,
    createdAt: row.createdAt,
  };
}

export interface NewStay {
  id: string;
  listingId: string;
  guestId: string;
  checkIn: string;
  checkOut: string;
  guests: number;
  price: PriceBreakdown;
  cancellationPolicy: CancellationPolicy;
  status: 'REQUESTED' | 'CONFIRMED';
  /** Set exactly when status is REQUESTED. */
  respondBy: Date | null;
}

/** What a stay becomes; `decide` callbacks return it from the locked current state. */
export interface StayChange {
  status: StayStatus;
  refundAmount?: string;
  cancelledById?: string;
}

export type BookOutcome =
  | { kind: 'created'; stay: StayRecord }
  | { kind: 'overlap' }
  | { kind: 'listingGone' }
  | { kind: 'tooManyPending' }
  | ({ kind: 'replay' } & PriorRequest);
export type ChangeOutcome = { kind: 'changed'; stay: StayRecord } | { kind: 'missing' } | ({ kind: 'replay' } & PriorRequest);

export async function findStays(db: DbOrTx, ids: readonly string[]): Promise<StayRecord[]> {
  const rows = await db.stay.findMany({
    where: { id: { in: uuidsOnly(ids) } },
    select: staySelect,
    relationLoadStrategy: 'join',
  });
  return rows.map(toStay);
}

async function findStay(tx: Tx, id: string): Promise<StayRecord> {
  const [stay] = await findStays(tx, [id]);
  if (!stay) throw new Error(`stay ${id} vanished inside its own transaction`);
  return stay;
}

/** Rolls a booking's transaction back (with the key it claimed) when its listing is gone. */
class ListingGone extends Error {}
/** Rolls a booking's transaction back (with the key it claimed) when the guest has too many requests waiting. */
class TooManyPending extends Error {}

/** What a booking's transaction checks besides the calendar. */
export interface BookContext {
  instantBook: boolean;
  /** A REQUESTED booking is refused when the guest already has this many live requests (absent: no cap). */
  maxPendingRequests?: number;
  /** The clock requests' deadlines are measured by (absent: the database's time of the call). */
  now?: Date;
}

/** A stay that ends in one of these frees its nights (a COMPLETED stay keeps them: they were slept in). */
const FREES_NIGHTS: readonly StayStatus[] = ['DECLINED', 'EXPIRED', 'CANCELLED'];

export class StayRepository {
  constructor(private readonly db: Db) {}

  findByIds(ids: readonly string[]): Promise<StayRecord[]> {
    return findStays(this.db, ids);
  }

  /** The live request that spent the caller's key, if any (a cheap look before the transaction claims it). */
  findPriorRequest(claim: IdempotencyClaim): Promise<PriorRequest | null> {
    return findPriorRequest(this.db, claim);
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

  /** Whether a committed hold (stay or block) already covers one of the nights: a cheap early answer. */
  async isHeld(listingId: string, checkIn: string, checkOut: string): Promise<boolean> {
    const held = await this.db.calendarHold.findFirst({
      where: { listingId, startsOn: { lt: asDate(checkOut) }, endsOn: { gt: asDate(checkIn) } },
      select: { id: true },
    });
    return held !== null;
  }

  /**
   * Books a stay: in one transaction, the caller's idempotency key (when given), the stay, its
   * calendar hold and its event. Whether the nights are free is the database's decision (the
   * exclusion constraints on stays and on calendar holds), so of concurrent bookings of the same
   * nights, or a booking and a block, exactly one wins. A failed booking spends no key.
   */
  async book(input: NewStay, claim: IdempotencyClaim | null, context: BookContext): Promise<BookOutcome> {
    try {
      return await retryOnDeadlock(() =>
        this.db.$transaction(async (tx): Promise<BookOutcome> => {
          if (claim) {
            const prior = await claimIdempotencyKey(tx, claim, { stayId: input.id });
            if (prior) return { kind: 'replay', ...prior };
          }
          // Deleted while this request was on its way: nothing is booked (and no key spent).
          const listing = await lockListingCalendar(tx, input.listingId);
          if (listing.deleted) throw new ListingGone();
          if (input.status === 'REQUESTED' && context.maxPendingRequests !== undefined) {
            const waiting = await lockPendingRequestsOf(tx, input.guestId, context.now ?? new Date());
            if (waiting >= context.maxPendingRequests) throw new TooManyPending();
          }
          const { price } = input;
          await tx.stay.create({
            data: {
              id: input.id,
              listingId: input.listingId,
              listingTitle: listing.title,
              guestId: input.guestId,
              checkIn: asDate(input.checkIn),
              checkOut: asDate(input.checkOut),
              nights: price.nights,
              guests: input.guests,
              nightlyRate: price.nightlyRate,
              nightlySubtotal: price.nightlySubtotal,
              cleaningFee: price.cleaningFee,
              discountPercent: price.discountPercent,
              discountAmount: price.discount,
              totalPrice: price.total,
              currency: price.currency,
              cancellationPolicy: input.cancellationPolicy,
              status: input.status,
              respondBy: input.respondBy,
            },
            select: { id: true },
          });
          await tx.calendarHold.create({
            data: {
              listingId: input.listingId,
              kind: 'STAY',
              startsOn: asDate(input.checkIn),
              endsOn: asDate(input.checkOut),
              stayId: input.id,
              createdById: input.guestId,
            },
            select: { id: true },
          });
          const stay = await findStay(tx, input.id);
          await publishStayChange(tx, stay, { instantBook: context.instantBook });
          return { kind: 'created', stay };
        }, TX_OPTIONS),
      );
    } catch (err) {
      if (err instanceof ListingGone) return { kind: 'listingGone' };
      if (err instanceof TooManyPending) return { kind: 'tooManyPending' };
      if (isExclusionViolation(err, STAY_OVERLAP_CONSTRAINT) || isExclusionViolation(err, HOLD_OVERLAP_CONSTRAINT)) {
        return { kind: 'overlap' };
      }
      throw err;
    }
  }

  /**
   * Locks the stay, lets `decide` turn its current state into the next (or throw to refuse), then
   * writes it with its event, in one transaction. A stay that stops being live frees its nights.
   */
  async change(id: string, decide: (current: StayRecord) => StayChange, claim: IdempotencyClaim | null): Promise<ChangeOutcome> {
    return retryOnDeadlock(() =>
      this.db.$transaction(async (tx): Promise<ChangeOutcome> => {
        if (claim) {
          const prior = await claimIdempotencyKey(tx, claim, { stayId: id });
          if (prior) return { kind: 'replay', ...prior };
        }
        const [current] = await lockStays(tx, Prisma.sql`id = ${id}::uuid`);
        if (!current) return { kind: 'missing' };
        return { kind: 'changed', stay: await writeStayChange(tx, current, decide(current)) };
      }, TX_OPTIONS),
    );
  }

  /**
   * Lets up to `limit` REQUESTED stays whose host did not answer by `respondBy` expire, soonest
   * deadline first, in one transaction: each becomes EXPIRED, frees its nights and is announced as
   * declined (reason EXPIRED). Rows are claimed FOR UPDATE SKIP LOCKED: replicas running this at
   * once take disjoint stays, and a stay a host is answering right now is left to the host (its
   * answer is refused if the deadline has passed; the next run expires it). Returns how many expired.
   */
  async expireUnanswered(now: Date, limit: number): Promise<number> {
    return retryOnDeadlock(() =>
      this.db.$transaction(async (tx) => {
        const due = await tx.$queryRaw<{ id: string }[]>`
          SELECT id::text AS id FROM stays
          WHERE status = 'REQUESTED' AND respond_by <= ${now}
          ORDER BY respond_by, id
          LIMIT ${limit}
          FOR UPDATE SKIP LOCKED`;
        if (due.length === 0) return 0;
        for (const stay of await findStays(tx, due.map((r) => r.id))) {
          await writeStayChange(tx, stay, { status: 'EXPIRED' });
        }
        return due.length;
      }, TX_OPTIONS),
    );
  }
}

/**
 * Serializes one guest's REQUESTED bookings (a transaction-scoped advisory lock, taken after the
 * listing's calendar lock and never before it, so no two transactions wait on each other in a
 * cycle) and counts the guest's requests still waiting for an answer: concurrent requests cannot all
 * slip under the cap. A request past its respondBy is lapsing and no longer counts.
 */
async function lockPendingRequestsOf(tx: Tx, guestId: string, now: Date): Promise<number> {
  await tx.$queryRaw`SELECT 1 AS locked FROM pg_advisory_xact_lock(hashtextextended(${`bookings:pending-requests:${guestId}`}, 0))`;
  const [row] = await tx.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM stays
    WHERE guest_id = ${guestId}::uuid AND status = 'REQUESTED' AND respond_by > ${now}`;
  return row?.n ?? 0;
}

/**
 * Locks the stays matching `where` (SQL over `stays`) FOR UPDATE and reads them, by id. Whoever
 * changes a stay holds this lock, so decisions are taken on the state that will be overwritten.
 */
export async function lockStays(tx: Tx, where: Prisma.Sql): Promise<StayRecord[]> {
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id::text AS id FROM stays WHERE ${where} ORDER BY id FOR UPDATE`;
  if (locked.length === 0) return [];
  return findStays(tx, locked.map((r) => r.id));
}

/**
 * Writes a locked stay's next state and its event in the caller's transaction. A declined, expired
 * or cancelled stay frees its nights.
 */
export async function writeStayChange(tx: Tx, current: StayRecord, next: StayChange): Promise<StayRecord> {
  const cancelled = next.status === 'CANCELLED';
  await tx.stay.update({
    where: { id: current.id },
    data: {
      status: next.status,
      ...(cancelled
        ? {
            refundAmount: next.refundAmount ?? '0',
            cancelledAt: new Date(),
            cancelledById: next.cancelledById ?? null,
          }
        : {}),
    },
    select: { id: true },
  });
  if (FREES_NIGHTS.includes(next.status)) await tx.calendarHold.deleteMany({ where: { stayId: current.id } });
  const stay = await findStay(tx, current.id);
  await publishStayChange(tx, stay);
  return stay;
}
