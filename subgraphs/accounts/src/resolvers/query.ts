import type { QueryResolvers } from '../generated/graphql';
import type { Context } from '../context';
import type { UserRecord } from '../domain';

async function usersByIds(ctx: Context, ids: string[]): Promise<UserRecord[]> {
  const users = await ctx.loaders.userById.loadMany(ids);
  return users.filter((u): u is UserRecord => u !== null && !(u instanceof Error));
}

export const Query: QueryResolvers = {
  me: (_parent, _args, ctx) => (ctx.identity ? ctx.loaders.userById.load(ctx.identity.userId) : null),
  user: (_parent, { id }, ctx) => ctx.loaders.userById.load(id),
  emailAvailable: (_parent, { email }, ctx) => ctx.auth.emailAvailable(email, ctx.client),
  devOutbox: (_parent, { email }, ctx) => ctx.devOutbox.messagesFor(email, ctx.client),
  mySessions: (_parent, _args, ctx) => ctx.sessions.mine(ctx),
  users: (_parent, args, ctx) => ctx.admin.users(ctx, args),
  myConnections: (_parent, _args, ctx) => ctx.social.connections(ctx),
  myConnectionRequests: (_parent, { direction }, ctx) => ctx.social.requests(ctx, direction ?? 'INCOMING'),
  mutualConnections: async (_parent, { userId }, ctx) => usersByIds(ctx, await ctx.social.mutual(ctx, userId)),
  myFollowing: async (_parent, _args, ctx) => usersByIds(ctx, await ctx.social.following(ctx)),
  myFollowers: async (_parent, _args, ctx) => usersByIds(ctx, await ctx.social.followers(ctx)),
};
