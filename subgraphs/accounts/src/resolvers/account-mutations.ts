import type { MutationResolvers } from '../generated/graphql';
import { MESSAGES } from './results';

/** What a signed-in user does to their own account: profile, avatar, sessions, deletion. */
export const accountMutations: MutationResolvers = {
  updateProfile: (_parent, { input }, ctx) => ctx.profiles.update(ctx, input),
  createAvatarUpload: async (_parent, { contentType, size }, ctx) => {
    const upload = await ctx.profiles.createAvatarUpload(ctx, contentType, size);
    return {
      uploadUrl: upload.url,
      method: upload.method,
      headers: Object.entries(upload.headers).map(([name, value]) => ({ name, value })),
      avatarUrl: upload.avatarUrl,
      expiresAt: upload.expiresAt,
    };
  },
  revokeSession: (_parent, { id }, ctx) => ctx.sessions.revoke(ctx, id),
  deleteAccount: async (_parent, { password }, ctx) => {
    const outcome = await ctx.profiles.deleteAccount(ctx, password);
    if (outcome === 'invalidCredentials') return { __typename: 'InvalidCredentials', message: MESSAGES.invalidCredentials };
    ctx.loaders.userById.clearAll();
    return { __typename: 'AccountDeleted', message: MESSAGES.accountDeleted };
  },
};
