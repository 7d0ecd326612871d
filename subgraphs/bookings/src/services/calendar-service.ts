import { z } from 'zod';
import { ForbiddenError, NotFoundError, parseInput, requireUser } from '@market/platform';
import type { Viewer } from '../viewer';
import type { CalendarBlockRecord, DayAvailability, ListingRef, ListingSnapshot } from '../domain';
import type { CalendarRepository } from '../repositories/calendar-repository';
import { managesListing } from '../rules/access';
import { calendarDays } from '../rules/calendar';
import { daysBetween, todayIn } from '../rules/days';
import { badField } from '../validation';
import { MAX_NIGHTS } from './stay-service';

/** Longest range of nights one calendar question or edit may cover. */
export const MAX_CALENDAR_DAYS = 366;
export const MAX_AVAILABLE_LISTINGS = 200;

/** [from, to) of calendar dates, to after from, at most `maxDays` nights. */
const range = (maxDays: number) =>
  z
    .object({
      from: z.iso.date('from must be a date (YYYY-MM-DD)'),
      to: z.iso.date('to must be a date (YYYY-MM-DD)'),
    })
    .superRefine((input, ctx) => {
      const days = daysBetween(input.from, input.to);
      if (days < 1) ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must be after from' });
      if (days > maxDays) ctx.addIssue({ code: 'custom', path: ['to'], message: `at most ${maxDays} days at a time` });
    });

const calendarSchema = z.object({ listingId: z.uuid('listingId is not a listing id') }).and(range(MAX_CALENDAR_DAYS));

const blockSchema = calendarSchema.and(
  z.object({
    reason: z
      .string()
      .trim()
      .max(200, 'reason is at most 200 characters')
      .nullish()
      .transform((r) => r || null),
  }),
);

const searchSchema = range(MAX_NIGHTS).and(
  z.object({
    guests: z.int().min(1, 'guests must be at least 1'),
    first: z.int().min(1, 'first must be at least 1').max(MAX_AVAILABLE_LISTINGS, `first is at most ${MAX_AVAILABLE_LISTINGS}`),
    listingIds: z
      .array(z.string())
      .max(MAX_AVAILABLE_LISTINGS, `at most ${MAX_AVAILABLE_LISTINGS} listingIds`)
      .nullish()
      .transform((ids) => ids ?? null),
  }),
);

export type BlockOutcome =
  { kind: 'blocked'; block: CalendarBlockRecord } | { kind: 'datesUnavailable'; listingId: string; from: string; to: string };

/**
 * A rental's calendar: which nights are free, booked or blocked, the host's blocks, and which
 * listings are free for a range. Bookings owns it because the holds live here, next to the
 * exclusion constraint that keeps them apart.
 */
export class CalendarService {
  constructor(
    private readonly calendar: CalendarRepository,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Anyone sees an ACTIVE rental's calendar; its owner and admins see it in any status. */
  async availability(viewer: Viewer, input: { listingId: string; from: string; to: string }): Promise<DayAvailability[]> {
    const data = parseInput(calendarSchema, input);
    const listing = await viewer.loaders.snapshotById.load(data.listingId);
    const manages = listing !== null && viewer.identity !== null && managesListing(viewer.identity, listing);
    if (!listing || listing.deletedAt !== null || listing.kind !== 'RENT' || (listing.status !== 'ACTIVE' && !manages)) {
      throw new NotFoundError('Listing', data.listingId);
    }
    return this.daysOf(listing.listingId, data.from, data.to);
  }

  async availableListings(input: {
    from: string;
    to: string;
    guests: number;
    first?: number | null;
    listingIds?: readonly string[] | null;
  }): Promise<ListingRef[]> {
    const data = parseInput(searchSchema, { ...input, first: input.first ?? 50 });
    const ids = await this.calendar.availableListingIds({ ...data, nights: daysBetween(data.from, data.to) });
    return ids.map((id) => ({ id }));
  }

  /** The host takes nights off the market; refused (DatesUnavailable) where a stay holds one of them. */
  async block(viewer: Viewer, input: { listingId: string; from: string; to: string; reason?: string | null }): Promise<BlockOutcome> {
    const identity = requireUser(viewer);
    const data = parseInput(blockSchema, input);
    const listing = await this.managedRental(viewer, identity, data.listingId);
    const today = todayIn(listing.timeZone, this.now());
    if (data.from < today) throw badField('from', `from is in the past: today is ${today} at the property`);
    const outcome = await this.calendar.block({ ...data, listingId: listing.listingId, by: identity.userId });
    if (outcome.kind === 'overlap') return { kind: 'datesUnavailable', listingId: listing.listingId, from: data.from, to: data.to };
    return outcome;
  }

  /** The host frees blocked nights in the range; returns the range's calendar afterwards. */
  async unblock(viewer: Viewer, input: { listingId: string; from: string; to: string }): Promise<DayAvailability[]> {
    const identity = requireUser(viewer);
    const data = parseInput(calendarSchema, input);
    const listing = await this.managedRental(viewer, identity, data.listingId);
    await this.calendar.unblock({ listingId: listing.listingId, from: data.from, to: data.to });
    return this.daysOf(listing.listingId, data.from, data.to);
  }

  private async daysOf(listingId: string, from: string, to: string): Promise<DayAvailability[]> {
    return calendarDays(from, to, await this.calendar.holdsOverlapping(listingId, from, to));
  }

  private async managedRental(viewer: Viewer, identity: NonNullable<Viewer['identity']>, listingId: string): Promise<ListingSnapshot> {
    const listing = await viewer.loaders.snapshotById.load(listingId);
    if (!listing || listing.deletedAt !== null) throw new NotFoundError('Listing', listingId);
    if (!managesListing(identity, listing)) throw new ForbiddenError("Only the listing's owner edits its calendar.");
    if (listing.kind !== 'RENT') throw badField('listingId', 'this listing is for sale: it has no calendar of nights');
    return listing;
  }
}
