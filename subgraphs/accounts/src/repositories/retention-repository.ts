import type { Db } from '../db';

/**
 * Deletes what accounts no longer needs, a bounded batch per statement: each statement is its own
 * short transaction, and `FOR UPDATE SKIP LOCKED` lets several replicas (or a replica and a request
 * working on the same row) proceed without waiting for or deadlocking on one another.
 * Every method returns how many rows it deleted.
 */
export class RetentionRepository {
  constructor(private readonly db: Db) {}

  /**
   * Claims this run of `job`: true for exactly one caller per interval, whichever replica it is
   * and however many ask at once (one conditional upsert, timed by the database clock).
   */
  async claimRun(job: string, intervalSeconds: number): Promise<boolean> {
    const claimed = await this.db.$queryRaw<{ job: string }[]>`
      INSERT INTO maintenance_runs AS m (job, last_run_at) VALUES (${job}, now())
      ON CONFLICT (job) DO UPDATE SET last_run_at = now()
      WHERE m.last_run_at <= now() - ${intervalSeconds}::int * interval '1 second'
      RETURNING job`;
    return claimed.length > 0;
  }

  /**
   * Used or expired codes, `hours` after they were used or expired. A row also carries its
   * account's resend limits (one a minute, five an hour), so a row sent from within the last hour
   * is kept whatever the retention: deleting it would hand out a fresh allowance.
   */
  async purgeCodes(hours: number, batch: number): Promise<number> {
    return this.db.$executeRaw`
      WITH doomed AS (
        SELECT user_id, purpose FROM verification_codes
        WHERE (consumed_at < now() - ${hours}::int * interval '1 hour' OR expires_at < now() - ${hours}::int * interval '1 hour')
          AND last_sent_at < now() - interval '1 hour'
        LIMIT ${batch}::int
        FOR UPDATE SKIP LOCKED
      )
      DELETE FROM verification_codes c USING doomed d WHERE c.user_id = d.user_id AND c.purpose = d.purpose`;
  }

  async purgeDevOutbox(days: number, batch: number): Promise<number> {
    return this.db.$executeRaw`
      WITH doomed AS (
        SELECT id FROM dev_outbox WHERE created_at < now() - ${days}::int * interval '1 day'
        LIMIT ${batch}::int
        FOR UPDATE SKIP LOCKED
      )
      DELETE FROM dev_outbox WHERE id IN (SELECT id FROM doomed)`;
  }

  /**
   * The refresh tokens of sessions that ended (expired or were revoked) more than `days` ago.
   * Tokens go first, on their own, because a refresh locks a token and then its session: a purge
   * that deleted the session (and through the cascade its tokens) would take the locks the other
   * way round.
   */
  async purgeRefreshTokensOfEndedSessions(days: number, batch: number): Promise<number> {
    return this.db.$executeRaw`
      WITH doomed AS (
        SELECT t.id FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id
        WHERE s.revoked_at < now() - ${days}::int * interval '1 day' OR s.expires_at < now() - ${days}::int * interval '1 day'
        LIMIT ${batch}::int
        FOR UPDATE OF t SKIP LOCKED
      )
      DELETE FROM refresh_tokens WHERE id IN (SELECT id FROM doomed)`;
  }

  /**
   * Sessions that ended more than `days` ago and have no refresh token left (a token still being
   * presented at this moment keeps its session until the next run). An ended session never gets a
   * new token, so nothing cascades here.
   */
  async purgeEndedSessions(days: number, batch: number): Promise<number> {
    return this.db.$executeRaw`
      WITH doomed AS (
        SELECT s.id FROM sessions s
        WHERE (s.revoked_at < now() - ${days}::int * interval '1 day' OR s.expires_at < now() - ${days}::int * interval '1 day')
          AND NOT EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.session_id = s.id)
        LIMIT ${batch}::int
        FOR UPDATE SKIP LOCKED
      )
      DELETE FROM sessions WHERE id IN (SELECT id FROM doomed)`;
  }
}
