import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ConflictError, ForbiddenError, NotFoundError, parseInput, requireSelfOrAdmin, requireUser } from '@market/platform';
import type { Viewer } from '../viewer';
import type { ListedSlotRecord, ListingSnapshot, ViewingRecord, ViewingSlotRecord } from '../domain';
import type { PriorRequest } from '../repositories/idempotency-keys';
import type { ChangeViewingOutcome, ViewingChange, ViewingRepository } from '../repositories/viewing-repository';
import { actsAsAgent, isViewingParty, managesListing } from '../rules/access';
import { idempotencyClaim, type IdempotencyClaim, type KeyRetention } from '../rules/idempotency';
import { badField } from '../validation';
import type { WriteLimits } from './rate-limits';

const MINUTE_MS = 60_000;
export const MIN_VIEWING_MINUTES = 15;
export const MAX_VIEWING_MINUTES = 240;
export const MAX_SLOTS_PER_CALL = 50;

const durationMessage = `a viewing lasts ${MIN_VIEWING_MINUTES} minutes to ${MAX_VIEWING_MINUTES / 60} hours`;
const lastsRightLong = (t: { startsAt: Date; endsAt: Date }) => {
  const minutes = (t.endsAt.getTime() - t.startsAt.getTime()) / MINUTE_MS;
  return minutes >= MIN_VIEWING_MINUTES && minutes <= MAX_VIEWING_MINUTES;
};

const timesSchema = z
  .object({ startsAt: z.date('startsAt must be a date-time'), endsAt: z.date('endsAt must be a date-time') })
  .refine(lastsRightLong, { path: ['endsAt'], message: durationMessage });

const requestViewingSchema = z
  .object({
    listingId: z.uuid('listingId is not a listing id'),
    slotId: z.uuid('slotId is not a slot id').nullish(),
    startsAt: z.date('startsAt must be a date-time').nullish(),
    endsAt: z.date('endsAt must be a date-time').nullish(),
    note: z
      .string()
      .trim()
      .max(1000, 'note is at most 1000 characters')
      .nullish()
      .transform((note) => note || null),
  })
  .superRefine((input, ctx) => {
    const timed = Boolean(input.startsAt) || Boolean(input.endsAt);
    if (input.slotId && timed)
      ctx.addIssue({ code: 'custom', path: ['slotId'], message: 'give either slotId or startsAt and endsAt, not both' });
    if (!input.slotId && !(input.startsAt && input.endsAt)) {
      ctx.addIssue({ code: 'custom', path: ['startsAt'], message: 'give slotId, or both startsAt and endsAt' });
    }
    if (input.startsAt && input.endsAt && !lastsRightLong({ startsAt: input.startsAt, endsAt: input.endsAt })) {
      ctx.addIssue({ code: 'custom', path: ['endsAt'], message: durationMessage });
    }
  });

const slotsSchema = z.object({
  listingId: z.uuid('listingId is not a listing id'),
  slots: z
    .array(timesSchema)
    .min(1, 'publish at least one slot')
    .max(MAX_SLOTS_PER_CALL, `at most ${MAX_SLOTS_PER_CALL} slots at a time`)
    .superRefine((slots, ctx) => {
      const sorted = [...slots].sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
      for (let i = 1; i < sorted.length; i++) {
        if ((sorted[i] as { startsAt: Date }).startsAt < (sorted[i - 1] as { endsAt: Date }).endsAt) {
          ctx.addIssue({ code: 'custom', message: 'slots must not overlap each other' });
          return;
        }
      }
    }),
});

export type ViewingOutcome =
  | { kind: 'viewing'; viewing: ViewingRecord }
  | { kind: 'timeUnavailable'; listingId: string; startsAt: Date; endsAt: Date; reason: 'slotTaken' | 'agentBusy' };

/**
 * The rules of viewings: agents publish slots, buyers request viewings (in a slot or at times they
 * propose), agents confirm them; either side moves or cancels them. Reminders follow confirmation.
 */
export class ViewingService {
  private readonly keys: KeyRetention;

  constructor(
    private readonly viewings: ViewingRepository,
    rules: { keyRetentionHours: number },
    private readonly limits: WriteLimits,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.keys = { hours: rules.keyRetentionHours, now };
  }

