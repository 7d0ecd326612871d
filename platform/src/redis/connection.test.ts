import pino from 'pino';
import { LogThrottle, reconnectDelay } from './connection';

describe('LogThrottle', () => {
  it('writes one line per kind per interval and reports how many it skipped', () => {
    let now = 0;
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const throttle = new LogThrottle(30_000, () => now);
    for (let i = 0; i < 1_000; i++) {
      throttle.log(logger, 'warn', 'get', { op: 'get' }, 'cache bypassed');
      now += 100; // 1,000 failures over 100 s
    }
    throttle.log(logger, 'warn', 'set', { op: 'set' }, 'cache bypassed');
    expect(lines.map((l) => [l['op'], l['suppressed']])).toEqual([
      ['get', undefined],
      ['get', 299],
      ['get', 299],
      ['get', 299],
      ['set', undefined],
    ]);
  });
});

describe('reconnectDelay', () => {
  it('grows, is capped, and never gives up', () => {
    for (let attempt = 1; attempt < 200; attempt++) {
      const delay = reconnectDelay(attempt, 2_000);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(2_000);
    }
    expect(reconnectDelay(1, 2_000)).toBeLessThanOrEqual(50);
    expect(reconnectDelay(10_000, 2_000)).toBeGreaterThanOrEqual(1_000);
  });
});
