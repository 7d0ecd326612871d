import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ConflictError, ForbiddenError, NotFoundError, parseInput, requireSelfOrAdmin, requireUser, type Identity } from '@market/platform';
import type { Viewer } from '../viewer';
import type { CancellationQuoteRecord, StayRecord } from '../domain';
import type { ChangeOutcome, StayChange, StayRepository } from '../repositories/stay-repository';
import type { PriorRequest } from '../repositories/idempotency-keys';
import { actsAsHost, isStayParty, managesListing } from '../rules/access';
import { isBookable } from '../rules/bookable';
import { refundFor } from '../rules/cancellation-policy';
import { daysBetween, todayIn } from '../rules/days';
import { idempotencyClaim, type IdempotencyClaim, type KeyRetention } from '../rules/idempotency';
import { priceStay } from '../rules/pricing';
import { respondByFor } from '../rules/request-deadline';
import { badField } from '../validation';
import type { WriteLimits } from './rate-limits';

/** Longest stay one booking may cover, whatever the listing allows (a listing's own maximum can be up to this). */
export const MAX_NIGHTS = 365;

export type BookStayOutcome =
  | { kind: 'booked'; stay: StayRecord }
  | { kind: 'datesUnavailable'; listingId: string; checkIn: string; checkOut: string }
  | { kind: 'listingUnavailable'; listingId: string }
  | { kind: 'tooManyPendingRequests'; limit: number };

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

const stayIdSchema = z.object({ id: z.string().min(1).max(100) });

export interface StayRules {
  /** Minutes a host has to answer a request (never past the start of the check-in day). */
  requestTtlMinutes: number;
  /** Hours an idempotency key answers retries. */
  keyRetentionHours: number;
  /** REQUESTED stays one guest may have waiting at once. */
  maxPendingRequests: number;
  /** Longest stay at a listing that sets no maximum of its own. */
  defaultMaxNights: number;
}

/**
 * The rules of stays: who may book, see, confirm, decline, cancel and complete them, what a booking
 * costs and what a cancellation refunds.
 */
export class StayService {
  private readonly keys: KeyRetention;

  constructor(
    private readonly stays: StayRepository,
    private readonly rules: StayRules,
    private readonly limits: WriteLimits,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.keys = { hours: rules.keyRetentionHours, now };
  }

  /**
   * Books a stay for the caller. The listing's facts come from the local snapshot and the price is
   * computed here; whether the dates are free is the database's decision, so two concurrent bookings
   * of overlapping nights never both succeed.
   */
  async book(viewer: Viewer, input: unknown, idempotencyKey?: string | null): Promise<BookStayOutcome> {
    const guest = requireUser(viewer);
    const data = parseInput(bookStaySchema, input);
    const claim = idempotencyClaim(guest.userId, idempotencyKey, 'bookStay', data, this.keys);
    // A retry answers from the first request even if the listing or the day has changed since.
    const prior = claim ? await this.stays.findPriorRequest(claim) : null;
    if (claim && prior) return { kind: 'booked', stay: await this.replay(claim, prior) };

    const listing = await viewer.loaders.snapshotById.load(data.listingId);
    if (!isBookable(listing)) return { kind: 'listingUnavailable', listingId: data.listingId };
    if (listing.ownerId === guest.userId) throw new ForbiddenError('You cannot book a stay at your own listing.');
    if (listing.maxGuests !== null && data.guests > listing.maxGuests) {
      throw badField('guests', `this property takes at most ${listing.maxGuests} guests`);
    }
    const nights = daysBetween(data.checkIn, data.checkOut);
    if (listing.minNights !== null && nights < listing.minNights) {
      throw badField('checkOut', `this property is booked for at least ${listing.minNights} nights`);
    }
    const maxNights = listing.maxNights ?? this.rules.defaultMaxNights;
    if (nights > maxNights) throw badField('checkOut', `this property is booked for at most ${maxNights} nights`);
    const now = this.now();
    const today = todayIn(listing.timeZone, now);
    if (data.checkIn < today) throw badField('checkIn', `checkIn is in the past: today is ${today} at the property`);
    const respondBy = listing.instantBook ? null : respondByFor(data.checkIn, listing.timeZone, now, this.rules.requestTtlMinutes);

    // Counted from here: only attempts that reach the calendar (a retry's replay, a refused input or
    // a listing bookings has not heard of yet cost reads only, and clients poll the latter).
    await this.limits.count('booking-writes', guest.userId);
    const datesUnavailable = {
      kind: 'datesUnavailable',
      listingId: listing.listingId,
      checkIn: data.checkIn,
      checkOut: data.checkOut,
    } as const;
    // Most losers of a race learn it here without a transaction; the database still decides the rest.
    // A hold seen here may be this very request's, booked by a concurrent call with the same key:
    // its key row committed together with the hold, so looking again finds it.
    if (await this.stays.isHeld(listing.listingId, data.checkIn, data.checkOut)) return this.unlessRetried(claim, datesUnavailable);

    const outcome = await this.stays.book(
      {
        id: randomUUID(),
        listingId: listing.listingId,
        guestId: guest.userId,
        checkIn: data.checkIn,
        checkOut: data.checkOut,
        guests: data.guests,
        price: priceStay(listing, nights),
        cancellationPolicy: listing.cancellationPolicy,
        status: listing.instantBook ? 'CONFIRMED' : 'REQUESTED',
        respondBy,
      },
      claim,
      { instantBook: listing.instantBook, maxPendingRequests: this.rules.maxPendingRequests, now },
    );
    switch (outcome.kind) {
      case 'created':
        return { kind: 'booked', stay: outcome.stay };
      case 'overlap':
        return this.unlessRetried(claim, datesUnavailable);
      case 'tooManyPending':
        return this.unlessRetried(claim, { kind: 'tooManyPendingRequests', limit: this.rules.maxPendingRequests });
      case 'listingGone':
        return { kind: 'listingUnavailable', listingId: listing.listingId };
      case 'replay':
        return { kind: 'booked', stay: await this.replay(claim as IdempotencyClaim, outcome) };
    }
  }

