import { z } from 'zod';
import { defineTopic } from '@market/platform';
import { AUCTION_OUTCOMES, AUCTION_STATUSES, BIDDING_RULES, CANCEL_REASONS } from '../rules/events';
import { BID_REJECTION_REASONS } from '../rules/commands';

/**
 * Live auction topics (pub/sub, at-most-once, published after the commit). Cursors: the auction's
 * `version` (its last event's seq) for `auctionUpdated`, `<auctionId>:<seq>` for `myAuctionActivity`.
 */
const bid = z.object({
  id: z.string(),
  auctionId: z.string(),
  bidderId: z.string(),
  amountMinor: z.number().int(),
  doubledFromMinor: z.number().int().nullable(),
  status: z.enum(['LIVE', 'RETRACTED']),
  seq: z.number().int(),
  placedAt: z.coerce.date(),
  retractedAt: z.coerce.date().nullable(),
  currency: z.string(),
});

export const auctionViewSchema = z.object({
  id: z.string(),
  listingId: z.string(),
  sellerId: z.string(),
  status: z.enum(AUCTION_STATUSES),
  rule: z.enum(BIDDING_RULES),
  currency: z.string(),
  startingMinor: z.number().int(),
  incrementMinor: z.number().int(),
  reserveMinor: z.number().int().nullable(),
  startsAt: z.coerce.date(),
  endsAt: z.coerce.date(),
  originalEndsAt: z.coerce.date(),
  softCloseSeconds: z.number().int(),
  promoterEnabled: z.boolean(),
  highestBid: bid.nullable(),
  bidCount: z.number().int(),
  outcome: z.enum(AUCTION_OUTCOMES).nullable(),
  winnerId: z.string().nullable(),
  winningMinor: z.number().int().nullable(),
  cancelReason: z.enum(CANCEL_REASONS).nullable(),
  version: z.number().int(),
  createdAt: z.coerce.date(),
  updatedAt: z.coerce.date(),
});

export const auctionUpdatedTopic = defineTopic('listings.auctionUpdated', auctionViewSchema);

/** The stored answer of a bid command (as in `auction_commands.result`). */
export const bidResultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ACCEPTED'), commandId: z.string(), auctionId: z.string(), bidId: z.string() }),
  z.object({
    kind: z.literal('REJECTED'),
    commandId: z.string(),
    auctionId: z.string(),
    reason: z.enum(BID_REJECTION_REASONS),
    minimumMinor: z.number().int().nullable(),
    currency: z.string().nullable(),
  }),
]);
export type StoredBidResult = z.infer<typeof bidResultSchema>;

/** Keyed by `<bidderId>:<commandId>`: only the bidder's own subscription listens there. */
export const bidDecidedTopic = defineTopic('listings.bidDecided', bidResultSchema);

export const ACTIVITY_KINDS = ['BID_ACCEPTED', 'OUTBID', 'DOUBLED', 'WON', 'LOST', 'RESERVE_NOT_MET', 'CANCELLED'] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

/** Keyed by the user it concerns. */
export const myAuctionActivityTopic = defineTopic(
  'listings.myAuctionActivity',
  z.object({ kind: z.enum(ACTIVITY_KINDS), auction: auctionViewSchema, amountMinor: z.number().int().nullable() }),
);
