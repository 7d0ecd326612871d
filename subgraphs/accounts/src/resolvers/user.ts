import type { UserResolvers } from '../generated/graphql';
import type { Context } from '../context';
import type { UserRecord } from '../domain';

/** E-mail, phone, status and verification are the user's own business, and admins'. */
const canSeePrivate = (user: UserRecord, ctx: Context) =>
  ctx.identity !== null && (ctx.identity.userId === user.id || ctx.identity.role === 'ADMIN');

export const User: UserResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.userById.load(ref.id),
  email: (user, _args, ctx) => (canSeePrivate(user, ctx) ? user.email : null),
  phone: (user, _args, ctx) => (canSeePrivate(user, ctx) ? user.phone : null),
  status: (user, _args, ctx) => (canSeePrivate(user, ctx) ? user.status : null),
  emailVerified: (user, _args, ctx) => (canSeePrivate(user, ctx) ? user.emailVerifiedAt !== null : null),
  followerCount: (user, _args, ctx) => ctx.loaders.followerCount.load(user.id),
};
