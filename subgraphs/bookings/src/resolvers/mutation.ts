import type { ViewingRecord } from '../domain';
import type { MutationResolvers, TimeUnavailable } from '../generated/graphql';
import type { ViewingOutcome } from '../services/viewing-service';

const TIME_UNAVAILABLE_MESSAGES = {
  slotTaken: 'Another buyer holds this slot: choose another one.',
  agentBusy: 'The agent has another confirmed viewing at that time: choose another time.',
} as const;

type ViewingResult = (ViewingRecord & { __typename: 'ViewingAppointment' }) | (TimeUnavailable & { __typename: 'TimeUnavailable' });

function viewingResult(outcome: ViewingOutcome): ViewingResult {
  if (outcome.kind === 'viewing') return { __typename: 'ViewingAppointment', ...outcome.viewing };
  return {
    __typename: 'TimeUnavailable',
    listingId: outcome.listingId,
    startsAt: outcome.startsAt,
    endsAt: outcome.endsAt,
    message: TIME_UNAVAILABLE_MESSAGES[outcome.reason],
  };
}

export const Mutation: MutationResolvers = {
  bookStay: async (_parent, { input, idempotencyKey }, ctx) => {
    const outcome = await ctx.stays.book(ctx, input, idempotencyKey);
    switch (outcome.kind) {
      case 'booked':
        return { __typename: 'Stay', ...outcome.stay };
      case 'datesUnavailable':
        return {
          __typename: 'DatesUnavailable',
          listingId: outcome.listingId,
          checkIn: outcome.checkIn,
          checkOut: outcome.checkOut,
          message: 'These dates overlap a stay or blocked nights at this property: choose other dates.',
        };
      case 'listingUnavailable':
        return { __typename: 'ListingUnavailable', listingId: outcome.listingId, message: 'Property not found or not available' };
      case 'tooManyPendingRequests':
        return {
          __typename: 'TooManyPendingRequests',
          limit: outcome.limit,
          message: `You already have ${outcome.limit} stay requests waiting for hosts' answers: wait for one to be answered, or cancel one, before requesting another.`,
        };
    }
  },
  confirmStay: (_parent, { id, idempotencyKey }, ctx) => ctx.stays.confirm(ctx, id, idempotencyKey),
  declineStay: (_parent, { id, idempotencyKey }, ctx) => ctx.stays.decline(ctx, id, idempotencyKey),
  cancelStay: (_parent, { id, idempotencyKey }, ctx) => ctx.stays.cancel(ctx, id, idempotencyKey),
  completeStay: (_parent, { id }, ctx) => ctx.stays.complete(ctx, id),

  blockDates: async (_parent, args, ctx) => {
    const outcome = await ctx.calendar.block(ctx, args);
    if (outcome.kind === 'blocked') return { __typename: 'CalendarBlock', ...outcome.block };
    return {
      __typename: 'DatesUnavailable',
      listingId: outcome.listingId,
      checkIn: outcome.from,
      checkOut: outcome.to,
      message: 'A stay holds some of these nights: they cannot be blocked.',
    };
  },
  unblockDates: (_parent, args, ctx) => ctx.calendar.unblock(ctx, args),

  publishViewingSlots: (_parent, { listingId, slots }, ctx) => ctx.viewings.publishSlots(ctx, { listingId, slots }),
  requestViewing: async (_parent, { input, idempotencyKey }, ctx) => viewingResult(await ctx.viewings.request(ctx, input, idempotencyKey)),
  confirmViewing: async (_parent, { id, idempotencyKey }, ctx) => viewingResult(await ctx.viewings.confirm(ctx, id, idempotencyKey)),
  rescheduleViewing: async (_parent, { id, startsAt, endsAt, idempotencyKey }, ctx) =>
    viewingResult(await ctx.viewings.reschedule(ctx, id, { startsAt, endsAt }, idempotencyKey)),
  cancelViewing: (_parent, { id, idempotencyKey }, ctx) => ctx.viewings.cancel(ctx, id, idempotencyKey),
};
