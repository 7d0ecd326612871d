import type { Db, Tx } from '../db';
import type { CodeCheck, CodePurpose } from '../domain';

export interface CodeRules {
  ttlSeconds: number;
  maxAttempts: number;
  resendIntervalSeconds: number;
  sendsPerHour: number;
}

/**
 * One live code per account and purpose. Every count (attempts, sends) is changed by a single
 * conditional statement on the account's row, never read-then-write, so concurrent requests, aliases
 * in one operation and several replicas all see and change the same numbers.
 */
export class CodeRepository {
  constructor(
    private readonly db: Db,
    private readonly rules: CodeRules,
  ) {}

  /**
   * Stores a new code (replacing the previous one, whose attempts no longer matter) unless the
   * account was sent one less than a minute ago or already five in the past hour. Returns when the
   * new code expires, or null when throttled.
   */
  async issue(userId: string, purpose: CodePurpose, codeHash: string): Promise<Date | null> {
    const { ttlSeconds, resendIntervalSeconds, sendsPerHour } = this.rules;
    const rows = await this.db.$queryRaw<{ expires_at: Date }[]>`
      INSERT INTO verification_codes AS c
        (user_id, purpose, code_hash, expires_at, attempts, consumed_at, last_sent_at, send_window_started_at, sends_in_window)
      VALUES (${userId}::uuid, ${purpose}::"CodePurpose", ${codeHash}, now() + ${ttlSeconds}::int * interval '1 second', 0, NULL, now(), now(), 1)
      ON CONFLICT (user_id, purpose) DO UPDATE SET
        code_hash = EXCLUDED.code_hash,
        expires_at = EXCLUDED.expires_at,
        attempts = 0,
        consumed_at = NULL,
        last_sent_at = now(),
        send_window_started_at = CASE WHEN c.send_window_started_at <= now() - interval '1 hour' THEN now() ELSE c.send_window_started_at END,
        sends_in_window = CASE WHEN c.send_window_started_at <= now() - interval '1 hour' THEN 1 ELSE c.sends_in_window + 1 END
      WHERE c.last_sent_at <= now() - ${resendIntervalSeconds}::int * interval '1 second'
        AND (c.send_window_started_at <= now() - interval '1 hour' OR c.sends_in_window < ${sendsPerHour}::int)
      RETURNING expires_at`;
    return rows[0]?.expires_at ?? null;
  }

  /**
   * Tries a code. One UPDATE both counts a wrong guess and consumes a right one, and only while the
   * code is live, unused and under its attempt limit: 20 concurrent wrong guesses count exactly
   * `maxAttempts`, and of two concurrent right ones only one is accepted. Comparing the MACs in SQL
   * is safe: their timing tells nothing without the server key.
   */
  async check(tx: Tx, userId: string, purpose: CodePurpose, codeHash: string): Promise<CodeCheck> {
    const tried = await tx.$queryRaw<{ accepted: boolean }[]>`
      UPDATE verification_codes
      SET attempts = attempts + CASE WHEN code_hash = ${codeHash} THEN 0 ELSE 1 END,
          consumed_at = CASE WHEN code_hash = ${codeHash} THEN now() ELSE NULL END
      WHERE user_id = ${userId}::uuid AND purpose = ${purpose}::"CodePurpose"
        AND consumed_at IS NULL AND attempts < ${this.rules.maxAttempts}::int AND expires_at > now()
      RETURNING consumed_at IS NOT NULL AS accepted`;
    const row = tried[0];
    if (row) return row.accepted ? 'accepted' : 'invalid';
    // Nothing changed: say why, without counting.
    const current = await tx.verificationCode.findUnique({
      where: { userId_purpose: { userId, purpose } },
      select: { consumedAt: true, attempts: true, expiresAt: true },
    });
    if (!current || current.consumedAt) return 'invalid';
    if (current.attempts >= this.rules.maxAttempts) return 'exhausted';
    return 'expired';
  }
}
