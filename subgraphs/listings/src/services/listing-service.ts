import {
  BadUserInputError,
  decodePosition,
  encodePosition,
  ForbiddenError,
  isUuid,
  NotFoundError,
  UnauthenticatedError,
  requireRole,
  requireUser,
  type AuthContext,
} from '@market/platform';
import { ACCOUNT_DELETED, type ListingPage, type ListingRecord } from '../domain';
import { canManage, canSee } from '../rules/access';
import { viewerOf, type Viewer } from '../viewer';
import type { ListingUpdated } from '../live/topics';
import type { ListingRepository } from '../repositories/listing-repository';
import type { ListingDetailCache } from '../repositories/listing-detail-cache';
import type { LiveUpdates } from './live-updates';
import { applyListingChanges, parseListingSearch, parseNewListing } from './listing-input';

export const MAX_PAGE_SIZE = 100;

/** A caller whose account was deleted while their access token is still valid. */
function accountDeleted(): UnauthenticatedError {
  return new UnauthenticatedError('This account was deleted.');
}

/** The rules of listings: who may create, see, change and delete them, and what a valid one is. */
export class ListingService {
  constructor(
    private readonly listings: ListingRepository,
    private readonly details: ListingDetailCache,
    private readonly live: LiveUpdates,
  ) {}

  /** The listing if this caller may see it; DRAFT and ARCHIVED are the owner's and admins' only. */
  visibleTo(ctx: AuthContext, listing: ListingRecord | null): ListingRecord | null {
    return listing && canSee(viewerOf(ctx), listing) ? listing : null;
  }

  async create(ctx: AuthContext, input: unknown): Promise<ListingRecord> {
    const identity = requireRole(ctx, 'SELLER', 'AGENT', 'HOST');
    const created = await this.listings.create(identity.userId, parseNewListing(input));
    if (created === ACCOUNT_DELETED) throw accountDeleted();
    return created;
  }

  /**
   * Another user's listing the caller can see is FORBIDDEN; one they cannot see (a draft) is
   * NOT_FOUND, so its existence does not leak. A caller whose account was deleted is UNAUTHENTICATED.
   */
  async update(ctx: AuthContext, id: string, changes: Record<string, unknown>): Promise<ListingRecord> {
    const viewer = this.writer(ctx);
    const updated = await this.listings.update(id, viewer.userId, (current) => {
      this.authorizeWrite(viewer, current);
      return applyListingChanges(current, changes);
    });
    if (updated === ACCOUNT_DELETED) throw accountDeleted();
    if (!updated) throw new NotFoundError('Listing', id);
    await this.details.invalidate(id);
    await this.live.listingChanged(updated);
    return updated;
  }

  async delete(ctx: AuthContext, id: string): Promise<true> {
    const viewer = this.writer(ctx);
    const deleted = await this.listings.delete(id, viewer.userId, (current) => this.authorizeWrite(viewer, current));
    if (deleted === ACCOUNT_DELETED) throw accountDeleted();
    if (!deleted) throw new NotFoundError('Listing', id);
    await this.details.invalidate(id);
    await this.live.listingDeleted(deleted);
    return true;
  }

  /**
   * Where `listingUpdated` listens: the listing's id, once the caller is known to see it, exactly as
   * `listing(id)` decides (anonymous callers included). A listing they cannot see is NOT_FOUND.
   */
  async watchable(ctx: AuthContext, id: string): Promise<string> {
    // Uuids compare case-insensitively; the cache and the channel use the database's lowercase spelling.
    const [listing] = isUuid(id) ? await this.details.findByIds([id.toLowerCase()]) : [];
    const visible = this.visibleTo(ctx, listing ?? null);
    if (!visible) throw new NotFoundError('Listing', id);
    return visible.id;
  }

  /** Checked for every `listingUpdated` event and subscriber: a hidden listing's events go to its owner and admins only. */
  mayReceive(ctx: AuthContext, event: ListingUpdated): boolean {
    return !event.ownerOnly || canManage(viewerOf(ctx), event);
  }

  /** A page of ACTIVE listings, newest first. */
  async browse(args: { first?: number | null; after?: string | null; filter?: unknown }): Promise<ListingPage> {
    const first = args.first ?? 20;
    if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
      throw new BadUserInputError(`first must be between 0 and ${MAX_PAGE_SIZE}.`, { first: [`must be between 0 and ${MAX_PAGE_SIZE}`] });
    }
    const after = args.after ? decodePosition(args.after) : null;
    const search = parseListingSearch(args.filter);
    const rows = await this.listings.browse(search, after, first + 1);
    const page = rows.slice(0, first);
    const edges = page.map((node) => ({ cursor: encodePosition(node), node }));
    return {
      edges,
      pageInfo: {
        hasNextPage: rows.length > first,
        hasPreviousPage: after !== null,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges.at(-1)?.cursor ?? null,
      },
    };
  }

  private writer(ctx: AuthContext): Viewer & { userId: string } {
    const identity = requireUser(ctx);
    return { ...viewerOf(ctx), userId: identity.userId };
  }

  private authorizeWrite(viewer: Viewer, listing: ListingRecord): void {
    if (!canSee(viewer, listing)) throw new NotFoundError('Listing', listing.id);
    if (!canManage(viewer, listing)) throw new ForbiddenError("Only the listing's owner or an admin can change it.");
  }
}