  /**
   * A refusal, unless a concurrent call with the same key has committed since this one first looked
   * for it: then this call is that request's retry and gets its stay (or CONFLICT for another request).
   */
  private async unlessRetried(claim: IdempotencyClaim | null, refusal: BookStayOutcome): Promise<BookStayOutcome> {
    const prior = claim ? await this.stays.findPriorRequest(claim) : null;
    if (claim && prior) return { kind: 'booked', stay: await this.replay(claim, prior) };
    return refusal;
  }

  /** A stay its guest, the listing's owner or an admin may see; NOT_FOUND for anyone else. */
  async get(viewer: Viewer, id: string): Promise<StayRecord> {
    const stay = await viewer.loaders.stayById.load(id);
    if (!stay || !isStayParty(viewer.identity, stay)) throw new NotFoundError('Stay', id);
    return stay;
  }

  /** The host accepts a REQUESTED stay. */
  confirm(viewer: Viewer, id: string, idempotencyKey?: string | null): Promise<StayRecord> {
    return this.hostDecision(viewer, id, idempotencyKey, 'confirmStay', 'CONFIRMED');
  }

  /** The host refuses a REQUESTED stay; its nights are free again. */
  decline(viewer: Viewer, id: string, idempotencyKey?: string | null): Promise<StayRecord> {
    return this.hostDecision(viewer, id, idempotencyKey, 'declineStay', 'DECLINED');
  }

  /** Guest, host or admin cancels a live stay; the refund is decided from the locked state, now. */
  async cancel(viewer: Viewer, id: string, idempotencyKey?: string | null): Promise<StayRecord> {
    const identity = requireUser(viewer);
    parseInput(stayIdSchema, { id });
    const claim = idempotencyClaim(identity.userId, idempotencyKey, 'cancelStay', { id }, this.keys);
    const stay = await this.get(viewer, id);
    return this.change(id, claim, (current) => {
      this.assertCancellable(current);
      const refund = refundFor(current, this.cancelledBy(identity, stay), this.now());
      return { status: 'CANCELLED', refundAmount: refund.amount, cancelledById: identity.userId };
    });
  }

  /** The host marks a CONFIRMED stay COMPLETED from its check-out day (at the listing) on. */
  async complete(viewer: Viewer, id: string): Promise<StayRecord> {
    const identity = requireUser(viewer);
    const stay = await this.get(viewer, id);
    if (!actsAsHost(identity, stay)) throw new ForbiddenError('Only the host completes a stay.');
    return this.change(id, null, (current) => {
      if (current.status !== 'CONFIRMED') throw new ConflictError(`Only a CONFIRMED stay can be completed; this one is ${current.status}.`);
      const today = todayIn(current.timeZone, this.now());
      if (today < current.checkOut) throw new ConflictError(`The stay ends on ${current.checkOut}; today is ${today} at the property.`);
      return { status: 'COMPLETED' };
    });
  }

