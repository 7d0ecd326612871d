import { NotFoundError } from '@market/platform';
import type { QueryResolvers } from '../generated/graphql';

/** Root fields by id answer null for what is unknown or not the caller's (gateway/CLIENTS.md, "Unknown ids"). */
const orNull = <T>(found: Promise<T>): Promise<T | null> =>
  found.catch((err: unknown) => {
    if (err instanceof NotFoundError) return null;
    throw err;
  });

export const Query: QueryResolvers = {
  stay: (_parent, { id }, ctx) => orNull(ctx.stays.get(ctx, id)),
  viewing: (_parent, { id }, ctx) => orNull(ctx.viewings.get(ctx, id)),
  myStays: (_parent, _args, ctx) => ctx.stays.mine(ctx),
  myViewings: (_parent, _args, ctx) => ctx.viewings.mine(ctx),
  cancellationQuote: (_parent, { stayId }, ctx) => ctx.stays.quote(ctx, stayId),
  availability: (_parent, args, ctx) => ctx.calendar.availability(ctx, args),
  availableListings: (_parent, args, ctx) => ctx.calendar.availableListings(args),
};
