import { Prisma } from '../generated/prisma/client';
import { uuidsOnly } from '@market/platform';
import { isExclusionViolation, retryOnDeadlock, TX_OPTIONS, type Db, type Tx } from '../db';
import type { CalendarBlockRecord, CalendarHold } from '../domain';
import { subtractRange } from '../rules/calendar';
import { asDate, dateOnly } from './date-columns';
import { HOLD_OVERLAP_CONSTRAINT, lockListingCalendar } from './calendar-lock';

const blockSelect = {
  id: true,
  listingId: true,
  startsOn: true,
  endsOn: true,
  reason: true,
  createdAt: true,
} as const;

function toBlock(row: {
  id: string;
  listingId: string;
  startsOn: Date;
  endsOn: Date;
  reason: string | null;
  createdAt: Date;
}): CalendarBlockRecord {
  return {
    id: row.id,
    listingId: row.listingId,
    from: dateOnly(row.startsOn),
    to: dateOnly(row.endsOn),
    reason: row.reason,
    createdAt: row.createdAt,
  };
}

export type BlockOutcome = { kind: 'blocked'; block: CalendarBlockRecord } | { kind: 'overlap' };

/** Host blocks of a listing overlapping [from, to), locked for this transaction. */
async function lockedBlocks(tx: Tx, listingId: string, from: string, to: string) {
  // One calendar write of a listing at a time: blocks are merged and split from what was read.
  await lockListingCalendar(tx, listingId);
  return tx.calendarHold.findMany({
    where: {
      listingId,
      kind: 'BLOCK',
      startsOn: { lt: asDate(to) },
      endsOn: { gt: asDate(from) },
    },
    select: { ...blockSelect, createdById: true },
  });
}

/** The calendar: stays' and host blocks' holds on a listing's nights, and which listings are free. */
export class CalendarRepository {
  constructor(private readonly db: Db) {}

  async holdsOverlapping(listingId: string, from: string, to: string): Promise<CalendarHold[]> {
    const rows = await this.db.calendarHold.findMany({
      where: {
        listingId,
        startsOn: { lt: asDate(to) },
        endsOn: { gt: asDate(from) },
      },
      select: { kind: true, startsOn: true, endsOn: true },
    });
    return rows.map((r) => ({
      kind: r.kind,
      from: dateOnly(r.startsOn),
      to: dateOnly(r.endsOn),
    }));
  }

  /**
   * Blocks [from, to), merged with the blocks it overlaps into one. The exclusion constraint on
   * holds refuses it when a stay holds one of the nights, whatever commits concurrently.
   */
  async block(input: { listingId: string; from: string; to: string; reason: string | null; by: string }): Promise<BlockOutcome> {
    try {
      return await retryOnDeadlock(() =>
        this.db.$transaction(async (tx): Promise<BlockOutcome> => {
          const merged = await lockedBlocks(tx, input.listingId, input.from, input.to);
          let from = input.from;
          let to = input.to;
          for (const b of merged.map(toBlock)) {
            if (b.from < from) from = b.from;
            if (b.to > to) to = b.to;
          }
          if (merged.length > 0)
            await tx.calendarHold.deleteMany({
              where: { id: { in: merged.map((b) => b.id) } },
            });
          const row = await tx.calendarHold.create({
            data: {
              listingId: input.listingId,
              kind: 'BLOCK',
              startsOn: asDate(from),
              endsOn: asDate(to),
              reason: input.reason,
              createdById: input.by,
            },
            select: blockSelect,
          });
          return { kind: 'blocked', block: toBlock(row) };
        }, TX_OPTIONS),
      );
    } catch (err) {
      if (isExclusionViolation(err, HOLD_OVERLAP_CONSTRAINT)) return { kind: 'overlap' };
      throw err;
    }
  }

  /** Frees the blocked nights in [from, to): blocks inside go, blocks across an edge are trimmed or split. */
  async unblock(input: { listingId: string; from: string; to: string }): Promise<void> {
    await retryOnDeadlock(() =>
      this.db.$transaction(async (tx) => {
        const blocks = await lockedBlocks(tx, input.listingId, input.from, input.to);
        if (blocks.length === 0) return;
        await tx.calendarHold.deleteMany({
          where: { id: { in: blocks.map((b) => b.id) } },
        });
        const kept = blocks.flatMap((row) =>
          subtractRange(toBlock(row), input).map((r) => ({
            ...r,
            reason: row.reason,
            by: row.createdById,
          })),
        );
        if (kept.length > 0) {
          // Each piece lies inside a block that was just there, so it overlaps nothing.
          await tx.calendarHold.createMany({
            data: kept.map((r) => ({
              listingId: input.listingId,
              kind: 'BLOCK' as const,
              startsOn: asDate(r.from),
              endsOn: asDate(r.to),
              reason: r.reason,
              createdById: r.by,
            })),
          });
        }
      }, TX_OPTIONS),
    );
  }

  /**
   * ACTIVE rentals that take `guests`, allow a stay of `nights`, and have no hold on any night of
   * [from, to); the gist index behind the holds' exclusion constraint answers the NOT EXISTS.
   */
  async availableListingIds(input: {
    from: string;
    to: string;
    nights: number;
    guests: number;
    first: number;
    /** Only these candidates, when given. */
    listingIds: readonly string[] | null;
  }): Promise<string[]> {
    const candidates =
      input.listingIds === null ? Prisma.empty : Prisma.sql`AND s.listing_id = ANY(${uuidsOnly(input.listingIds)}::uuid[])`;
    const rows = await this.db.$queryRaw<{ id: string }[]>`
      SELECT s.listing_id::text AS id
      FROM listing_snapshots s
      WHERE s.kind = 'RENT' AND s.status = 'ACTIVE' AND s.deleted_at IS NULL AND s.price_per_night IS NOT NULL ${candidates}
        AND (s.max_guests IS NULL OR s.max_guests >= ${input.guests})
        AND (s.min_nights IS NULL OR s.min_nights <= ${input.nights})
        AND (s.max_nights IS NULL OR s.max_nights >= ${input.nights})
        AND NOT EXISTS (
          SELECT 1 FROM calendar_holds h
          WHERE h.listing_id = s.listing_id
            AND daterange(h.starts_on, h.ends_on, '[)') && daterange(${input.from}::date, ${input.to}::date, '[)'))
      ORDER BY s.listing_id
      LIMIT ${input.first}`;
    return rows.map((r) => r.id);
  }
}
