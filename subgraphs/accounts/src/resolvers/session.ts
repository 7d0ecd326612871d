import { NotFoundError } from '@market/platform';
import type { SessionResolvers } from '../generated/graphql';
import { isSessionActive } from '../rules/sessions';
import { describeDevice } from '../services/device';

export const Session: SessionResolvers = {
  user: async (session, _args, ctx) => {
    const user = await ctx.loaders.userById.load(session.userId);
    if (!user) throw new NotFoundError('User', session.userId);
    return user;
  },
  deviceInfo: (session) => describeDevice(session.userAgent),
  active: (session) => isSessionActive(session),
  revoked: (session) => session.revokedAt !== null,
  current: (session, _args, ctx) => ctx.identity?.sessionId === session.id,
};
