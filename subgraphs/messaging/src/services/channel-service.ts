import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { BadUserInputError, parseInput, type Identity } from '@market/platform';
import { PermanentDeliveryError, type Channels } from '../adapters/channels';
import type { Db } from '../db';
import { NOTIFICATION_KINDS, type NotificationKind } from '../domain';
import { modesOf } from '../repositories/delivery-repository';
import { CHANNELS, DELIVERY_MODES, isPhoneNumber, type Channel, type DeliveryMode } from '../rules/channels';
import { readUnsubscribeToken } from './delivery-service';

const CODE_TTL_MS = 10 * 60_000;
const CODE_ATTEMPTS = 5;
/** A new code at most once a minute (each costs an SMS). */
const RESEND_AFTER_MS = 60_000;

export interface Preference {
  kind: NotificationKind;
  channel: Channel;
  mode: DeliveryMode;
  /** Whether this is the default (the user never chose). */
  isDefault: boolean;
}

export type PhoneOutcome =
  { kind: 'codeSent'; expiresAt: Date } | { kind: 'tooSoon'; retryAfterSeconds: number } | { kind: 'rejected'; reason: string };
export type VerifyOutcome = { kind: 'verified'; phone: string } | { kind: 'wrongCode'; attemptsLeft: number } | { kind: 'expired' };

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** What users control about e-mail, SMS and push: preferences, quiet hours, their phone, their devices. */
export class ChannelService {
  constructor(
    private readonly db: Db,
    private readonly channels: Channels,
    private readonly secret: string,
  ) {}

  async preferences(identity: Identity): Promise<Preference[]> {
    const me = identity.userId.toLowerCase();
    const chosen = new Set(
      (await this.db.notificationPreference.findMany({ where: { userId: me }, select: { kind: true, channel: true } })).map(
        (p) => `${p.kind}:${p.channel}`,
      ),
    );
    const mode = await modesOf(this.db, [me]);
    return NOTIFICATION_KINDS.flatMap((kind) =>
      CHANNELS.map((channel) => ({ kind, channel, mode: mode(me, kind, channel), isDefault: !chosen.has(`${kind}:${channel}`) })),
    );
  }

  async setPreference(identity: Identity, input: { kind: string; channel: string; mode: string }): Promise<Preference> {
    const data = parseInput(
      z
        .object({ kind: z.enum(NOTIFICATION_KINDS), channel: z.enum(CHANNELS), mode: z.enum(DELIVERY_MODES) })
        .refine((p) => p.mode !== 'DIGEST' || p.channel === 'EMAIL', { message: 'only e-mail has a digest', path: ['mode'] }),
      input,
    );
    const userId = identity.userId.toLowerCase();
    await this.db.notificationPreference.upsert({
      where: { userId_kind_channel: { userId, kind: data.kind, channel: data.channel } },
      create: { userId, ...data },
      update: { mode: data.mode },
      select: { userId: true },
    });
    return { ...data, isDefault: false };
  }

  async settings(identity: Identity) {
    const s = await this.db.channelSettings.findUnique({ where: { userId: identity.userId.toLowerCase() } });
    const devices = await this.db.pushSubscription.findMany({
      where: { userId: identity.userId.toLowerCase() },
      orderBy: { createdAt: 'desc' },
      select: { id: true, endpoint: true, createdAt: true },
    });
    return {
      quietHours:
        s && s.quietStart !== null && s.quietEnd !== null
          ? { start: minutesToTime(s.quietStart), end: minutesToTime(s.quietEnd), timeZone: s.timeZone }
          : null,
      timeZone: s?.timeZone ?? 'UTC',
      phone: s?.phone ?? null,
      phoneVerified: Boolean(s?.phone && s.phoneVerifiedAt),
      pushDevices: devices,
      vapidPublicKey: this.channels.push.publicKey,
    };
  }

  /** Quiet hours ("22:00" to "07:00" in a time zone), or none with null start and end. */
  async setQuietHours(identity: Identity, input: { start?: string | null; end?: string | null; timeZone: string }) {
    const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time is HH:MM, 00:00 to 23:59');
    const data = parseInput(
      z
        .object({
          start: time.nullish(),
          end: time.nullish(),
          timeZone: z.string().refine(isTimeZone, 'not a time zone (e.g. Europe/Berlin)'),
        })
        .refine((q) => (q.start == null) === (q.end == null), { message: 'give both start and end, or neither', path: ['end'] }),
      input,
    );
    const userId = identity.userId.toLowerCase();
    const values = {
      quietStart: data.start ? timeToMinutes(data.start) : null,
      quietEnd: data.end ? timeToMinutes(data.end) : null,
      timeZone: data.timeZone,
    };
    await this.db.channelSettings.upsert({ where: { userId }, create: { userId, ...values }, update: values, select: { userId: true } });
    return this.settings(identity);
  }

