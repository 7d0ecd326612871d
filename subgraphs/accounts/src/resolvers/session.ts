import type { SessionResolvers } from '../generated/graphql';
import { isSessionActive } from '../domain';
import { describeDevice } from '../services/device';

export const Session: SessionResolvers = {
  deviceInfo: (session) => describeDevice(session.userAgent),
  active: (session) => isSessionActive(session),
  revoked: (session) => session.revokedAt !== null,
  current: (session, _args, ctx) => ctx.identity?.sessionId === session.id,
};
