import { z } from 'zod';
import { PermanentEventError } from './failures';

/**
 * The events that cross domains: one versioned, validated contract per type. Producers validate
 * before writing to their outbox; consumers validate again before handling (a version they do not
 * know, or a payload that does not parse, goes to dead letters).
 */
const id = z.string().min(1);

/** A stay as bookings reports it: dates are YYYY-MM-DD at the listing, money exact decimal strings. */
const bookingStay = z.object({
  stayId: id,
  listingId: id,
  listingTitle: z.string(),
  hostId: id,
  guestId: id,
  checkIn: z.string(),
  checkOut: z.string(),
  nights: z.number().int(),
  guests: z.number().int(),
  totalPrice: z.string(),
  currency: z.string().length(3),
});

/** A viewing as bookings reports it: times are ISO-8601 instants. */
const bookingViewing = z.object({
  viewingId: id,
  listingId: id,
  listingTitle: z.string(),
  buyerId: id,
  agentId: id,
  startsAt: z.string(),
  endsAt: z.string(),
});

/**
 * One lifecycle transition of an instance, as instances reports it: the status it reached and the one
 * it left (null for a new instance), with what a notification needs to name it.
 */
const instanceStatus = z.enum(['REQUESTED', 'STARTING', 'RUNNING', 'STOPPING', 'STOPPED', 'FAILED', 'REMOVED', 'UNHEALTHY']);
const instanceTransition = z.object({
  instanceId: id,
  ownerId: id,
  machineId: id,
  machineName: z.string(),
  status: instanceStatus,
  previousStatus: instanceStatus.nullable(),
  host: z.string(),
  port: z.number().int(),
  /** Set when status is FAILED. */
  failureReason: z.string().nullable(),
  /** The workload's exit code, once it has exited (null when unknown). */
  exitCode: z.number().int().nullable(),
});

/** A post, comment or feedback that moderation decided about. */
const moderationTarget = z.object({
  targetType: z.enum(['POST', 'COMMENT', 'FEEDBACK']),
  /** Null for a new text that was rejected: it was never stored. */
  targetId: id.nullable(),
  /** The post a comment or feedback belongs to (the post itself for a post; null when never stored or not on a post). */
  postId: id.nullable(),
  authorId: id,
});
/**
 * What every auction event carries, so a notifier needs no other read: amounts are exact decimal
 * strings in `currency`, people are ids only (names come from accounts through federation).
 * `seq` is the event's number in the auction's own log (consumers keep the highest per auction).
 */
const auctionBase = z.object({
  auctionId: id,
  listingId: id,
  sellerId: id,
  currency: z.string().length(3),
  seq: z.number().int().min(1),
});
const amount = z.string();

