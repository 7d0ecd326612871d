import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Logger, ScheduledJob } from '@market/platform';
import { PermanentDeliveryError, type Channels } from '../adapters/channels';
import type { Db } from '../db';
import { NOTIFICATION_KINDS, type NotificationKind } from '../domain';
import { DeliveryRepository, modesOf, type ClaimedDelivery } from '../repositories/delivery-repository';
import { localClock, retryDelayMs } from '../rules/channels';
import { digestMail, notificationMail, shortText } from '../templates/email';

export interface DeliverySettings {
  appUrl: string;
  /** Signs unsubscribe links. */
  linkSecret: string;
  maxAttempts: number;
  /** Local hour (in the user's zone) from which the daily digest goes out. */
  digestHour: number;
}

/** Unsubscribe tokens: "<user>:<kind>:<hmac>", base64url; `kind` DIGEST stops the daily digest. */
export function unsubscribeToken(secret: string, userId: string, kind: NotificationKind | 'DIGEST'): string {
  const sig = createHmac('sha256', secret).update(`unsubscribe:${userId}:${kind}`).digest('base64url');
  return Buffer.from(`${userId}:${kind}:${sig}`).toString('base64url');
}

export function readUnsubscribeToken(secret: string, token: string): { userId: string; kind: NotificationKind | 'DIGEST' } | null {
  if (token.length > 300) return null;
  const [userId, kind, sig] = Buffer.from(token, 'base64url').toString('utf8').split(':');
  if (!userId || !kind || !sig || !(kind === 'DIGEST' || (NOTIFICATION_KINDS as readonly string[]).includes(kind))) return null;
  const expected =
    Buffer.from(unsubscribeToken(secret, userId, kind as NotificationKind), 'base64url')
      .toString('utf8')
      .split(':')[2] ?? '';
  if (expected.length !== sig.length || !timingSafeEqual(Buffer.from(expected), Buffer.from(sig))) return null;
  return { userId, kind: kind as NotificationKind | 'DIGEST' };
}

/**
 * Sends planned deliveries through the channel ports (the `messaging.deliveries` job) and plans the
 * daily digests (`messaging.digests`). Every replica runs both: deliveries are claimed with SKIP
 * LOCKED under a lease, digests by their unique (digest:<user>:<day>) key.
 *
 * Sending is at-least-once at the provider: a replica that dies after the provider accepted and
 * before recording SENT leaves the lease to lapse, and the delivery is sent again.
 */
export class DeliveryService {
  private readonly deliveries: DeliveryRepository;

  constructor(
    private readonly db: Db,
    private readonly channels: Channels,
    private readonly settings: DeliverySettings,
    private readonly logger: Logger,
  ) {
    this.deliveries = new DeliveryRepository(db);
  }

  unsubscribeUrl(userId: string, kind: NotificationKind | 'DIGEST'): string {
    return `${this.settings.appUrl.replace(/\/$/, '')}/unsubscribe?token=${unsubscribeToken(this.settings.linkSecret, userId, kind)}`;
  }

  deliveryJob(): ScheduledJob {
    return { name: 'messaging.deliveries', everyMs: 1_000, run: (limit, now) => this.sendDue(limit, now) };
  }

  digestJob(): ScheduledJob {
    return { name: 'messaging.digests', everyMs: 5 * 60_000, run: (limit, now) => this.planDigests(limit, now) };
  }

  async sendDue(limit: number, now: Date): Promise<number> {
    const claimed = await this.deliveries.claimDue(now, limit);
    await Promise.all(claimed.map((d) => this.sendOne(d, now)));
    return claimed.length;
  }

