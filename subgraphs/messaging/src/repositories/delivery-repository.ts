import type { Db, Tx } from '../db';
import type { NotificationKind } from '../domain';
import { CHANNELS, afterQuietHours, defaultMode, type Channel, type DeliveryMode } from '../rules/channels';

export interface DeliveryRecord {
  id: string;
  notificationId: string | null;
  channel: Channel;
  status: 'PENDING' | 'SENDING' | 'SENT' | 'FAILED' | 'SKIPPED';
  attempts: number;
  lastError: string | null;
  sentAt: Date | null;
  nextAttemptAt: Date;
}

export interface ClaimedDelivery {
  id: string;
  sourceKey: string;
  notificationId: string | null;
  userId: string;
  channel: Channel;
  attempts: number;
}

const LEASE_MS = 120_000;

/** A user's mode per (kind, channel), their own choices over the defaults. */
export async function modesOf(
  db: Tx | Db,
  userIds: readonly string[],
): Promise<(userId: string, kind: NotificationKind, channel: Channel) => DeliveryMode> {
  const rows = userIds.length === 0 ? [] : await db.notificationPreference.findMany({ where: { userId: { in: [...new Set(userIds)] } } });
  const chosen = new Map(rows.map((r) => [`${r.userId}:${r.kind}:${r.channel}`, r.mode as DeliveryMode]));
  return (userId, kind, channel) => chosen.get(`${userId}:${kind}:${channel}`) ?? defaultMode(kind, channel);
}

/**
 * Plans the deliveries of stored notifications, inside the transaction that stored them: one row per
 * channel the recipient gets that kind on IMMEDIATELY (and can be reached on), due at once or when
 * their quiet hours end.
 * The unique (source, user, channel) key makes planning the same notification again (a redelivered
 * event, a coalesced MESSAGE notification updated) a no-op: one delivery per notification and channel.
 */
export async function planDeliveries(
  tx: Tx,
  notifications: readonly { id: string; recipientId: string; kind: NotificationKind }[],
  now = new Date(),
): Promise<number> {
  if (notifications.length === 0) return 0;
  const userIds = [...new Set(notifications.map((n) => n.recipientId))];
  const mode = await modesOf(tx, userIds);
  const settings = new Map((await tx.channelSettings.findMany({ where: { userId: { in: userIds } } })).map((s) => [s.userId, s]));
  // Nothing to plan where there is nowhere to send: no e-mail address known, no device registered.
  // (SMS without a verified number is planned and SKIPPED with the reason: the user asked for it.)
  const withEmail = new Set(
    (await tx.knownUser.findMany({ where: { userId: { in: userIds }, email: { not: null } }, select: { userId: true } })).map(
      (u) => u.userId,
    ),
  );
  const withDevice = new Set(
    (await tx.pushSubscription.findMany({ where: { userId: { in: userIds } }, distinct: ['userId'], select: { userId: true } })).map(
      (p) => p.userId,
    ),
  );
  const rows: { sourceKey: string; notificationId: string; userId: string; channel: Channel; nextAttemptAt: Date }[] = [];
  for (const n of notifications) {
    const s = settings.get(n.recipientId);
    const quiet = s && s.quietStart !== null && s.quietEnd !== null ? { start: s.quietStart, end: s.quietEnd, timeZone: s.timeZone } : null;
    for (const channel of CHANNELS) {
      if (mode(n.recipientId, n.kind, channel) !== 'IMMEDIATE') continue;
      if ((channel === 'EMAIL' && !withEmail.has(n.recipientId)) || (channel === 'PUSH' && !withDevice.has(n.recipientId))) continue;
      rows.push({ sourceKey: n.id, notificationId: n.id, userId: n.recipientId, channel, nextAttemptAt: afterQuietHours(now, quiet) });
    }
  }
  if (rows.length === 0) return 0;
  return (await tx.delivery.createMany({ data: rows, skipDuplicates: true })).count;
}

export class DeliveryRepository {
  constructor(private readonly db: Db) {}

  /** A delivery not tied to one notification (the daily digest), once per source key. */
  async planDigest(userId: string, day: string): Promise<boolean> {
    const created = await this.db.delivery.createMany({
      data: [{ sourceKey: `digest:${userId}:${day}`, userId, channel: 'EMAIL' }],
      skipDuplicates: true,
    });
    return created.count > 0;
  }

  /**
   * Claims up to `limit` due deliveries (pending and due, or sending with a lapsed lease: a replica
   * died mid-send) with SKIP LOCKED, so two replicas never take the same one, and counts the attempt.
   */
  async claimDue(now: Date, limit: number): Promise<ClaimedDelivery[]> {
    return this.db.$queryRaw<ClaimedDelivery[]>`
      UPDATE deliveries d SET status = 'SENDING', lease_until = ${new Date(now.getTime() + LEASE_MS)}, attempts = d.attempts + 1
      FROM (
        SELECT id FROM deliveries
        WHERE (status = 'PENDING' AND next_attempt_at <= ${now}) OR (status = 'SENDING' AND lease_until < ${now})
        ORDER BY next_attempt_at LIMIT ${limit} FOR UPDATE SKIP LOCKED
      ) due
      WHERE d.id = due.id
      RETURNING d.id::text AS id, d.source_key AS "sourceKey", d.notification_id::text AS "notificationId", d.user_id::text AS "userId",
                d.channel, d.attempts`;
  }

  async finish(id: string, outcome: { status: 'SENT' | 'FAILED' | 'SKIPPED'; error?: string }, now: Date): Promise<void> {
    await this.db.delivery.update({
      where: { id },
      data: {
        status: outcome.status,
        lastError: outcome.error?.slice(0, 500) ?? null,
        sentAt: outcome.status === 'SENT' ? now : null,
        leaseUntil: null,
      },
      select: { id: true },
    });
  }

  async retryAt(id: string, at: Date, error: string): Promise<void> {
    await this.db.delivery.update({
      where: { id },
      data: { status: 'PENDING', nextAttemptAt: at, lastError: error.slice(0, 500), leaseUntil: null },
      select: { id: true },
    });
  }

  async ofNotifications(notificationIds: readonly string[]): Promise<DeliveryRecord[]> {
    if (notificationIds.length === 0) return [];
    return (await this.db.delivery.findMany({
      where: { notificationId: { in: [...notificationIds] } },
      orderBy: { channel: 'asc' },
      select: {
        id: true,
        notificationId: true,
        channel: true,
        status: true,
        attempts: true,
        lastError: true,
        sentAt: true,
        nextAttemptAt: true,
      },
    })) as DeliveryRecord[];
  }
}