export const eventContracts = {
  'accounts.user.registered': {
    version: 1,
    /** `email` (optional, newer producers send it): where messaging mails the user's notifications. */
    payload: z.object({
      userId: id,
      name: z.string(),
      role: z.enum(['BUYER', 'SELLER', 'AGENT', 'HOST', 'ADMIN']),
      email: z.string().optional(),
    }),
  },
  'accounts.user.deleted': {
    version: 1,
    payload: z.object({ userId: id }),
  },
  /**
   * The user's record changed (profile, role or status). Names the user, and (optional, for
   * consumers that keep a copy: messaging addresses notifications by role) the new name, role or
   * status when that is what changed; read the user through federation for anything else.
   */
  'accounts.user.updated': {
    version: 1,
    payload: z.object({
      userId: id,
      name: z.string().optional(),
      role: z.enum(['BUYER', 'SELLER', 'AGENT', 'HOST', 'ADMIN']).optional(),
      status: z.enum(['ACTIVE', 'SUSPENDED']).optional(),
    }),
  },
  /** Connection events: the two users, in the roles they had (requester asked, addressee was asked). */
  'accounts.connection.requested': {
    version: 1,
    payload: z.object({ connectionId: id, requesterId: id, addresseeId: id }),
  },
  'accounts.connection.accepted': {
    version: 1,
    payload: z.object({ connectionId: id, requesterId: id, addresseeId: id }),
  },
  'accounts.connection.declined': {
    version: 1,
    payload: z.object({ connectionId: id, requesterId: id, addresseeId: id }),
  },
  /** An accepted connection ended, or a pending request was withdrawn; `removedBy` is one of the two. */
  'accounts.connection.removed': {
    version: 1,
    payload: z.object({ connectionId: id, requesterId: id, addresseeId: id, removedBy: id }),
  },
  'accounts.user.followed': {
    version: 1,
    payload: z.object({ followerId: id, followeeId: id }),
  },
  'accounts.user.unfollowed': {
    version: 1,
    payload: z.object({ followerId: id, followeeId: id }),
  },
  'listings.listing.upserted': {
    version: 1,
    payload: z.object({
      listingId: id,
      ownerId: id,
      title: z.string(),
      kind: z.enum(['SALE', 'RENT']),
      status: z.string(),
      /** Decimal strings keep money exact. */
      price: z.string().nullable(),
      pricePerNight: z.string().nullable(),
      currency: z.string().length(3),
      maxGuests: z.number().int().nullable(),
      timeZone: z.string(),
      /** Rental terms; optional so events written before they existed still parse (same version). */
      cleaningFee: z.string().nullable().optional(),
      minNights: z.number().int().nullable().optional(),
      maxNights: z.number().int().nullable().optional(),
      instantBook: z.boolean().optional(),
      /** Percent off the nightly subtotal from 7 (weekly) and 28 (monthly) nights. */
      weeklyDiscountPercent: z.number().int().min(0).max(100).nullable().optional(),
      monthlyDiscountPercent: z.number().int().min(0).max(100).nullable().optional(),
      /** Absent means MODERATE. */
      cancellationPolicy: z.enum(['FLEXIBLE', 'MODERATE', 'STRICT']).optional(),
      /**
       * What the property offers (listings' Amenity values), its living area in m² and its
       * neighbourhood; optional so events written before they existed still parse (same version).
       */
      amenities: z.array(z.string().max(40)).max(40).optional(),
      areaSqm: z.number().int().positive().nullable().optional(),
      neighbourhood: z.string().nullable().optional(),
      /**
       * Where the listing is (its address's city and ISO 3166-1 alpha-2 country), for reports per
       * city (the analytics export); optional so events written before they existed still parse.
       */
      city: z.string().optional(),
      country: z.string().length(2).optional(),
      /**
       * The listing's version after this change (1 when created, one more with every update):
       * consumers keep the highest, so the order of a listing's events does not depend on clocks.
       * Optional so events written before it existed still parse (same version); without it,
       * consumers fall back to `occurredAt`.
       */
      version: z.number().int().min(1).optional(),
    }),
  },
  'listings.listing.deleted': {
    version: 1,
    payload: z.object({
      listingId: id,
      ownerId: id,
      /**
       * The listing's version after this change: its version when deleted plus one, as in its last
       * `listingUpdated` event. Consumers keep the highest; optional like the upsert's.
       */
      version: z.number().int().min(1).optional(),
    }),
  },
  /** A listing was put up for auction (listings' auctions module; one Kafka topic `listings.auction`, keyed by auction id). */
  'listings.auction.created': {
    version: 1,
    payload: auctionBase.extend({
      rule: z.enum(['ASCENDING', 'OWN_BEST']),
      startsAt: z.string(),
      endsAt: z.string(),
      startingPrice: amount,
      hasReserve: z.boolean(),
    }),
  },
  'listings.auction.opened': { version: 1, payload: auctionBase },
  /**
   * An accepted bid. `previousLeaderId`/`previousHighest`: who led before (the one to tell "you were
   * outbid" when it is not the bidder); `endsAt` is the end after any soft-close extension.
   */
  'listings.auction.bidPlaced': {
    version: 1,
    payload: auctionBase.extend({
      bidId: id,
      bidderId: id,
      amount,
      previousLeaderId: id.nullable(),
      previousHighest: amount.nullable(),
      leaderId: id,
      highest: amount,
      endsAt: z.string(),
      extended: z.boolean(),
    }),
  },
  /** A bid taken back (by its bidder, or with their deleted account); `leaderId`/`highest` after it. */
  'listings.auction.bidRetracted': {
    version: 1,
    payload: auctionBase.extend({
      bidId: id,
      bidderId: id,
      amount,
      leaderId: id.nullable(),
      highest: amount.nullable(),
    }),
  },
  /** The promoter doubled a bid for its bidder; the draw is in the auction's log. */
  'listings.auction.bidDoubled': {
    version: 1,
    payload: auctionBase.extend({
      bidId: id,
      bidderId: id,
      from: amount,
      to: amount,
      previousLeaderId: id.nullable(),
      previousHighest: amount.nullable(),
      leaderId: id,
      highest: amount,
    }),
  },
  /**
   * The auction ended at its end time. `winnerId`/`winningAmount` when outcome = WON; `bidderIds`:
   * everyone who bid (for "you lost"); `highestBidderId`: who led when the reserve was not met.
   */
  'listings.auction.closed': {
    version: 1,
    payload: auctionBase.extend({
      outcome: z.enum(['WON', 'RESERVE_NOT_MET', 'NO_BIDS']),
      winnerId: id.nullable(),
      winningAmount: amount.nullable(),
      highestBidderId: id.nullable(),
      highest: amount.nullable(),
      bidderIds: z.array(id),
    }),
  },
  'listings.auction.cancelled': {
    version: 1,
    payload: auctionBase.extend({
      reason: z.enum(['SELLER', 'ADMIN', 'LISTING_DELETED', 'SELLER_DELETED']),
      bidderIds: z.array(id),
    }),
  },
  /**
   * A new or changed ACTIVE listing matched a user's saved search whose alert is INSTANT: at most one
   * per (search, listing), ever. For the owner's notification (messaging will consume it). Kafka
   * topic `listings.saved-search`, keyed by saved search id.
   */
  'listings.saved-search.matched': {
    version: 1,
    payload: z.object({ savedSearchId: id, userId: id, searchName: z.string().nullable(), listingId: id, listingTitle: z.string() }),
  },
  /** Once a day per DAILY saved search with new matches: the listings matched since the last digest (at most 50 named). */
  'listings.saved-search.digest': {
    version: 1,
    payload: z.object({
      savedSearchId: id,
      userId: id,
      searchName: z.string().nullable(),
      matchCount: z.number().int().min(1),
      listings: z.array(z.object({ listingId: id, title: z.string() })).max(50),
    }),
  },
  'bookings.stay.requested': { version: 1, payload: bookingStay },
  /** `instantBook`: confirmed at booking, without the host. */
  'bookings.stay.confirmed': { version: 1, payload: bookingStay.extend({ instantBook: z.boolean() }) },
  /**
   * `reason`: HOST when the host declined, EXPIRED when nobody answered the request in time (absent in
   * events written before expiry existed: read as HOST).
   */
  'bookings.stay.declined': { version: 1, payload: bookingStay.extend({ reason: z.enum(['HOST', 'EXPIRED']).optional() }) },
  'bookings.stay.cancelled': { version: 1, payload: bookingStay.extend({ cancelledBy: id, refundAmount: z.string() }) },
  /** The host marked the stay completed (from its check-out day on): guest and host may now review each other. */
  'bookings.stay.completed': { version: 1, payload: bookingStay },
  'bookings.viewing.requested': { version: 1, payload: bookingViewing },
  /** `rescheduled`: the agent moved an appointment to new times (which they thereby confirm). */
  'bookings.viewing.confirmed': { version: 1, payload: bookingViewing.extend({ rescheduled: z.boolean() }) },
  'bookings.viewing.cancelled': { version: 1, payload: bookingViewing.extend({ cancelledBy: id }) },
  /** Sent `minutesBefore` the start of a confirmed viewing (1440 and 60 by default). */
  'bookings.viewing.reminder': { version: 1, payload: bookingViewing.extend({ minutesBefore: z.number().int() }) },
  /**
   * A moderation decision about a post or comment, for its author's notification: held for review
   * (by the moderator or by reports), rejected when written or edited, or decided by an admin
   * (PUBLISHED after approval, REMOVED). Texts published on the spot are no decision and send none.
   * `decidedBy`: MODERATOR (rules and classifier), REPORTS (enough distinct users reported it) or
   * ADMIN (`adminId` set); `reasons` are worded for the author.
   */
  'engagement.moderation.decided': {
    version: 1,
    payload: moderationTarget.extend({
      caseId: id.nullable(),
      status: z.enum(['PUBLISHED', 'HELD', 'REJECTED', 'REMOVED']),
      decidedBy: z.enum(['MODERATOR', 'REPORTS', 'ADMIN']),
      adminId: id.nullable(),
      reasons: z.array(z.string()),
    }),
  },
  /** The author appealed a hold or a removal: the item is back in the admin queue. */
  'engagement.moderation.appealed': {
    version: 1,
    payload: moderationTarget.extend({ caseId: id, appeal: z.string() }),
  },
  /**
   * A message was sent to a conversation: for its members' MESSAGE notifications (messaging itself
   * consumes it, off the send path). `recipientIds` are the members other than the sender when it
   * was sent; `preview` is the start of the text.
   */
  'messaging.message.sent': {
    version: 1,
    payload: z.object({
      messageId: id,
      conversationId: id,
      senderId: id,
      recipientIds: z.array(id),
      preview: z.string(),
      conversationTitle: z.string().nullable(),
      sentAt: z.string(),
    }),
  },
  /** A machine was added to the catalog (or changed): engagement learns what can be commented on. */
  'instances.machine.upserted': { version: 1, payload: z.object({ machineId: id, name: z.string() }) },
  /** A machine left the catalog: its comments, reactions and feedback go. */
  'instances.machine.deleted': { version: 1, payload: z.object({ machineId: id }) },
  /** Every transition of an instance is one of these, named after the status it reached. */
  'instances.instance.requested': { version: 1, payload: instanceTransition },
  'instances.instance.starting': { version: 1, payload: instanceTransition },
  'instances.instance.running': { version: 1, payload: instanceTransition },
  'instances.instance.stopping': { version: 1, payload: instanceTransition },
  'instances.instance.stopped': { version: 1, payload: instanceTransition },
  'instances.instance.failed': { version: 1, payload: instanceTransition },
  'instances.instance.removed': { version: 1, payload: instanceTransition },
  /** A RUNNING instance's health check failed (failureReason says how); for the owner's notification. */
  'instances.instance.unhealthy': { version: 1, payload: instanceTransition },
} as const;

