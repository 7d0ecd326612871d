import { uuidsOnly } from '@market/platform';
import { isExclusionViolation, retryOnDeadlock, TX_OPTIONS, type Db, type DbOrTx, type Tx } from '../db';
import { Prisma } from '../generated/prisma/client';
import type { CancellationPolicy, PriceBreakdown, StayRecord, StayStatus } from '../domain';
import { publishStayChange } from '../events/published';
import type { IdempotencyClaim } from '../rules/idempotency';
import { HOLD_OVERLAP_CONSTRAINT } from './calendar-lock';
import { asDate, dateOnly } from './date-columns';
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
    // Four round trips inside the transaction (the key claim aside): the calendar lock (with the
    // guest's request lock when one is needed), one statement writing the stay and its hold, the
    // event, COMMIT. The stay is built here from what was written instead of being read back.
    const capped = input.status === 'REQUESTED' && context.maxPendingRequests !== undefined;
    try {
      return await retryOnDeadlock(() =>
        this.db.$transaction(async (tx): Promise<BookOutcome> => {
          if (claim) {
            const prior = await claimIdempotencyKey(tx, claim, { stayId: input.id });
            if (prior) return { kind: 'replay', ...prior };
          }
          // Deleted while this request was on its way: nothing is booked (and no key spent).
          const listing = await lockCalendarForBooking(tx, input.listingId, capped ? input.guestId : null);
          if (!listing) throw new ListingGone();
          const { price } = input;
          // The cap is counted in this statement, which starts after the guest's lock is held, so it
          // sees every request committed by whoever held the lock before (READ COMMITTED takes a
          // snapshot per statement). The exclusion constraints on stays and holds decide the nights.
          const cap = capped
            ? Prisma.sql`WHERE (SELECT count(*) FROM stays WHERE guest_id = ${input.guestId}::uuid AND status = 'REQUESTED'
                AND respond_by > ${context.now ?? new Date()}::timestamptz) < ${context.maxPendingRequests}::int`
            : Prisma.empty;
          const [written] = await tx.$queryRaw<{ created_at: Date }[]>`
            WITH st AS (
              INSERT INTO stays (id, listing_id, listing_title, guest_id, check_in, check_out, nights, guests,
                nightly_rate, nightly_subtotal, cleaning_fee, discount_percent, discount_amount, total_price, currency,
                cancellation_policy, status, respond_by, updated_at)
              SELECT ${input.id}::uuid, ${input.listingId}::uuid, ${listing.title}, ${input.guestId}::uuid,
                ${input.checkIn}::date, ${input.checkOut}::date, ${price.nights}::int, ${input.guests}::int,
                ${price.nightlyRate}::numeric, ${price.nightlySubtotal}::numeric, ${price.cleaningFee}::numeric,
                ${price.discountPercent}::int, ${price.discount}::numeric, ${price.total}::numeric, ${price.currency},
                ${input.cancellationPolicy}::"CancellationPolicy", ${input.status}::"StayStatus", ${input.respondBy}::timestamptz, now()
              ${cap}
              RETURNING id, created_at
            ), hold AS (
              INSERT INTO calendar_holds (id, listing_id, kind, starts_on, ends_on, stay_id, created_by_id)
              SELECT gen_random_uuid(), ${input.listingId}::uuid, 'STAY'::"CalendarHoldKind", ${input.checkIn}::date,
                ${input.checkOut}::date, st.id, ${input.guestId}::uuid
              FROM st
              RETURNING stay_id
            )
            SELECT st.created_at FROM st JOIN hold ON hold.stay_id = st.id`;
          if (!written) throw new TooManyPending();
          const stay: StayRecord = {
            id: input.id,
            listingId: input.listingId,
            hostId: listing.ownerId,
            listingTitle: listing.title,
            listingDeleted: false,
            timeZone: listing.timeZone,
            guestId: input.guestId,
            checkIn: input.checkIn,
            checkOut: input.checkOut,
            nights: price.nights,
            guests: input.guests,
            price,
            totalPrice: price.total,
            currency: price.currency,
            cancellationPolicy: input.cancellationPolicy,
            status: input.status,
            respondBy: input.respondBy,
            refundAmount: null,
            cancelledAt: null,
            cancelledById: null,
            createdAt: written.created_at,
          };
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
        for (const stay of await findStays(
          tx,
          due.map((r) => r.id),
        )) {
          await writeStayChange(tx, stay, { status: 'EXPIRED' });
        }
        return due.length;
      }, TX_OPTIONS),
    );
  }
}

/**
 * Takes a booking's locks in one statement: the listing's calendar lock (see lockListingCalendar)
 * and then, when `guestId` is given, the guest's lock that serializes their REQUESTED bookings (a
 * transaction-scoped advisory lock, taken after the calendar lock and never before it, so no two
 * transactions wait on each other in a cycle; the lateral call refers to the locked row, so it runs
 * once that row is locked, and only if there is one).
 * Null when the listing is unknown or deleted (or its owner's account) by the time the lock is held.
 */
async function lockCalendarForBooking(
  tx: Tx,
  listingId: string,
  guestId: string | null,
): Promise<{ title: string; ownerId: string; timeZone: string } | null> {
  const guestLock =
    guestId === null
      ? Prisma.empty
      : Prisma.sql`CROSS JOIN LATERAL (SELECT 1 FROM pg_advisory_xact_lock(hashtextextended(${`bookings:pending-requests:${guestId}`} || left(l.listing_id::text, 0), 0))) g`;
  const [row] = await tx.$queryRaw<{ deleted: boolean; title: string; owner_id: string; time_zone: string }[]>`
    WITH l AS MATERIALIZED (
      SELECT listing_id, deleted_at IS NOT NULL AS deleted, title, owner_id, time_zone FROM listing_snapshots
      WHERE listing_id = ${listingId}::uuid FOR NO KEY UPDATE)
    SELECT l.deleted, l.title, l.owner_id::text AS owner_id, l.time_zone FROM l ${guestLock}`;
  if (!row || row.deleted) return null;
  return { title: row.title, ownerId: row.owner_id, timeZone: row.time_zone };
}

/**
 * Locks the stays matching `where` (SQL over `stays`) FOR UPDATE and reads them, by id. Whoever
 * changes a stay holds this lock, so decisions are taken on the state that will be overwritten.
 */
export async function lockStays(tx: Tx, where: Prisma.Sql): Promise<StayRecord[]> {
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id::text AS id FROM stays WHERE ${where} ORDER BY id FOR UPDATE`;
  if (locked.length === 0) return [];
  return findStays(
    tx,
    locked.map((r) => r.id),
  );
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
