import { RateLimitedError } from '../errors';
import { MemoryRateLimiter, type RateLimitRule } from './rate-limit';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const FIVE_PER_MINUTE: RateLimitRule = { limit: 5, windowSeconds: 60, what: 'code attempts' };

describe('MemoryRateLimiter', () => {
  it('allows the limit in a window, then denies with the time until the oldest call leaves it', async () => {
    const time = clock();
    const limiter = new MemoryRateLimiter({ now: time.now });
    const remaining: number[] = [];
    for (let i = 0; i < 5; i++) {
      const d = await limiter.consume('otp:acc1', FIVE_PER_MINUTE);
      expect(d.allowed).toBe(true);
      remaining.push(d.remaining);
      time.advance(10_000);
    }
    expect(remaining).toEqual([4, 3, 2, 1, 0]);
    // t = 50 s: the first call (t = 0) leaves the window at t = 60 s.
    expect(await limiter.consume('otp:acc1', FIVE_PER_MINUTE)).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 10 });
    time.advance(9_999);
    expect((await limiter.consume('otp:acc1', FIVE_PER_MINUTE)).allowed).toBe(false);
    time.advance(1);
    expect(await limiter.consume('otp:acc1', FIVE_PER_MINUTE)).toEqual({ allowed: true, remaining: 0, retryAfterSeconds: 0 });
  });

  it('never lets more than the limit through in any window (no burst at a window edge)', async () => {
    const time = clock();
    const limiter = new MemoryRateLimiter({ now: time.now });
    const accepted: number[] = [];
    for (let t = 0; t < 180_000; t += 1_000) {
      if ((await limiter.consume('login:ip', FIVE_PER_MINUTE)).allowed) accepted.push(time.now());
      time.advance(1_000);
    }
    for (const start of accepted) {
      expect(accepted.filter((t) => t >= start && t < start + 60_000).length).toBeLessThanOrEqual(5);
    }
    expect(accepted).toHaveLength(15);
  });

  it('counts cost, and a denied call uses nothing', async () => {
    const time = clock();
    const limiter = new MemoryRateLimiter({ now: time.now });
    const rule = { limit: 10, windowSeconds: 10 };
    expect((await limiter.consume('k', { ...rule, cost: 6 })).remaining).toBe(4);
    time.advance(1_000);
    expect((await limiter.consume('k', { ...rule, cost: 3 })).remaining).toBe(1);
    // needs 5: only the 6-unit call leaving the window (at 10 s) makes room
    expect(await limiter.consume('k', { ...rule, cost: 5 })).toEqual({ allowed: false, remaining: 1, retryAfterSeconds: 9 });
    expect((await limiter.consume('k', { ...rule, cost: 1 })).remaining).toBe(0);
  });

  it('keeps keys apart', async () => {
    const limiter = new MemoryRateLimiter();
    const rule = { limit: 1, windowSeconds: 60 };
    expect((await limiter.consume('a', rule)).allowed).toBe(true);
    expect((await limiter.consume('a', rule)).allowed).toBe(false);
    expect((await limiter.consume('b', rule)).allowed).toBe(true);
  });

  it('hit throws RATE_LIMITED with retryAfterSeconds when the limit is reached', async () => {
    const limiter = new MemoryRateLimiter();
    for (let i = 0; i < 5; i++) await limiter.hit('otp:acc2', FIVE_PER_MINUTE);
    const err = await limiter.hit('otp:acc2', FIVE_PER_MINUTE).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).extensions).toEqual({ code: 'RATE_LIMITED', retryAfterSeconds: 60 });
    expect((err as RateLimitedError).message).toBe('Too many code attempts. Try again in 60 s.');
  });

  it('sweeps expired keys and stays bounded by maxKeys', async () => {
    const time = clock();
    const limiter = new MemoryRateLimiter({ now: time.now, maxKeys: 1_000, sweepIntervalMs: 5_000 });
    for (let i = 0; i < 5_000; i++) await limiter.consume(`ip:${i}`, { limit: 3, windowSeconds: 2 });
    expect(limiter.size).toBe(1_000);
    time.advance(5_000);
    await limiter.consume('ip:fresh', { limit: 3, windowSeconds: 2 });
    expect(limiter.size).toBe(1);
  });

  it('refuses rules it cannot enforce', async () => {
    const limiter = new MemoryRateLimiter();
    await expect(limiter.consume('k', { limit: 0, windowSeconds: 1 })).rejects.toThrow(RangeError);
    await expect(limiter.consume('k', { limit: 1.5, windowSeconds: 1 })).rejects.toThrow(RangeError);
    await expect(limiter.consume('k', { limit: 5, windowSeconds: 0 })).rejects.toThrow(RangeError);
    await expect(limiter.consume('k', { limit: 5, windowSeconds: 1, cost: 6 })).rejects.toThrow(RangeError);
    await expect(limiter.consume('', { limit: 5, windowSeconds: 1 })).rejects.toThrow(RangeError);
  });
});
