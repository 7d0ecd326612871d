import { DEFAULT_REVOCATION_TTL_SECONDS, type Logger, type SessionRevocations } from '@market/platform';

export interface RevocationRetryOptions {
  /** First wait after a failed write; doubled after each failure up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** A revocation older than this refuses nothing any more (every token it covered has expired): dropped. */
  relevantForMs?: number;
  now?: () => number;
}

type Pending =
  { kind: 'sessions'; sessionIds: string[]; reason: string; at: number } | { kind: 'user'; userId: string; reason: string; at: number };

/**
 * Tells the gateway which access tokens stopped being good, after the commit that ended their
 * sessions. The database stays the truth (accounts itself checks every caller's session there), so
 * a failed write never fails the request that ended the session. It is not dropped either: it waits
 * in a queue and is written again with backoff until the store answers (a Redis outage, a restart of
 * Redis), and only given up once every token it covered has expired anyway. Writing it announces it
 * too, so the gateways then close the sockets of those sessions.
 */
export class Revocations {
  private readonly pending: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private delayMs: number;
  private readonly options: Required<RevocationRetryOptions>;

  constructor(
    private readonly port: SessionRevocations,
    private readonly logger: Logger,
    options: RevocationRetryOptions = {},
  ) {
    this.options = {
      initialDelayMs: options.initialDelayMs ?? 1_000,
      maxDelayMs: options.maxDelayMs ?? 30_000,
      relevantForMs: options.relevantForMs ?? DEFAULT_REVOCATION_TTL_SECONDS * 1000,
      now: options.now ?? Date.now,
    };
    this.delayMs = this.options.initialDelayMs;
  }

  /** Revocations written later than asked, waiting for the store (tests and readiness read it). */
  get backlog(): number {
    return this.pending.length;
  }

  async sessions(sessionIds: readonly string[], reason: string): Promise<void> {
    if (sessionIds.length === 0) return;
    await this.attempt({ kind: 'sessions', sessionIds: [...sessionIds], reason, at: this.options.now() });
  }

  async user(userId: string, reason: string): Promise<void> {
    await this.attempt({ kind: 'user', userId, reason, at: this.options.now() });
  }

  /**
   * At start: writes again the revocations of sessions that ended within the last access-token
   * lifetime, from accounts' own table, so one that was still waiting when a previous process
   * stopped during a Redis outage is not lost. Rewriting one that was recorded is harmless.
   */
  async replayFrom(endedSince: (since: Date) => Promise<string[]>): Promise<void> {
    try {
      const ids = await endedSince(new Date(this.options.now() - this.options.relevantForMs));
      for (let i = 0; i < ids.length; i += 500) await this.sessions(ids.slice(i, i + 500), 'REPLAYED_AT_START');
      if (ids.length > 0) this.logger.info({ sessions: ids.length }, 'replayed recent session revocations');
    } catch (err) {
      this.logger.warn({ err }, 'could not replay recent session revocations');
    }
  }

  /** A lifted suspension: tokens issued from now on work even within the suspension's second. */
  async reinstate(userId: string): Promise<void> {
    // A user-wide revocation still waiting would land after this and suspend them again.
    for (let i = this.pending.length - 1; i >= 0; i--) {
      const p = this.pending[i];
      if (p?.kind === 'user' && p.userId === userId) this.pending.splice(i, 1);
    }
    try {
      await this.port.reinstateUser(userId);
    } catch (err) {
      this.logger.error({ userId, err }, 'could not lift a user-wide revocation: the user signs in again once it expires');
    }
  }

  private async attempt(revocation: Pending): Promise<void> {
    // Keep the order: while older ones wait, a new one waits behind them.
    if (this.pending.length > 0 || !(await this.write(revocation))) {
      this.pending.push(revocation);
      this.logger.error(
        { reason: revocation.reason, backlog: this.pending.length },
        'could not record a session revocation; retrying until the store answers',
      );
      this.schedule();
    }
  }

  private async write(revocation: Pending): Promise<boolean> {
    try {
      if (revocation.kind === 'sessions') await this.port.revokeSessions(revocation.sessionIds);
      else await this.port.revokeUser(revocation.userId);
      return true;
    } catch {
      return false;
    }
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => void this.retry(), this.delayMs);
    // A retry loop must not keep a stopping process alive.
    this.timer.unref();
  }

  private async retry(): Promise<void> {
    this.timer = null;
    const now = this.options.now();
    while (this.pending.length > 0) {
      const next = this.pending[0] as Pending;
      if (now - next.at > this.options.relevantForMs) {
        this.pending.shift();
        this.logger.warn(
          { reason: next.reason },
          'dropped a session revocation that could not be recorded: the tokens it covered have expired',
        );
        continue;
      }
      if (!(await this.write(next))) {
        this.delayMs = Math.min(this.delayMs * 2, this.options.maxDelayMs);
        this.schedule();
        return;
      }
      this.pending.shift();
      this.logger.info({ reason: next.reason, late: true }, 'recorded a session revocation after the store came back');
    }
    this.delayMs = this.options.initialDelayMs;
  }
}
