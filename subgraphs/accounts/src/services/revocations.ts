import type { Logger, SessionRevocations } from '@market/platform';

/**
 * Tells the gateway which access tokens stopped being good, after the commit that ended their
 * sessions. The database stays the truth (accounts itself checks every caller's session there), so
 * a failed write is logged, never thrown: the request that ended the session has succeeded, and
 * the tokens the gateway then still accepts expire within their lifetime (15 minutes at most).
 */
export class Revocations {
  constructor(
    private readonly port: SessionRevocations,
    private readonly logger: Logger,
  ) {}

  async sessions(sessionIds: readonly string[], reason: string): Promise<void> {
    if (sessionIds.length === 0) return;
    await this.attempt(() => this.port.revokeSessions(sessionIds), { sessions: sessionIds.length, reason });
  }

  async user(userId: string, reason: string): Promise<void> {
    await this.attempt(() => this.port.revokeUser(userId), { userId, reason });
  }

  /** A lifted suspension: tokens issued from now on work even within the suspension's second. */
  async reinstate(userId: string): Promise<void> {
    await this.attempt(() => this.port.reinstateUser(userId), { userId, reason: 'REINSTATED' });
  }

  private async attempt(write: () => Promise<void>, fields: Record<string, unknown>): Promise<void> {
    try {
      await write();
    } catch (err) {
      this.logger.error({ ...fields, err }, 'could not record a session revocation: the gateway accepts the ended tokens until they expire');
    }
  }
}