  /** Sets the phone number SMS go to and texts it a code; SMS are sent only once it is verified. */
  async setPhone(identity: Identity, phone: string, now = new Date()): Promise<PhoneOutcome> {
    const number = parseInput(z.string().trim().refine(isPhoneNumber, 'a phone number in international form, like +4915112345678'), phone);
    const userId = identity.userId.toLowerCase();
    const current = await this.db.channelSettings.findUnique({ where: { userId }, select: { phoneCodeExpiresAt: true } });
    const sentAt = current?.phoneCodeExpiresAt ? current.phoneCodeExpiresAt.getTime() - CODE_TTL_MS : null;
    if (sentAt !== null && now.getTime() - sentAt < RESEND_AFTER_MS) {
      return { kind: 'tooSoon', retryAfterSeconds: Math.ceil((sentAt + RESEND_AFTER_MS - now.getTime()) / 1000) };
    }
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const expiresAt = new Date(now.getTime() + CODE_TTL_MS);
    const values = {
      phone: number,
      phoneVerifiedAt: null,
      phoneCodeHash: this.hash(userId, number, code),
      phoneCodeExpiresAt: expiresAt,
      phoneCodeAttempts: CODE_ATTEMPTS,
    };
    await this.db.channelSettings.upsert({ where: { userId }, create: { userId, ...values }, update: values, select: { userId: true } });
    try {
      await this.channels.sms.send(number, `Your Market verification code is ${code}. It expires in 10 minutes.`, userId);
    } catch (err) {
      // The provider refuses the number for good (not a mobile, invalid): the user's to fix; other errors are faults.
      if (err instanceof PermanentDeliveryError) return { kind: 'rejected', reason: err.message };
      throw err;
    }
    return { kind: 'codeSent', expiresAt };
  }

  async verifyPhone(identity: Identity, code: string, now = new Date()): Promise<VerifyOutcome> {
    const userId = identity.userId.toLowerCase();
    const s = await this.db.channelSettings.findUnique({ where: { userId } });
    if (!s?.phone || !s.phoneCodeHash || !s.phoneCodeExpiresAt || s.phoneCodeExpiresAt <= now || s.phoneCodeAttempts <= 0)
      return { kind: 'expired' };
    // Counted before comparing, in the database: parallel guesses each spend an attempt.
    const spent = await this.db.channelSettings.updateMany({
      where: { userId, phoneCodeAttempts: { gt: 0 } },
      data: { phoneCodeAttempts: { decrement: 1 } },
    });
    if (spent.count === 0) return { kind: 'expired' };
    const expected = Buffer.from(s.phoneCodeHash, 'hex');
    const given = Buffer.from(this.hash(userId, s.phone, code.trim()), 'hex');
    if (!timingSafeEqual(expected, given)) return { kind: 'wrongCode', attemptsLeft: s.phoneCodeAttempts - 1 };
    await this.db.channelSettings.update({
      where: { userId },
      data: { phoneVerifiedAt: now, phoneCodeHash: null, phoneCodeExpiresAt: null, phoneCodeAttempts: 0 },
      select: { userId: true },
    });
    return { kind: 'verified', phone: s.phone };
  }

  async registerPush(identity: Identity, input: { endpoint: string; p256dh: string; auth: string }) {
    const data = parseInput(
      z.object({
        endpoint: z
          .string()
          .url('endpoint is the push service URL')
          .max(1000)
          .refine((u) => u.startsWith('https://') || u.startsWith('http://'), 'endpoint is an http(s) URL'),
        p256dh: z.string().min(40).max(200),
        auth: z.string().min(10).max(100),
      }),
      input,
    );
    const userId = identity.userId.toLowerCase();
    // An endpoint belongs to one browser: registering it again (another user signed in there) moves it.
    return this.db.pushSubscription.upsert({
      where: { endpoint: data.endpoint },
      create: { userId, ...data },
      update: { userId, p256dh: data.p256dh, auth: data.auth },
      select: { id: true, endpoint: true, createdAt: true },
    });
  }

  async removePush(identity: Identity, id: string): Promise<boolean> {
    await this.db.pushSubscription.deleteMany({ where: { id, userId: identity.userId.toLowerCase() } });
    return true;
  }

  /** The link in a mail: that kind (or the digest) stops coming by e-mail. No sign-in needed: the token is the proof. */
  async unsubscribe(token: string): Promise<boolean> {
    const parsed = readUnsubscribeToken(this.secret, token);
    if (!parsed) throw new BadUserInputError('this unsubscribe link is not valid', { token: ['not a valid unsubscribe token'] });
    const kinds = parsed.kind === 'DIGEST' ? [...NOTIFICATION_KINDS] : [parsed.kind];
    const mode = await modesOf(this.db, [parsed.userId]);
    for (const kind of kinds) {
      if (parsed.kind === 'DIGEST' && mode(parsed.userId, kind, 'EMAIL') !== 'DIGEST') continue;
      await this.db.notificationPreference.upsert({
        where: { userId_kind_channel: { userId: parsed.userId, kind, channel: 'EMAIL' } },
        create: { userId: parsed.userId, kind, channel: 'EMAIL', mode: 'OFF' },
        update: { mode: 'OFF' },
        select: { userId: true },
      });
    }
    return true;
  }

  /** What the development outbox holds for the caller (development and embedded mode). */
  devOutbox(identity: Identity, first: number) {
    return this.db.devOutbox.findMany({
      where: { userId: identity.userId.toLowerCase() },
      orderBy: { createdAt: 'desc' },
      take: Math.min(Math.max(first, 1), 200),
    });
  }

  private hash(userId: string, phone: string, code: string): string {
    return createHmac('sha256', this.secret).update(`phone:${userId}:${phone}:${code}`).digest('hex');
  }
}

function timeToMinutes(time: string): number {
  const [h, m] = time.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

function minutesToTime(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