  private async sendOne(d: ClaimedDelivery, now: Date): Promise<void> {
    try {
      const outcome = await this.attempt(d);
      await this.deliveries.finish(d.id, outcome, new Date());
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof PermanentDeliveryError || d.attempts >= this.settings.maxAttempts) {
        this.logger.warn({ deliveryId: d.id, channel: d.channel, attempts: d.attempts, err: message }, 'delivery failed for good');
        await this.deliveries.finish(d.id, { status: 'FAILED', error: message }, new Date());
      } else {
        await this.deliveries.retryAt(d.id, new Date(now.getTime() + retryDelayMs(d.attempts)), message);
      }
    }
  }

  /** One attempt; throws to retry (or PermanentDeliveryError to give up). */
  private async attempt(d: ClaimedDelivery): Promise<{ status: 'SENT' | 'SKIPPED'; error?: string }> {
    const user = await this.db.knownUser.findUnique({ where: { userId: d.userId }, select: { email: true, status: true } });
    if (!user || user.status === 'DELETED') return { status: 'SKIPPED', error: 'the user no longer exists' };
    const app = this.settings.appUrl;
    if (d.sourceKey.startsWith('digest:')) {
      if (!user.email) return { status: 'SKIPPED', error: 'no e-mail address known' };
      const items = await this.digestItems(d.userId);
      if (items.length === 0) return { status: 'SKIPPED', error: 'nothing unread' };
      const mail = digestMail(items, { app, unsubscribe: this.unsubscribeUrl(d.userId, 'DIGEST') });
      await this.channels.email.send({ to: user.email, ...mail, unsubscribeUrl: this.unsubscribeUrl(d.userId, 'DIGEST') }, d.userId);
      return { status: 'SENT' };
    }
    const n = d.notificationId
      ? await this.db.notification.findUnique({
          where: { id: d.notificationId },
          select: { kind: true, title: true, body: true, count: true, readAt: true },
        })
      : null;
    if (!n) return { status: 'SKIPPED', error: 'the notification no longer exists' };
    if (n.readAt) return { status: 'SKIPPED', error: 'read in the app before it was sent' };
    switch (d.channel) {
      case 'EMAIL': {
        if (!user.email) return { status: 'SKIPPED', error: 'no e-mail address known' };
        const unsubscribe = this.unsubscribeUrl(d.userId, n.kind);
        await this.channels.email.send(
          { to: user.email, ...notificationMail(n, { app, unsubscribe }), unsubscribeUrl: unsubscribe },
          d.userId,
        );
        return { status: 'SENT' };
      }
      case 'SMS': {
        const s = await this.db.channelSettings.findUnique({ where: { userId: d.userId }, select: { phone: true, phoneVerifiedAt: true } });
        if (!s?.phone || !s.phoneVerifiedAt) return { status: 'SKIPPED', error: 'no verified phone number' };
        await this.channels.sms.send(s.phone, shortText(n), d.userId);
        return { status: 'SENT' };
      }
      case 'PUSH': {
        const devices = await this.db.pushSubscription.findMany({
          where: { userId: d.userId },
          select: { id: true, endpoint: true, p256dh: true, auth: true },
        });
        if (devices.length === 0) return { status: 'SKIPPED', error: 'no device registered for push' };
        const payload = JSON.stringify({ kind: n.kind, title: n.title, body: n.body, count: n.count, notificationId: d.notificationId });
        let delivered = 0;
        let transient: unknown = null;
        for (const device of devices) {
          try {
            await this.channels.push.send(device, payload, d.userId);
            delivered++;
          } catch (err) {
            if (err instanceof PermanentDeliveryError && err.gone) await this.db.pushSubscription.deleteMany({ where: { id: device.id } });
            else if (!(err instanceof PermanentDeliveryError)) transient = err;
          }
        }
        if (delivered > 0) return { status: 'SENT' };
        if (transient) throw transient;
        throw new PermanentDeliveryError('every device refused the push');
      }
    }
  }

  /** Unread notifications of the kinds the user gets as digest, oldest first. */
  private async digestItems(userId: string): Promise<{ kind: NotificationKind; title: string; body: string }[]> {
    const mode = await modesOf(this.db, [userId]);
    const kinds = NOTIFICATION_KINDS.filter((k) => mode(userId, k, 'EMAIL') === 'DIGEST');
    if (kinds.length === 0) return [];
    return (await this.db.notification.findMany({
      where: { recipientId: userId, readAt: null, kind: { in: [...kinds] } },
      orderBy: { createdAt: 'asc' },
      take: 100,
      select: { kind: true, title: true, body: true },
    })) as { kind: NotificationKind; title: string; body: string }[];
  }

  /**
   * Plans today's digest for users with unread notifications of a digest kind whose local time has
   * reached the digest hour: one per user and local day (the delivery's unique key), sent by the
   * delivery job. Looks at users with unread notifications from the last two days only.
   */
  async planDigests(limit: number, now: Date): Promise<number> {
    const candidates = await this.db.$queryRaw<{ userId: string; timeZone: string | null; digestSentOn: string | null }[]>`
      SELECT DISTINCT n.recipient_id::text AS "userId", s.time_zone AS "timeZone", s.digest_sent_on AS "digestSentOn"
      FROM notifications n LEFT JOIN channel_settings s ON s.user_id = n.recipient_id
      WHERE n.read_at IS NULL AND n.created_at > ${new Date(now.getTime() - 2 * 86_400_000)}
      ORDER BY 1 LIMIT 5000`;
    let planned = 0;
    for (const c of candidates) {
      if (planned >= limit) break;
      const { minutes, day } = localClock(now, c.timeZone ?? 'UTC');
      if (c.digestSentOn === day || minutes < this.settings.digestHour * 60) continue;
      if ((await this.digestItems(c.userId)).length === 0) continue;
      if (await this.deliveries.planDigest(c.userId, day)) planned++;
      await this.db.channelSettings.upsert({
        where: { userId: c.userId },
        create: { userId: c.userId, digestSentOn: day },
        update: { digestSentOn: day },
        select: { userId: true },
      });
    }
    return planned;
  }
}
