import { NotFoundError, type AuthContext } from '@market/platform';
import type { SessionRecord } from '../domain';
import type { SessionRepository } from '../repositories/session-repository';
import type { SessionGuard } from './session-guard';
import type { Revocations } from './revocations';

const MAX_LISTED_SESSIONS = 100;

/** The caller's own sessions: listing and ending them. */
export class SessionService {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly guard: SessionGuard,
    private readonly revocations: Revocations,
  ) {}

  async mine(ctx: AuthContext): Promise<SessionRecord[]> {
    const caller = await this.guard.active(ctx);
    return this.sessions.listForUser(caller.userId, MAX_LISTED_SESSIONS);
  }

  /** Another user's session id is NOT_FOUND, exactly like an id that does not exist. */
  async revoke(ctx: AuthContext, sessionId: string): Promise<SessionRecord> {
    const caller = await this.guard.active(ctx);
    const session = await this.sessions.revoke(sessionId, caller.userId, 'REVOKED');
    if (!session) throw new NotFoundError('Session', sessionId);
    await this.revocations.sessions([session.id], 'REVOKED');
    return session;
  }
}
