import type { SessionRecord } from '../domain';

/** A session counts until it is revoked or expires. */
export function isSessionActive(session: Pick<SessionRecord, 'revokedAt' | 'expiresAt'>, now = new Date()): boolean {
  return session.revokedAt === null && session.expiresAt > now;
}