  /**
   * Asks the listing's agent (its owner) for a viewing; the listing must be ACTIVE and for SALE.
   * With an idempotency key, a retry answers with the viewing the first request made.
   */
  async request(viewer: Viewer, input: unknown, idempotencyKey?: string | null): Promise<ViewingOutcome> {
    const buyer = requireUser(viewer);
    const data = parseInput(requestViewingSchema, input);
    const claim = idempotencyClaim(buyer.userId, idempotencyKey, 'requestViewing', data, this.keys);
    // A retry answers from the first request even if the slot or the listing has changed since.
    const prior = claim ? await this.viewings.findPriorRequest(claim) : null;
    if (claim && prior) return { kind: 'viewing', viewing: await this.replay(claim, prior) };

    const listing = await viewer.loaders.snapshotById.load(data.listingId);
    if (!listing || listing.deletedAt !== null) throw new NotFoundError('Listing', data.listingId);
    if (listing.kind !== 'SALE') throw badField('listingId', 'this listing is for rent: book a stay instead of a viewing');
    if (listing.status !== 'ACTIVE') throw new ConflictError('This listing is not on the market now.');
    if (listing.ownerId === buyer.userId) throw new ForbiddenError('You cannot request a viewing of your own listing.');

    let times: { startsAt: Date; endsAt: Date };
    if (data.slotId) {
      const slot = await this.viewings.findSlotById(data.slotId);
      if (!slot || slot.listingId !== listing.listingId) throw new NotFoundError('ViewingSlot', data.slotId);
      times = slot;
    } else {
      times = { startsAt: data.startsAt as Date, endsAt: data.endsAt as Date };
    }
    if (times.startsAt <= this.now()) throw badField(data.slotId ? 'slotId' : 'startsAt', 'the viewing must start in the future');
    // Counted from here, as for bookStay: only attempts that would write.
    await this.limits.count('booking-writes', buyer.userId);

    const outcome = await this.viewings.create(
      {
        id: randomUUID(),
        listingId: listing.listingId,
        listingTitle: listing.title,
        buyerId: buyer.userId,
        agentId: listing.ownerId,
        startsAt: times.startsAt,
        endsAt: times.endsAt,
        note: data.note,
        slotId: data.slotId ?? null,
      },
      claim,
    );
    switch (outcome.kind) {
      case 'slotTaken':
        return { kind: 'timeUnavailable', listingId: listing.listingId, ...times, reason: 'slotTaken' };
      case 'created':
        return { kind: 'viewing', viewing: outcome.viewing };
      case 'replay':
        return { kind: 'viewing', viewing: await this.replay(claim as IdempotencyClaim, outcome) };
    }
  }

  /** The agent confirms a PENDING viewing that has not started. */
  async confirm(viewer: Viewer, id: string, idempotencyKey?: string | null): Promise<ViewingOutcome> {
    const identity = requireUser(viewer);
    const claim = idempotencyClaim(identity.userId, idempotencyKey, 'confirmViewing', { id }, this.keys);
    const viewing = await this.get(viewer, id);
    if (!actsAsAgent(identity, viewing)) throw new ForbiddenError('Only the agent confirms a viewing.');
    return this.change(viewing, claim, (current) => {
      if (current.status !== 'PENDING') throw new ConflictError(`Only a PENDING viewing can be confirmed; this one is ${current.status}.`);
      if (current.startsAt <= this.now()) throw new ConflictError('This viewing has already started.');
      return { status: 'CONFIRMED', rescheduled: false };
    });
  }

  /** Moves a live viewing: confirmed at once when the agent moves it, PENDING again when the buyer does. */
  async reschedule(
    viewer: Viewer,
    id: string,
    input: { startsAt: unknown; endsAt: unknown },
    idempotencyKey?: string | null,
  ): Promise<ViewingOutcome> {
    const identity = requireUser(viewer);
    const times = parseInput(timesSchema, input);
    const claim = idempotencyClaim(identity.userId, idempotencyKey, 'rescheduleViewing', { id, ...times }, this.keys);
    const viewing = await this.get(viewer, id);
    if (times.startsAt <= this.now()) throw badField('startsAt', 'the viewing must start in the future');
    const byAgent = actsAsAgent(identity, viewing);
    return this.change(
      viewing,
      claim,
      (current) => {
        if (current.status === 'CANCELLED') throw new ConflictError('A cancelled viewing cannot be moved.');
        return byAgent
          ? { status: 'CONFIRMED', ...times, leaveSlot: true, rescheduled: true }
          : { status: 'PENDING', ...times, leaveSlot: true };
      },
      times,
    );
  }

  /** Buyer, agent or admin cancels a live viewing; its slot is free again and its reminders go. */
  async cancel(viewer: Viewer, id: string, idempotencyKey?: string | null): Promise<ViewingRecord> {
    const identity = requireUser(viewer);
    const claim = idempotencyClaim(identity.userId, idempotencyKey, 'cancelViewing', { id }, this.keys);
    const viewing = await this.get(viewer, id);
    const outcome = await this.change(viewing, claim, (current) => {
      if (current.status === 'CANCELLED') throw new ConflictError('This viewing is already cancelled.');
      return { status: 'CANCELLED', cancelledBy: identity.userId };
    });
    if (outcome.kind !== 'viewing') throw new ConflictError('The viewing could not be cancelled.');
    return outcome.viewing;
  }

