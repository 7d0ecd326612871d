import type { Db, Tx } from '../db';
import { isUuid } from '@market/platform';
import type { ActiveCaller, SessionEndReason, SessionRecord } from '../domain';

const sessionSelect = {
  id: true,
  userId: true,
  createdAt: true,
  expiresAt: true,
  lastActivityAt: true,
  ipAddress: true,
  userAgent: true,
  revokedAt: true,
} as const;

export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

/** What presenting a refresh token did. */
export type Rotation =
  | { kind: 'rotated'; session: SessionRecord }
  | { kind: 'unknown' }
  /** A rotated token presented again: its whole session was revoked now. */
  | { kind: 'reused'; sessionId: string }
  /** The token or its session expired or was revoked, or its user may no longer refresh. */
  | { kind: 'ended'; userId: string | null };

export class SessionRepository {
  constructor(private readonly db: Db) {}

  /** A new session (a new token family) with its first refresh token. */
  async open(input: { userId: string; expiresAt: Date; client: ClientInfo; refreshTokenHash: string }): Promise<SessionRecord> {
    return this.db.session.create({
      data: {
        userId: input.userId,
        expiresAt: input.expiresAt,
        ipAddress: input.client.ip,
        userAgent: input.client.userAgent,
        refreshTokens: { create: { tokenHash: input.refreshTokenHash, expiresAt: input.expiresAt } },
      },
      select: sessionSelect,
    });
  }

  /**
   * Trades a refresh token for the next one in the same session, atomically:
   *  - the token is marked used with one conditional UPDATE, so of two concurrent presentations
   *    exactly one wins;
   *  - a token that was already used is a replay (stolen, or a client that lost the newer one):
   *    the whole session, that is the token family, is revoked (RFC 9700 §4.14.2), in a commit
   *    of its own so the revocation stands;
   *  - the session row is locked, so a concurrent revocation (logout, suspension) cannot be missed.
   * `userActive` is asked inside the transaction whether the session's user may still refresh.
   *
   * Reuse grace: a token presented again within `graceSeconds` of its first use, whose successor
   * (`next.hash`, derived from it, so the same for every presentation) exists unused in the same
   * session, is the same client retrying (two tabs, a lost response): it gets that successor again
   * instead of ending the session.
   */
  async rotate(
    presentedHash: string,
    next: { hash: string; client: ClientInfo },
    userActive: (tx: Tx, userId: string) => Promise<boolean>,
    graceSeconds = 0,
  ): Promise<Rotation> {
    return this.db.$transaction(async (tx) => {
      const claimed = await tx.$queryRaw<{ session_id: string }[]>`
        UPDATE refresh_tokens SET used_at = now()
        WHERE token_hash = ${presentedHash} AND used_at IS NULL AND expires_at > now()
        RETURNING session_id`;
      const sessionId = claimed[0]?.session_id;
      if (!sessionId) {
        const known = await tx.refreshToken.findUnique({
          where: { tokenHash: presentedHash },
          select: { sessionId: true, usedAt: true, session: { select: { userId: true } } },
        });
        if (!known) return { kind: 'unknown' } as const;
        if (!known.usedAt) return { kind: 'ended', userId: known.session.userId } as const;
        if (graceSeconds > 0 && Date.now() - known.usedAt.getTime() <= graceSeconds * 1000) {
          const successor = await tx.refreshToken.findUnique({
            where: { tokenHash: next.hash },
            select: { sessionId: true, usedAt: true },
          });
          if (successor && successor.sessionId === known.sessionId && !successor.usedAt) {
            const live = await tx.$queryRaw<{ user_id: string; active: boolean }[]>`
              SELECT user_id, (revoked_at IS NULL AND expires_at > now()) AS active FROM sessions WHERE id = ${known.sessionId}::uuid FOR UPDATE`;
            const row = live[0];
            if (!row?.active || !(await userActive(tx, row.user_id))) return { kind: 'ended', userId: row?.user_id ?? null } as const;
            const session = await tx.session.findUniqueOrThrow({ where: { id: known.sessionId }, select: sessionSelect });
            return { kind: 'rotated', session } as const;
          }
        }
        await tx.session.updateMany({
          where: { id: known.sessionId, revokedAt: null },
          data: { revokedAt: new Date(), revokedReason: 'REFRESH_TOKEN_REUSE' },
        });
        return { kind: 'reused', sessionId: known.sessionId } as const;
      }
      const locked = await tx.$queryRaw<{ user_id: string; expires_at: Date; active: boolean }[]>`
        SELECT user_id, expires_at, (revoked_at IS NULL AND expires_at > now()) AS active
        FROM sessions WHERE id = ${sessionId}::uuid FOR UPDATE`;
      const session = locked[0];
      if (!session) return { kind: 'unknown' } as const;
      if (!session.active || !(await userActive(tx, session.user_id))) return { kind: 'ended', userId: session.user_id } as const;
      const updated = await tx.session.update({
        where: { id: sessionId },
        data: {
          lastActivityAt: new Date(),
          ipAddress: next.client.ip,
          userAgent: next.client.userAgent,
          refreshTokens: { create: { tokenHash: next.hash, expiresAt: session.expires_at } },
        },
        select: sessionSelect,
      });
      return { kind: 'rotated', session: updated } as const;
    });
  }