export type EventType = keyof typeof eventContracts;
export type EventPayload<T extends EventType> = z.infer<(typeof eventContracts)[T]['payload']>;

/** What travels on the bus. */
export interface EventEnvelope<T extends EventType = EventType> {
  id: string;
  type: T;
  version: number;
  /** The entity whose events must stay ordered (the Kafka message key). */
  aggregateId: string;
  occurredAt: string;
  payload: EventPayload<T>;
  /** W3C traceparent of the work that wrote the event (absent when tracing is off); not part of the contract. */
  traceContext?: string;
}

/** An event that breaks its contract: no retry can fix it, so it goes straight to dead letters. */
export class InvalidEventError extends PermanentEventError {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEventError';
  }
}

export function validateEvent(raw: unknown): EventEnvelope {
  const envelope = raw as Partial<EventEnvelope> | null;
  if (!envelope || typeof envelope !== 'object' || typeof envelope.type !== 'string' || typeof envelope.id !== 'string') {
    throw new InvalidEventError('not an event envelope');
  }
  const contract = eventContracts[envelope.type as EventType];
  if (!contract) throw new InvalidEventError(`unknown event type ${envelope.type}`);
  if (envelope.version !== contract.version) {
    throw new InvalidEventError(`${envelope.type} version ${String(envelope.version)} is not ${contract.version}`);
  }
  const parsed = contract.payload.safeParse(envelope.payload);
  if (!parsed.success)
    throw new InvalidEventError(`${envelope.type}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return { ...(envelope as EventEnvelope), payload: parsed.data };
}
