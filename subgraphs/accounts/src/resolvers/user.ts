import type { UserResolvers } from '../generated/graphql';
import type { Context } from '../context';
import type { UserRecord } from '../domain';

const canSeePrivate = (user: UserRecord, ctx: Context) =>
  ctx.identity !== null && (ctx.identity.userId === user.id || ctx.identity.role === 'ADMIN');

export const User: UserResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.userById.load(ref.id),
  email: (user, _args, ctx) => (canSeePrivate(user, ctx) ? user.email : null),
  phone: (user, _args, ctx) => (canSeePrivate(user, ctx) ? user.phone : null),
};