  /**
   * The caller of a request if their session is still live and their account active, with the role
   * the database holds now (the token's may be up to 15 minutes old).
   */
  async findActiveCaller(sessionId: string, userId: string): Promise<ActiveCaller | null> {
    if (!isUuid(sessionId) || !isUuid(userId)) return null;
    const rows = await this.db.$queryRaw<ActiveCaller[]>`
      SELECT s.id AS "sessionId", u.id AS "userId", u.role::text AS role
      FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.id = ${sessionId}::uuid AND s.user_id = ${userId}::uuid
        AND s.revoked_at IS NULL AND s.expires_at > now() AND u.status = 'ACTIVE'`;
    return rows[0] ?? null;
  }

  /** Sessions ended (revoked) since `since`, newest first: what the gateway must still refuse. */
  async revokedSince(since: Date, limit = 10_000): Promise<string[]> {
    const rows = await this.db.session.findMany({
      where: { revokedAt: { gte: since } },
      select: { id: true },
      orderBy: { revokedAt: 'desc' },
      take: limit,
    });
    return rows.map((r) => r.id);
  }

  /** Ends one of this user's sessions; null when the user has no such session. */
  async revoke(sessionId: string, userId: string, reason: SessionEndReason): Promise<SessionRecord | null> {
    if (!isUuid(sessionId)) return null;
    await this.db.session.updateMany({
      where: { id: sessionId, userId, revokedAt: null },
      data: { revokedAt: new Date(), revokedReason: reason },
    });
    return this.db.session.findFirst({ where: { id: sessionId, userId }, select: sessionSelect });
  }

  /** Ends every live session of the user, but `except`; returns the ids of those it ended. */
  async revokeAll(tx: Tx, userId: string, reason: SessionEndReason, except?: string): Promise<string[]> {
    if (!isUuid(userId)) return [];
    const keep = except && isUuid(except) ? except : null;
    const ended = await tx.$queryRaw<{ id: string }[]>`
      UPDATE sessions SET revoked_at = now(), revoked_reason = ${reason}::"SessionEndReason"
      WHERE user_id = ${userId}::uuid AND revoked_at IS NULL AND expires_at > now()
        AND (${keep}::uuid IS NULL OR id <> ${keep}::uuid)
      RETURNING id`;
    return ended.map((row) => row.id);
  }

  async listForUser(userId: string, limit: number): Promise<SessionRecord[]> {
    return this.db.session.findMany({
      where: { userId },
      orderBy: [{ lastActivityAt: 'desc' }, { id: 'desc' }],
      take: limit,
      select: sessionSelect,
    });
  }
}
