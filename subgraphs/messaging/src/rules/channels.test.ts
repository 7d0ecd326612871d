import { afterQuietHours, defaultMode, localClock, retryDelayMs } from './channels';

describe('channel rules', () => {
  it('defaults: chat and listings in the e-mail digest, SMS off until chosen', () => {
    expect(defaultMode('MESSAGE', 'EMAIL')).toBe('DIGEST');
    expect(defaultMode('BOOKING', 'EMAIL')).toBe('IMMEDIATE');
    expect(defaultMode('BOOKING', 'SMS')).toBe('OFF');
    expect(defaultMode('MESSAGE', 'PUSH')).toBe('IMMEDIATE');
  });

  it("holds deliveries until quiet hours end, across midnight and in the user's zone", () => {
    const quiet = { start: 22 * 60, end: 7 * 60, timeZone: 'Europe/Berlin' };
    // 23:30 in Berlin (UTC+1 in December) → 07:00 Berlin = 06:00 UTC.
    expect(afterQuietHours(new Date('2026-12-07T22:30:00Z'), quiet).toISOString()).toBe('2026-12-08T06:00:00.000Z');
    const noon = new Date('2026-12-07T11:00:00Z');
    expect(afterQuietHours(noon, quiet)).toBe(noon);
    expect(afterQuietHours(noon, null)).toBe(noon);
    expect(localClock(new Date('2026-12-07T23:30:00Z'), 'Asia/Tokyo')).toEqual({ minutes: 8 * 60 + 30, day: '2026-12-08' });
  });

  it('backs off exponentially up to an hour', () => {
    expect([1, 2, 3, 10].map(retryDelayMs)).toEqual([30_000, 60_000, 120_000, 3_600_000]);
  });
});
