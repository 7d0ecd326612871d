import { pageOfList } from '@market/platform';
import type { QueryResolvers } from '../generated/graphql';
import type { Context } from '../context';
import type { UserRecord } from '../domain';

async function usersByIds(ctx: Context, ids: string[]): Promise<UserRecord[]> {
  const users = await ctx.loaders.userById.loadMany(ids);
  return users.filter((u): u is UserRecord => u !== null && !(u instanceof Error));
}

const byId = (item: { id: string }) => item.id;

export const Query: QueryResolvers = {
  me: (_parent, _args, ctx) => (ctx.identity ? ctx.loaders.userById.load(ctx.identity.userId) : null),
  user: (_parent, { id }, ctx) => ctx.loaders.userById.load(id),
  emailAvailable: (_parent, { email }, ctx) => ctx.auth.emailAvailable(email, ctx.client),
  devOutbox: (_parent, { email }, ctx) => ctx.devOutbox.messagesFor(email, ctx.client),
  mySessions: async (_parent, args, ctx) => pageOfList(await ctx.sessions.mine(ctx), byId, args),
  users: (_parent, args, ctx) => ctx.admin.users(ctx, args),
  myConnections: async (_parent, args, ctx) => pageOfList(await ctx.social.connections(ctx), byId, args),
  myConnectionRequests: async (_parent, { direction, ...args }, ctx) =>
    pageOfList(await ctx.social.requests(ctx, direction ?? 'INCOMING'), byId, args),
  mutualConnections: async (_parent, { userId, ...args }, ctx) =>
    pageOfList(await usersByIds(ctx, await ctx.social.mutual(ctx, userId)), byId, args),
  myFollowing: async (_parent, args, ctx) => pageOfList(await usersByIds(ctx, await ctx.social.following(ctx)), byId, args),
  myFollowers: async (_parent, args, ctx) => pageOfList(await usersByIds(ctx, await ctx.social.followers(ctx)), byId, args),
};
