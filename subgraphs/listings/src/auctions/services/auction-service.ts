import { randomUUID } from 'node:crypto';
import {
  BadUserInputError,
  decodeCursor,
  encodeCursor,
  ForbiddenError,
  isUuid,
  NotFoundError,
  RateLimitedError,
  requireRole,
  requireUser,
  type AuthContext,
  type Logger,
} from '@market/platform';
import { type ListingRecord } from '../../domain';
import { canManage, canSee } from '../../rules/access';
import type { Viewer } from '../../viewer';
import type { AuctionState } from '../rules/aggregate';
import { creationEvents, decideBid, decideCancel, decideRetract, type BidRejectionReason, type RetractRejection } from '../rules/commands';
import type { AuctionStatus, CancelReason } from '../rules/events';
import { MONEY_PROBLEM_TEXT, currencyDecimals, formatAmount, parseAmount } from '../rules/money';
import { auctionView, type AuctionView, type BidView } from '../rules/views';
import type { StoredBidResult } from '../live/topics';
import type { AuctionReadRepository, AuctionCursor } from '../repositories/auction-read-repository';
import type { AuctionCommandRepository } from '../repositories/command-repository';
import { AuctionBusyError, isUniqueViolation, type AuctionCommand, type AuctionCommandProcessor } from './command-processor';
import type { AuctionLive } from './live';
import { parseNewAuction } from './auction-input';

export const MAX_PAGE_SIZE = 100;

/** What the service needs from a request: who calls, and the listing lookup the request batches. */
export interface AuctionCaller extends AuthContext {
  loaders: { listingById: { load(id: string): Promise<ListingRecord | null> } };
}

export type CreateAuctionResult = { kind: 'CREATED'; auction: AuctionView } | { kind: 'ALREADY_AUCTIONED'; auction: AuctionView };
export type CancelAuctionResult =
  { kind: 'CANCELLED'; auction: AuctionView } | { kind: 'NOT_CANCELLABLE'; reason: 'ALREADY_ENDED' | 'HAS_BIDS'; auction: AuctionView };
export type PlaceBidResult = StoredBidResult | { kind: 'PENDING'; commandId: string };
export type RetractBidResult =
  | { kind: 'RETRACTED'; bid: BidView; auction: AuctionView }
  | { kind: 'NOT_RETRACTABLE'; reason: Exclude<RetractRejection, 'BID_NOT_FOUND'> };

const REJECTION_TEXT: Record<BidRejectionReason, string> = {
  AUCTION_NOT_OPEN: 'This auction is not taking bids.',
  OWN_LISTING: 'Sellers cannot bid on their own auction.',
  BELOW_START: 'The bid is under the starting price.',
  TOO_LOW_FOR_RULE: "The bid does not beat the amount the auction's rule compares it with.",
  BELOW_INCREMENT: 'The bid beats it by less than the minimum increment.',
  AUCTION_NOT_FOUND: 'There is no such auction.',
};

export function rejectionMessage(result: Extract<StoredBidResult, { kind: 'REJECTED' }>): string {
  const minimum =
    result.minimumMinor !== null && result.currency
      ? ` The lowest acceptable bid was ${formatAmount(result.minimumMinor, result.currency)} ${result.currency}.`
      : '';
  return REJECTION_TEXT[result.reason] + minimum;
}

function viewerOf(ctx: AuthContext): Viewer {
  return { userId: ctx.identity?.userId ?? null, isAdmin: ctx.identity?.role === 'ADMIN' };
}

/**
 * The rules of auctions as the API applies them: who may create, cancel, bid and retract, what is
 * valid input (typed faults, nothing written), and the async request-response of placeBid. Every
 * change goes through the command processor, so it is decided on the aggregate and appended to the log.
 */
export class AuctionService {
  /** Bid commands being decided in this process, by bidder and idempotency key. */
  private readonly inFlight = new Map<
    string,
    { lookup: Promise<StoredBidResult | null>; decision: Promise<StoredBidResult>; commandId: string }
  >();

  constructor(
    private readonly read: AuctionReadRepository,
    private readonly commands: AuctionCommandRepository,
    private readonly processor: AuctionCommandProcessor,
    private readonly live: AuctionLive,
    private readonly logger: Logger,
    private readonly settings: {
      decisionWaitMs: number;
      defaultSoftCloseMinutes: number;
      /** Counts a new bid of this user; throws RATE_LIMITED beyond the per-user limit (RATE_LIMIT_PLACE_BID). */
      countBid: (bidderId: string) => Promise<void>;
    },
  ) {}