  /** What cancelling now would refund, for the caller (a host's cancellation refunds everything). */
  async quote(viewer: Viewer, stayId: string): Promise<CancellationQuoteRecord> {
    const identity = requireUser(viewer);
    const stay = await this.get(viewer, stayId);
    this.assertCancellable(stay);
    return this.quoteFor(identity, stay);
  }

  /** The quote for a stay the caller already sees; null when it can no longer be cancelled. */
  quoteIfCancellable(viewer: Viewer, stay: StayRecord): CancellationQuoteRecord | null {
    const identity = requireUser(viewer);
    return this.whyNotCancellable(stay) === null ? this.quoteFor(identity, stay) : null;
  }

  private quoteFor(identity: Identity, stay: StayRecord): CancellationQuoteRecord {
    const refund = refundFor(stay, this.cancelledBy(identity, stay), this.now());
    return {
      stay,
      policy: stay.cancellationPolicy,
      refundPercent: refund.percent,
      refundAmount: refund.amount,
      currency: stay.currency,
      refundableUntil: refund.until,
      explanation: refund.explanation,
    };
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

  /** A live stay can be called off until its check-out day at the listing; after that it can only be completed. */
  private whyNotCancellable(stay: StayRecord): string | null {
    if (stay.status !== 'REQUESTED' && stay.status !== 'CONFIRMED') {
      return `Only a REQUESTED or CONFIRMED stay can be cancelled; this one is ${stay.status}.`;
    }
    const today = todayIn(stay.timeZone, this.now());
    if (today >= stay.checkOut)
      return `The stay ended on ${stay.checkOut} (today is ${today} at the property): it can no longer be cancelled.`;
    return null;
  }

  private assertCancellable(stay: StayRecord): void {
    const refusal = this.whyNotCancellable(stay);
    if (refusal !== null) throw new ConflictError(refusal);
  }

  private cancelledBy(identity: Identity, stay: StayRecord): 'guest' | 'host' {
    return identity.userId === stay.guestId ? 'guest' : 'host';
  }

  private async hostDecision(
    viewer: Viewer,
    id: string,
    idempotencyKey: string | null | undefined,
    operation: 'confirmStay' | 'declineStay',
    status: 'CONFIRMED' | 'DECLINED',
  ): Promise<StayRecord> {
    const identity = requireUser(viewer);
    parseInput(stayIdSchema, { id });
    const claim = idempotencyClaim(identity.userId, idempotencyKey, operation, { id }, this.keys);
    const stay = await this.get(viewer, id);
    if (!actsAsHost(identity, stay)) throw new ForbiddenError('Only the host confirms or declines a stay.');
    return this.change(id, claim, (current) => {
      if (current.status !== 'REQUESTED') {
        throw new ConflictError(`Only a REQUESTED stay can be ${status.toLowerCase()}; this one is ${current.status}.`);
      }
      // Past its deadline the request is lapsing (the scheduler is about to expire it): too late to answer.
      if (current.respondBy !== null && current.respondBy <= this.now()) {
        throw new ConflictError(`This request expired at ${current.respondBy.toISOString()} without an answer; its nights are free again.`);
      }
      return { status };
    });
  }

  /** Applies a change, answering a retried key from its first request. */
  private async change(id: string, claim: IdempotencyClaim | null, decide: (current: StayRecord) => StayChange): Promise<StayRecord> {
    const prior = claim ? await this.stays.findPriorRequest(claim) : null;
    if (claim && prior) return this.replay(claim, prior);
    const outcome: ChangeOutcome = await this.stays.change(id, decide, claim);
    switch (outcome.kind) {
      case 'changed':
        return outcome.stay;
      case 'missing':
        throw new NotFoundError('Stay', id);
      case 'replay':
        return this.replay(claim as IdempotencyClaim, outcome);
    }
  }

  /** The first result of a retried request, as the stay stands now; CONFLICT when the key was used for another request. */
  private async replay(claim: IdempotencyClaim, prior: PriorRequest): Promise<StayRecord> {
    if (prior.requestHash !== claim.requestHash || prior.stayId === null) {
      throw new ConflictError('This idempotencyKey was already used for a different request; use a new key.');
    }
    const [stay] = await this.stays.findByIds([prior.stayId]);
    if (!stay) throw new NotFoundError('Stay', prior.stayId);
    return stay;
  }
}