  /** The agent (the listing's owner) or an admin offers times for viewings of a listing for sale. */
  async publishSlots(viewer: Viewer, input: { listingId: string; slots: unknown }): Promise<ViewingSlotRecord[]> {
    const identity = requireUser(viewer);
    const data = parseInput(slotsSchema, input);
    const listing = await viewer.loaders.snapshotById.load(data.listingId);
    if (!listing || listing.deletedAt !== null) throw new NotFoundError('Listing', data.listingId);
    if (!managesListing(identity, listing)) throw new ForbiddenError("Only the listing's agent publishes viewing slots.");
    if (listing.kind !== 'SALE') throw badField('listingId', 'this listing is for rent: it has no viewings');
    const now = this.now();
    if (data.slots.some((s) => s.startsAt <= now)) throw badField('slots', 'every slot must start in the future');
    const outcome = await this.viewings.publishSlots(listing.listingId, listing.ownerId, data.slots);
    if (outcome.kind === 'overlap') throw new ConflictError('A slot overlaps one already published for this listing.');
    return outcome.slots;
  }

  /** A listing's upcoming slots, with whether each is still free; public. */
  /** A listing's open slots: anyone's while it is ACTIVE; otherwise only its owner and admins see them. */
  async slotsOf(viewer: Viewer, listingId: string): Promise<ViewingSlotRecord[]> {
    const slots = await viewer.loaders.slotsByListing.load(listingId);
    const { identity } = viewer;
    const manages = (slot: ListedSlotRecord) => identity !== null && (identity.role === 'ADMIN' || identity.userId === slot.listingOwnerId);
    return slots.filter((slot) => slot.listingOnMarket || manages(slot));
  }

  /** A viewing its buyer, its agent or an admin may see; NOT_FOUND for anyone else. */
  async get(viewer: Viewer, id: string): Promise<ViewingRecord> {
    const viewing = await viewer.loaders.viewingById.load(id);
    if (!viewing || !isViewingParty(viewer.identity, viewing)) throw new NotFoundError('ViewingAppointment', id);
    return viewing;
  }

  /** The caller's viewings, as buyer or as agent. */
  async mine(viewer: Viewer): Promise<ViewingRecord[]> {
    const identity = requireUser(viewer);
    return this.viewings.findByParticipant(identity.userId);
  }

  /** The viewings a user requested, for the user themselves and admins. */
  async ofBuyer(viewer: Viewer, userId: string): Promise<ViewingRecord[]> {
    requireSelfOrAdmin(viewer, userId);
    return viewer.loaders.viewingsByBuyer.load(userId);
  }

  /** A listing's viewings, for its owner and admins (none for a listing bookings has not heard of). */
  async ofListing(viewer: Viewer, listingId: string): Promise<ViewingRecord[]> {
    const identity = requireUser(viewer);
    const listing: ListingSnapshot | null = await viewer.loaders.snapshotById.load(listingId);
    if (!listing) return [];
    if (!managesListing(identity, listing)) throw new ForbiddenError("Only the listing's owner sees its viewings.");
    return viewer.loaders.viewingsByListing.load(listingId);
  }

  /** Applies a change, answering a retried key from its first request. */
  private async change(
    viewing: ViewingRecord,
    claim: IdempotencyClaim | null,
    decide: (current: ViewingRecord) => ViewingChange,
    times?: { startsAt: Date; endsAt: Date },
  ): Promise<ViewingOutcome> {
    const prior = claim ? await this.viewings.findPriorRequest(claim) : null;
    if (claim && prior) return { kind: 'viewing', viewing: await this.replay(claim, prior) };
    const outcome: ChangeViewingOutcome = await this.viewings.change(viewing.id, decide, this.now(), claim);
    switch (outcome.kind) {
      case 'changed':
        return { kind: 'viewing', viewing: outcome.viewing };
      case 'replay':
        return { kind: 'viewing', viewing: await this.replay(claim as IdempotencyClaim, outcome) };
      case 'missing':
        throw new NotFoundError('ViewingAppointment', viewing.id);
      case 'agentBusy': {
        const at = times ?? viewing;
        return { kind: 'timeUnavailable', listingId: viewing.listingId, startsAt: at.startsAt, endsAt: at.endsAt, reason: 'agentBusy' };
      }
    }
  }

  /** The viewing a retried request first produced, as it stands now; CONFLICT when the key was used for another request. */
  private async replay(claim: IdempotencyClaim, prior: PriorRequest): Promise<ViewingRecord> {
    if (prior.requestHash !== claim.requestHash || prior.viewingId === null) {
      throw new ConflictError('This idempotencyKey was already used for a different request; use a new key.');
    }
    const [viewing] = await this.viewings.findByIds([prior.viewingId]);
    if (!viewing) throw new NotFoundError('ViewingAppointment', prior.viewingId);
    return viewing;
  }
}
