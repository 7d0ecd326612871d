import { BadUserInputError, requireUser, type AuthContext, type Logger } from '@market/platform';
import { isUuid, NotFoundError } from '@market/platform';
import type { ListingRecord } from '../domain';
import type { ListingDetailCache } from '../repositories/listing-detail-cache';
import { viewerOf } from '../viewer';
import { canSee } from '../rules/access';
import type { RecommendationEngine, RecommendationStore } from './engine';

export const MAX_RECOMMENDATIONS = 50;

function pageSize(first: number | null | undefined): number {
  const n = first ?? 10;
  if (!Number.isInteger(n) || n < 1 || n > MAX_RECOMMENDATIONS) {
    throw new BadUserInputError(`first must be between 1 and ${MAX_RECOMMENDATIONS}.`, {
      first: [`must be between 1 and ${MAX_RECOMMENDATIONS}`],
    });
  }
  return n;
}

function centre(near: { latitude: number; longitude: number } | null | undefined) {
  if (!near) return null;
  const { latitude, longitude } = near;
  const fields: Record<string, string[]> = {};
  if (!(latitude >= -90 && latitude <= 90)) fields['near.latitude'] = ['must be between -90 and 90'];
  if (!(longitude >= -180 && longitude <= 180)) fields['near.longitude'] = ['must be between -180 and 180'];
  if (Object.keys(fields).length > 0) throw new BadUserInputError('near is not a point on the earth.', fields);
  return { latitude, longitude };
}

/** `recommendedListings`, `similarListings`, and the views `listing(id)` reports. */
export class RecommendationService {
  constructor(
    private readonly engine: RecommendationEngine,
    private readonly store: RecommendationStore,
    private readonly details: ListingDetailCache,
    private readonly logger: Logger,
  ) {}

  async recommended(
    ctx: AuthContext,
    args: { first?: number | null; near?: { latitude: number; longitude: number } | null },
  ): Promise<ListingRecord[]> {
    const user = requireUser(ctx);
    const first = pageSize(args.first);
    const scored = await this.engine.recommendFor(user.userId, { first, near: centre(args.near) });
    return this.shown(
      ctx,
      scored.map((s) => s.id),
    );
  }

  async similar(ctx: AuthContext, args: { listingId: string; first?: number | null }): Promise<ListingRecord[]> {
    const first = pageSize(args.first);
    if (!isUuid(args.listingId)) throw new NotFoundError('Listing', args.listingId);
    // A listing the caller may not see answers as a missing one, so its existence does not leak.
    const [listing] = await this.details.findByIds([args.listingId.toLowerCase()]);
    if (!listing || !canSee(viewerOf(ctx), listing)) throw new NotFoundError('Listing', args.listingId);
    const scored = await this.engine.similarTo(listing.id, ctx.identity?.userId ?? null, first);
    return this.shown(
      ctx,
      scored.map((s) => s.id),
    );
  }

  /**
   * A signed-in caller read a listing they do not own: a VIEW. Recorded after the answer, and a
   * failure only logged: a read never fails because learning did.
   */
  viewed(ctx: AuthContext, listing: ListingRecord | null): void {
    const userId = ctx.identity?.userId;
    if (!userId || !listing || listing.ownerId === userId) return;
    this.store.record(userId, listing.id, 'VIEW', new Date()).catch((error: unknown) => {
      this.logger.warn({ err: error, listingId: listing.id }, 'recording a listing view failed');
    });
  }

  /** The ranked ids as listings, in rank order, still ACTIVE as the cache says (the ranking read the database a moment ago). */
  private async shown(ctx: AuthContext, ids: string[]): Promise<ListingRecord[]> {
    if (ids.length === 0) return [];
    const found = new Map((await this.details.findByIds(ids)).map((l) => [l.id, l]));
    const viewer = viewerOf(ctx);
    return ids.flatMap((id) => {
      const l = found.get(id);
      return l && l.status === 'ACTIVE' && l.ownerId !== viewer.userId ? [l] : [];
    });
  }
}