  /** The auction if the caller may see its listing (its seller and admins always may). */
  async visibleTo(ctx: AuctionCaller, auction: AuctionView | null): Promise<AuctionView | null> {
    if (!auction) return null;
    const viewer = viewerOf(ctx);
    if (viewer.isAdmin || viewer.userId === auction.sellerId) return auction;
    const listing = await ctx.loaders.listingById.load(auction.listingId);
    return listing && canSee(viewer, listing) ? auction : null;
  }

  async create(ctx: AuctionCaller, input: Record<string, unknown>): Promise<CreateAuctionResult> {
    const identity = requireRole(ctx, 'SELLER', 'AGENT');
    const listingId = String(input['listingId'] ?? '');
    const listing = isUuid(listingId) ? await ctx.loaders.listingById.load(listingId.toLowerCase()) : null;
    const viewer = viewerOf(ctx);
    if (!listing || !canSee(viewer, listing)) throw new NotFoundError('Listing', listingId);
    if (!canManage(viewer, listing)) throw new ForbiddenError("Only the listing's owner or an admin can auction it.");
    if (listing.kind !== 'SALE')
      throw new BadUserInputError('Only SALE listings can be auctioned; this one is for rent.', { listingId: ['is a rental listing'] });
    if (listing.status !== 'ACTIVE')
      throw new BadUserInputError(`Only ACTIVE listings can be auctioned; this one is ${listing.status}.`, {
        listingId: [`is ${listing.status}`],
      });
    const now = Date.now();
    const data = parseNewAuction(input, { listing, now, defaultSoftCloseMinutes: this.settings.defaultSoftCloseMinutes });
    const existing = await this.read.liveForListing(listing.id);
    if (existing) return { kind: 'ALREADY_AUCTIONED', auction: await this.require(existing) };
    const auctionId = randomUUID();
    try {
      await this.processor.submit(auctionId, {
        causationId: `createAuction:${identity.userId}`,
        decide: (state, at) => ({
          events: state ? [] : creationEvents({ ...data, listingId: listing.id, sellerId: listing.ownerId }, auctionId, at),
          result: null,
        }),
      });
    } catch (err) {
      // The partial unique index: another createAuction on this listing committed first.
      if (!isUniqueViolation(err)) throw err;
      const winner = await this.read.liveForListing(listing.id);
      if (winner) return { kind: 'ALREADY_AUCTIONED', auction: await this.require(winner) };
      throw err;
    }
    return { kind: 'CREATED', auction: await this.require(auctionId) };
  }

  async cancel(ctx: AuctionCaller, auctionId: string): Promise<CancelAuctionResult> {
    const identity = requireUser(ctx);
    const current = isUuid(auctionId) ? await this.visibleTo(ctx, (await this.read.findByIds([auctionId.toLowerCase()]))[0] ?? null) : null;
    if (!current) throw new NotFoundError('Auction', auctionId);
    const isAdmin = identity.role === 'ADMIN';
    if (!isAdmin && identity.userId !== current.sellerId) throw new ForbiddenError("Only the auction's seller or an admin can cancel it.");
    // An admin cancels with an admin's power, even their own auction.
    const reason: CancelReason = isAdmin ? 'ADMIN' : 'SELLER';
    const outcome = await this.submit(current.id, {
      causationId: `cancelAuction:${identity.userId}`,
      decide: (state, now) => {
        if (!state) return { events: [], result: { ok: false as const, reason: 'ALREADY_ENDED' as const } };
        const decision = decideCancel(state, { reason, byUserId: identity.userId }, now);
        return { events: decision.events, result: decision.ok ? { ok: true as const } : { ok: false as const, reason: decision.reason } };
      },
    });
    const auction = await this.require(current.id);
    return outcome.ok ? { kind: 'CANCELLED', auction } : { kind: 'NOT_CANCELLABLE', reason: outcome.reason, auction };
  }

