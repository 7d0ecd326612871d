import type { NotificationKind } from '../domain';

/** Channels outside the app (in-app is the notification itself, always on). */
export const CHANNELS = ['EMAIL', 'SMS', 'PUSH'] as const;
export type Channel = (typeof CHANNELS)[number];
export const DELIVERY_MODES = ['IMMEDIATE', 'DIGEST', 'OFF'] as const;
export type DeliveryMode = (typeof DELIVERY_MODES)[number];

/**
 * What a user gets without choosing. E-mail: what matters at once (bookings, auctions, moderation,
 * the platform, instances, the welcome) immediately; chat and watched listings in the daily digest
 * (a mail per message would drown people). Push: chat, bookings and auctions (only reaches devices
 * the user registered). SMS: nothing until the user opts in (and verifies a number).
 */
export function defaultMode(kind: NotificationKind, channel: Channel): DeliveryMode {
  switch (channel) {
    case 'EMAIL':
      return kind === 'MESSAGE' || kind === 'LISTING' ? 'DIGEST' : 'IMMEDIATE';
    case 'PUSH':
      return kind === 'MESSAGE' || kind === 'BOOKING' || kind === 'AUCTION' ? 'IMMEDIATE' : 'OFF';
    case 'SMS':
      return 'OFF';
  }
}

export interface QuietHours {
  /** Minutes after midnight in `timeZone`; start > end wraps midnight (22:00–07:00). */
  start: number;
  end: number;
  timeZone: string;
}

/** Minutes after midnight of `at` in the zone, and that day's date (YYYY-MM-DD). */
export function localClock(at: Date, timeZone: string): { minutes: number; day: string } {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  })
    .formatToParts(at)
    .reduce<Record<string, string>>((acc, p) => ({ ...acc, [p.type]: p.value }), {});
  return { minutes: Number(parts['hour']) * 60 + Number(parts['minute']), day: `${parts['year']}-${parts['month']}-${parts['day']}` };
}

/**
 * When a delivery due at `at` may go out: `at` itself outside quiet hours, else the end of them
 * (to the minute; e-mail, SMS and push all wait, the in-app notification does not).
 */
export function afterQuietHours(at: Date, quiet: QuietHours | null): Date {
  if (!quiet || quiet.start === quiet.end) return at;
  const { minutes } = localClock(at, quiet.timeZone);
  const inside = quiet.start < quiet.end ? minutes >= quiet.start && minutes < quiet.end : minutes >= quiet.start || minutes < quiet.end;
  if (!inside) return at;
  const wait = (quiet.end - minutes + 1440) % 1440;
  const next = new Date(at.getTime() + wait * 60_000);
  next.setUTCSeconds(0, 0);
  return next;
}

/** Backoff before attempt n+1 after n failed attempts: 30 s, 1, 2, 4 ... minutes, at most an hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
}

/** E.164 phone numbers: + and 8 to 15 digits. */
export function isPhoneNumber(value: string): boolean {
  return /^\+[1-9]\d{7,14}$/.test(value);
}
