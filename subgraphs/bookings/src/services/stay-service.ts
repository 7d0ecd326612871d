import { z } from 'zod';
import { ConflictError, ForbiddenError, NotFoundError, requireSelfOrAdmin, requireUser } from '@market/platform';
import type { Viewer } from '../context';
import { daysBetween, multiplyMoney, todayIn, type StayRecord } from '../domain';
import type { StayRepository } from '../repositories/stay-repository';
import { isStayParty, managesListing } from './access';
import { badField, parseOrThrow } from './validation';

/** Longest stay one booking may cover. */
export const MAX_NIGHTS = 365;

export type BookStayOutcome =
  | { kind: 'booked'; stay: StayRecord }
  | { kind: 'datesUnavailable'; listingId: string; checkIn: string; checkOut: string }
  | { kind: 'listingUnavailable'; listingId: string };

const bookStaySchema = z
  .object({
    listingId: z.uuid('listingId is not a listing id'),
    checkIn: z.iso.date('checkIn must be a date (YYYY-MM-DD)'),
    checkOut: z.iso.date('checkOut must be a date (YYYY-MM-DD)'),
    guests: z.int().min(1, 'guests must be at least 1'),
  })
  .superRefine((input, ctx) => {
    const nights = daysBetween(input.checkIn, input.checkOut);
    if (nights < 1) ctx.addIssue({ code: 'custom', path: ['checkOut'], message: 'checkOut must be after checkIn' });
    if (nights > MAX_NIGHTS) ctx.addIssue({ code: 'custom', path: ['checkOut'], message: `a stay is at most ${MAX_NIGHTS} nights` });
  });

/** The rules of stays: who may book, see and cancel them, and what a booking costs. */
export class StayService {
  constructor(
    private readonly stays: StayRepository,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Books a stay for the caller. The listing's facts come from the local snapshot and the price is
   * computed here; whether the dates are free is the database's decision, so two concurrent bookings
   * of overlapping nights never both succeed.
   */
  async book(viewer: Viewer, input: unknown): Promise<BookStayOutcome> {
    const guest = requireUser(viewer);
    const data = parseOrThrow(bookStaySchema, input);
    const listing = await viewer.loaders.snapshotById.load(data.listingId);
    if (
      !listing ||
      listing.deletedAt !== null ||
      listing.kind !== 'RENT' ||
      listing.status !== 'ACTIVE' ||
      listing.pricePerNight === null
    ) {
      return { kind: 'listingUnavailable', listingId: data.listingId };
    }
    if (listing.ownerId === guest.userId) throw new ForbiddenError('You cannot book a stay at your own listing.');
    if (listing.maxGuests !== null && data.guests > listing.maxGuests) {
      throw badField('guests', `this property takes at most ${listing.maxGuests} guests`);
    }
    const today = todayIn(listing.timeZone, this.now());
    if (data.checkIn < today) throw badField('checkIn', `checkIn is in the past: today is ${today} at the property`);

    const nights = daysBetween(data.checkIn, data.checkOut);
    const outcome = await this.stays.create({
      listingId: listing.listingId,
      guestId: guest.userId,
      checkIn: data.checkIn,
      checkOut: data.checkOut,
      nights,
      guests: data.guests,
      totalPrice: multiplyMoney(listing.pricePerNight, nights),
      currency: listing.currency,
    });
    if (outcome.kind === 'overlap') {
      return { kind: 'datesUnavailable', listingId: listing.listingId, checkIn: data.checkIn, checkOut: data.checkOut };
    }
    return { kind: 'booked', stay: outcome.stay };
  }

  /** A stay its guest, the listing's owner or an admin may see; NOT_FOUND for anyone else. */
  async get(viewer: Viewer, id: string): Promise<StayRecord> {
    const stay = await viewer.loaders.stayById.load(id);
    if (!stay || !isStayParty(viewer.identity, stay)) throw new NotFoundError('Stay', id);
    return stay;
  }

  /** Guest, listing owner or admin; only a live (REQUESTED or CONFIRMED) stay can be cancelled. */
  async cancel(viewer: Viewer, id: string): Promise<StayRecord> {
    requireUser(viewer);
    const stay = await this.get(viewer, id);
    const cancelled = await this.stays.cancel(stay.id);
    if (!cancelled) throw new ConflictError('Only a REQUESTED or CONFIRMED stay can be cancelled; this one is not (any more).');
    return cancelled;
  }

  async mine(viewer: Viewer): Promise<StayRecord[]> {
    const identity = requireUser(viewer);
    return viewer.loaders.staysByGuest.load(identity.userId);
  }

  /** A user's stays, for the user themselves and admins. */
  async ofGuest(viewer: Viewer, userId: string): Promise<StayRecord[]> {
    requireSelfOrAdmin(viewer, userId);
    return viewer.loaders.staysByGuest.load(userId);
  }

  /**
   * A listing's stays, for its owner and admins. A listing bookings has not heard of yet has no
   * stays, so there is nothing to hide.
   */
  async ofListing(viewer: Viewer, listingId: string): Promise<StayRecord[]> {
    const identity = requireUser(viewer);
    const listing = await viewer.loaders.snapshotById.load(listingId);
    if (!listing) return [];
    if (!managesListing(identity, listing)) throw new ForbiddenError("Only the listing's owner sees its stays.");
    return viewer.loaders.staysByListing.load(listingId);
  }
}