  /**
   * Decided within the bound: BidAccepted or BidRejected. Otherwise BidPending, and the decision
   * follows on `bidDecided` (and in `bidDecision`). Retrying with the same key answers the same.
   */
  async placeBid(ctx: AuctionCaller, args: { auctionId: string; amount: string; idempotencyKey: string }): Promise<PlaceBidResult> {
    const identity = requireUser(ctx);
    const key = args.idempotencyKey;
    if (key.length < 1 || key.length > 100)
      throw new BadUserInputError('idempotencyKey must be 1 to 100 characters.', { idempotencyKey: ['must be 1 to 100 characters'] });
    const commandId = randomUUID();
    const notFound = (): StoredBidResult => ({
      kind: 'REJECTED',
      commandId,
      auctionId: args.auctionId,
      reason: 'AUCTION_NOT_FOUND',
      minimumMinor: null,
      currency: null,
    });
    if (!isUuid(args.auctionId)) return notFound();
    const auctionId = args.auctionId.toLowerCase();
    const state = await this.processor.current(auctionId);
    if (!state || !(await this.visibleTo(ctx, auctionView(state)))) return notFound();
    const amountMinor = parseBidAmount(args.amount, state.currency);
    const flightKey = `${identity.userId}:${key}`;
    // A retry racing the first attempt in this process follows the same decision (registered before
    // any await, so two concurrent calls cannot both start one); across processes the stored key
    // decides (see decideBid's prepare).
    let entry = this.inFlight.get(flightKey);
    if (!entry) {
      const lookup = this.commands.byKey(identity.userId, key);
      // Only a new bid counts against the bidder's limit: a retry of a decided key is answered from the store.
      const decision = lookup.then(async (stored) => {
        if (stored) return stored;
        await this.settings.countBid(identity.userId);
        return this.decideBid(identity.userId, key, commandId, auctionId, amountMinor);
      });
      const created = { lookup, decision, commandId };
      entry = created;
      this.inFlight.set(flightKey, created);
      const forget = () => this.inFlight.delete(flightKey);
      decision.then(forget, forget);
      // A decision slower than the bound was answered BidPending: the bidder hears it on bidDecided.
      void lookup
        .then(
          async (stored) => {
            if (stored || (await this.waitOrPending(decision, commandId)).kind !== 'PENDING') return;
            decision.then(
              (result) => this.live.decided(identity.userId, result),
              (err: unknown) =>
                this.logger.error({ err, commandId, auctionId }, 'pending bid failed; the bidder may retry with the same key'),
            );
            // A decision that failed within the bound (RATE_LIMITED, say) reached the caller as that error.
          },
          () => undefined,
        )
        .catch(() => undefined);
    }
    const stored = await entry.lookup;
    if (stored) {
      if (stored.auctionId !== auctionId) {
        throw new BadUserInputError('This idempotencyKey was already used for a bid in another auction.', {
          idempotencyKey: ['was used for another auction'],
        });
      }
      return stored;
    }
    return this.waitOrPending(entry.decision, entry.commandId);
  }

  /**
   * The decision if it comes within the bound, else BidPending naming the command the decision will
   * carry (a retry of a stored key is answered from the store, never pending).
   */
  private async waitOrPending(decision: Promise<StoredBidResult>, commandId: string): Promise<PlaceBidResult> {
    let timer: NodeJS.Timeout | undefined;
    const pending = new Promise<'PENDING'>((resolve) => {
      timer = setTimeout(() => resolve('PENDING'), this.settings.decisionWaitMs);
    });
    try {
      const first = await Promise.race([decision, pending]);
      return first === 'PENDING' ? { kind: 'PENDING', commandId } : first;
    } finally {
      clearTimeout(timer);
    }
  }

  private async decideBid(
    bidderId: string,
    key: string,
    commandId: string,
    auctionId: string,
    amountMinor: number,
  ): Promise<StoredBidResult> {
    const bidId = randomUUID();
    let storedElsewhere: StoredBidResult | null = null;
    return this.submit(auctionId, {
      causationId: commandId,
      // After a conflict: another replica may have decided this key meanwhile.
      prepare: async () => {
        storedElsewhere = await this.commands.byKey(bidderId, key);
      },
      decide: (state: AuctionState | null, now: number) => {
        if (storedElsewhere) return { events: [], result: storedElsewhere };
        if (!state)
          return {
            events: [],
            result: {
              kind: 'REJECTED',
              commandId,
              auctionId,
              reason: 'AUCTION_NOT_FOUND',
              minimumMinor: null,
              currency: null,
            } as StoredBidResult,
          };
        const d = decideBid(state, { bidId, bidderId, amountMinor }, now);
        const result: StoredBidResult = d.accepted
          ? { kind: 'ACCEPTED', commandId, auctionId, bidId }
          : { kind: 'REJECTED', commandId, auctionId, reason: d.reason, minimumMinor: d.minimumMinor, currency: state.currency };
        return { events: d.events, result };
      },
      commandRow: (result) => (result === storedElsewhere ? null : { bidderId, idempotencyKey: key, result }),
    });
  }

  /** Its bidder takes a live bid back while the auction is open. */
  async retractBid(ctx: AuctionCaller, bidId: string): Promise<RetractBidResult> {
    const identity = requireUser(ctx);
    const bid = isUuid(bidId) ? await this.read.bidById(bidId.toLowerCase()) : null;
    if (!bid) throw new NotFoundError('Bid', bidId);
    const outcome = await this.retract(bid.auctionId, bid.id, identity.userId, false);
    if (outcome !== 'RETRACTED') {
      if (outcome === 'BID_NOT_FOUND') throw new NotFoundError('Bid', bidId);
      return { kind: 'NOT_RETRACTABLE', reason: outcome };
    }
    const [after, auction] = await Promise.all([this.read.bidById(bid.id), this.require(bid.auctionId)]);
    return { kind: 'RETRACTED', bid: after as BidView, auction };
  }

