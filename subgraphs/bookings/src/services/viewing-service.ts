import { z } from 'zod';
import { ConflictError, ForbiddenError, NotFoundError, requireSelfOrAdmin, requireUser } from '@market/platform';
import type { Viewer } from '../context';
import type { ViewingRecord } from '../domain';
import type { ViewingRepository } from '../repositories/viewing-repository';
import { isViewingParty, managesListing } from './access';
import { badField, parseOrThrow } from './validation';

const MINUTE_MS = 60_000;
export const MIN_VIEWING_MINUTES = 15;
export const MAX_VIEWING_MINUTES = 240;

const requestViewingSchema = z
  .object({
    listingId: z.uuid('listingId is not a listing id'),
    startsAt: z.date('startsAt must be a date-time'),
    endsAt: z.date('endsAt must be a date-time'),
    note: z
      .string()
      .trim()
      .max(1000, 'note is at most 1000 characters')
      .nullish()
      .transform((note) => note || null),
  })
  .superRefine((input, ctx) => {
    const minutes = (input.endsAt.getTime() - input.startsAt.getTime()) / MINUTE_MS;
    if (minutes < MIN_VIEWING_MINUTES || minutes > MAX_VIEWING_MINUTES) {
      ctx.addIssue({
        code: 'custom',
        path: ['endsAt'],
        message: `a viewing lasts ${MIN_VIEWING_MINUTES} minutes to ${MAX_VIEWING_MINUTES / 60} hours`,
      });
    }
  });

/** The rules of viewings: who may request and see them. */
export class ViewingService {
  constructor(
    private readonly viewings: ViewingRepository,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Asks the listing's agent (its owner) for a viewing; the listing must be ACTIVE and for SALE. */
  async request(viewer: Viewer, input: unknown): Promise<ViewingRecord> {
    const buyer = requireUser(viewer);
    const data = parseOrThrow(requestViewingSchema, input);
    if (data.startsAt <= this.now()) throw badField('startsAt', 'startsAt must be in the future');
    const listing = await viewer.loaders.snapshotById.load(data.listingId);
    if (!listing || listing.deletedAt !== null) throw new NotFoundError('Listing', data.listingId);
    if (listing.kind !== 'SALE') throw badField('listingId', 'this listing is for rent: book a stay instead of a viewing');
    if (listing.status !== 'ACTIVE') throw new ConflictError('This listing is not on the market now.');
    if (listing.ownerId === buyer.userId) throw new ForbiddenError('You cannot request a viewing of your own listing.');
    return this.viewings.create({
      listingId: listing.listingId,
      buyerId: buyer.userId,
      agentId: listing.ownerId,
      startsAt: data.startsAt,
      endsAt: data.endsAt,
      note: data.note,
    });
  }

  /** A viewing its buyer, its agent or an admin may see; NOT_FOUND for anyone else. */
  async get(viewer: Viewer, id: string): Promise<ViewingRecord> {
    const viewing = await viewer.loaders.viewingById.load(id);
    if (!viewing || !isViewingParty(viewer.identity, viewing)) throw new NotFoundError('ViewingAppointment', id);
    return viewing;
  }

  /** The viewings a user requested, for the user themselves and admins. */
  async ofBuyer(viewer: Viewer, userId: string): Promise<ViewingRecord[]> {
    requireSelfOrAdmin(viewer, userId);
    return viewer.loaders.viewingsByBuyer.load(userId);
  }

  /** A listing's viewings, for its owner and admins (none for a listing bookings has not heard of). */
  async ofListing(viewer: Viewer, listingId: string): Promise<ViewingRecord[]> {
    const identity = requireUser(viewer);
    const listing = await viewer.loaders.snapshotById.load(listingId);
    if (!listing) return [];
    if (!managesListing(identity, listing)) throw new ForbiddenError("Only the listing's owner sees its viewings.");
    return viewer.loaders.viewingsByListing.load(listingId);
  }
}
