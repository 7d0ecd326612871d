import { NotFoundError } from '@market/platform';
import type { ContactResolvers } from '../generated/graphql';
import type { Context } from '../context';

async function user(ctx: Context, id: string) {
  const found = await ctx.loaders.userById.load(id);
  if (!found) throw new NotFoundError('User', id);
  return found;
}

/** Contacts are only ever handed to one of their two users, so both sides may be shown. */
export const Contact: ContactResolvers = {
  requester: (connection, _args, ctx) => user(ctx, connection.requesterId),
  addressee: (connection, _args, ctx) => user(ctx, connection.addresseeId),
  user: (connection, _args, ctx) =>
    user(ctx, ctx.identity?.userId === connection.requesterId ? connection.addresseeId : connection.requesterId),
};
