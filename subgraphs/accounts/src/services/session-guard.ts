import { ForbiddenError, UnauthenticatedError, requireRole, requireUser, type AuthContext } from '@market/platform';
import type { ActiveCaller } from '../domain';
import type { SessionRepository } from '../repositories/session-repository';

/**
 * The active-session guard: checks callers against the database for everything accounts changes: the gateway's token proves
 * who signed in up to 15 minutes ago, but here a logged-out, revoked or suspended session, or a
 * demoted admin, stops at once.
 */
export class SessionGuard {
  constructor(private readonly sessions: SessionRepository) {}

  async active(ctx: AuthContext): Promise<ActiveCaller> {
    const identity = requireUser(ctx);
    const caller = await this.sessions.findActiveCaller(identity.sessionId, identity.userId);
    if (!caller) throw new UnauthenticatedError('Your session has ended: sign in again.');
    return caller;
  }

  async admin(ctx: AuthContext): Promise<ActiveCaller> {
    requireRole(ctx, 'ADMIN');
    const caller = await this.active(ctx);
    if (caller.role !== 'ADMIN') throw new ForbiddenError('This needs the role ADMIN.');
    return caller;
  }
}