  /** Retracts a bid (for its bidder, or as the system for a deleted account). */
  async retract(auctionId: string, bidId: string, byUserId: string | null, asSystem: boolean): Promise<'RETRACTED' | RetractRejection> {
    return this.submit(auctionId, {
      causationId: asSystem ? `accountDeleted:${byUserId ?? ''}` : `retractBid:${byUserId ?? ''}`,
      decide: (state, now) => {
        if (!state) return { events: [], result: 'BID_NOT_FOUND' as const };
        const d = decideRetract(state, { bidId, byUserId, asSystem }, now);
        return { events: d.events, result: d.ok ? ('RETRACTED' as const) : d.reason };
      },
    });
  }

  /** Cancels an auction for a reason from elsewhere (listing or seller deleted); false when it had ended. */
  async cancelBySystem(
    auctionId: string,
    reason: Extract<CancelReason, 'LISTING_DELETED' | 'SELLER_DELETED'>,
    causationId: string,
  ): Promise<boolean> {
    return this.submit(auctionId, {
      causationId,
      decide: (state, now) => {
        if (!state) return { events: [], result: false };
        const d = decideCancel(state, { reason, byUserId: null }, now);
        return { events: d.events, result: d.ok };
      },
    });
  }

  async get(ctx: AuctionCaller, id: string): Promise<AuctionView | null> {
    if (!isUuid(id)) return null;
    const [auction] = await this.read.findByIds([id.toLowerCase()]);
    return this.visibleTo(ctx, auction ?? null);
  }

  async page(args: { status?: AuctionStatus | null; first?: number | null; after?: string | null }) {
    const first = args.first ?? 20;
    if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
      throw new BadUserInputError(`first must be between 0 and ${MAX_PAGE_SIZE}.`, { first: [`must be between 0 and ${MAX_PAGE_SIZE}`] });
    }
    const after = args.after ? decodeAuctionCursor(args.after) : null;
    const rows = await this.read.page(args.status ?? null, after, first + 1);
    const edges = rows.slice(0, first).map((node) => ({ cursor: encodeAuctionCursor(node), node }));
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

  /** The caller's answer to one of their commands, or null while pending. */
  async decision(ctx: AuthContext, commandId: string): Promise<StoredBidResult | null> {
    const identity = requireUser(ctx);
    return isUuid(commandId) ? this.commands.byId(commandId.toLowerCase(), identity.userId) : null;
  }

  private async submit<R>(auctionId: string, command: AuctionCommand<R>): Promise<R> {
    try {
      return await this.processor.submit<R>(auctionId, command);
    } catch (err) {
      if (err instanceof AuctionBusyError) throw new RateLimitedError(1, 'commands waiting on this auction');
      throw err;
    }
  }

  private async require(auctionId: string): Promise<AuctionView> {
    const [auction] = await this.read.findByIds([auctionId]);
    if (!auction) throw new NotFoundError('Auction', auctionId);
    return auction;
  }
}

/** A bid's amount in the auction's currency, or a BAD_USER_INPUT that says what is wrong with it. */
export function parseBidAmount(amount: string, currency: string): number {
  const parsed = parseAmountOrThrow('amount', amount, currency);
  if (parsed <= 0) throw new BadUserInputError('amount must be more than 0.', { amount: ['must be more than 0'] });
  return parsed;
}

export function parseAmountOrThrow(field: string, text: string, currency: string): number {
  const parsed = parseAmount(text, currency);
  if ('minor' in parsed) return parsed.minor;
  const detail =
    parsed.problem === 'TOO_MANY_DECIMALS'
      ? `has more than ${currencyDecimals(currency)} decimals (${currency})`
      : MONEY_PROBLEM_TEXT[parsed.problem];
  throw new BadUserInputError(`${field} ${detail}.`, { [field]: [detail] });
}

export function encodeAuctionCursor(a: Pick<AuctionView, 'status' | 'endsAt' | 'id'>): string {
  const rank = a.status === 'OPEN' ? 0 : a.status === 'SCHEDULED' ? 1 : 2;
  return encodeCursor([rank, a.endsAt.toISOString(), a.id]);
}

export function decodeAuctionCursor(cursor: string): AuctionCursor {
  return decodeCursor(
    cursor,
    (content) => {
      const [rank, endsAt, id] = content as [unknown, unknown, unknown];
      return typeof rank === 'number' &&
        typeof endsAt === 'string' &&
        typeof id === 'string' &&
        isUuid(id) &&
        !Number.isNaN(Date.parse(endsAt))
        ? { rank, endsAt: new Date(endsAt), id }
        : undefined;
    },
    { message: 'after is not a cursor from this list.', problem: 'is not a cursor from this list' },
  );
}
