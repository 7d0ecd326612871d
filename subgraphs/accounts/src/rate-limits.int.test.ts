import { Redis } from 'ioredis';
import pino from 'pino';
import { unique, eventually } from '@market/platform/testing';
import { SIGN_IN, VERIFY_EMAIL, call, latestCode, randomIp, signUp, startAccounts, verifiedUser, type Harness } from './testing/harness';

/**
 * Brute-force limits when accounts runs as several replicas: with REDIS_URL the limiter's counts are
 * shared, so a guesser gains nothing by spreading attempts over replicas; without it (embedded mode,
 * one process) each process counts for itself. One-time codes are limited in the database either way.
 */
const REDIS_URL = process.env['REDIS_URL'];
const describeRedis = REDIS_URL ? describe : describe.skip;
if (!REDIS_URL) {
  console.warn(
    '[rate-limits.int.test] REDIS_URL is not set: skipping the limits shared through Redis. Run with REDIS_URL=redis://127.0.0.1:6379.',
  );
}

/** A replica on Redis, once connected (until then the brute-force limits deny, by design). */
async function replicaOnRedis(redisUrl: string, prefix: string): Promise<Harness> {
  const lines: { msg: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string }) });
  const h = await startAccounts({ REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix }, {}, logger);
  await eventually(async () => (lines.some((l) => l.msg === 'redis connected') ? true : undefined), { what: 'accounts to reach Redis' });
  return h;
}

const signIn = (h: Harness, email: string, password: string) => call(h, SIGN_IN, { input: { email, password } }, { ip: randomIp() });

describeRedis('accounts rate limits shared by replicas through Redis', () => {
  const prefix = `test:${unique()}:accounts:`;
  let replicas: Harness[];
  let redis: Redis;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL as string);
    replicas = [await replicaOnRedis(REDIS_URL as string, prefix), await replicaOnRedis(REDIS_URL as string, prefix)];
  });
  afterAll(async () => {
    await Promise.all((replicas ?? []).map((h) => h.close()));
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('counts sign-in attempts per account across replicas, and says when to retry', async () => {
    const [a, b] = replicas as [Harness, Harness];
    const user = await verifiedUser(a);
    const kinds: string[] = [];
    for (let i = 0; i < 10; i++) kinds.push((await signIn(i % 2 ? b : a, user.email, `wrong guess ${i}`)).data.signIn.__typename);
    expect(kinds).toEqual(Array(10).fill('InvalidCredentials'));

    const limited = await signIn(b, user.email, user.password);
    expect(limited.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
    const retryAfter = limited.errors?.[0]?.extensions?.['retryAfterSeconds'] as number;
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(limited.errors?.[0]?.message).toMatch(new RegExp(`Try again in ${retryAfter} s`));
    expect((await signIn(a, user.email, user.password)).errors?.[0]?.extensions?.['code']).toBe('RATE_LIMITED');

    // The count lives in Redis, under this service's prefix, and expires with its window.
    const key = `${prefix}rl:sign-in:account:${user.email}`;
    expect(await redis.zcard(key)).toBe(10);
    expect(await redis.pttl(key)).toBeGreaterThan(0);
  });
});

describe('accounts rate limits without Redis (embedded mode)', () => {
  let replicas: Harness[];
  beforeAll(async () => {
    replicas = [await startAccounts(), await startAccounts()];
  });
  afterAll(async () => {
    await Promise.all((replicas ?? []).map((h) => h.close()));
  });

  it('counts sign-in attempts in each process', async () => {
    const [a, b] = replicas as [Harness, Harness];
    const user = await verifiedUser(a);
    for (let i = 0; i < 10; i++)
      expect((await signIn(a, user.email, `wrong guess ${i}`)).data.signIn.__typename).toBe('InvalidCredentials');
    expect((await signIn(a, user.email, user.password)).errors?.[0]?.extensions?.['code']).toBe('RATE_LIMITED');
    // Another process has counts of its own: why production sets REDIS_URL.
    expect((await signIn(b, user.email, user.password)).data.signIn.__typename).toBe('AuthPayload');
  });

  it('still allows 5 wrong codes per account in all, however the guesses are spread over processes', async () => {
    const [a, b] = replicas as [Harness, Harness];
    const { email } = await signUp(a);
    const code = await latestCode(a, email);
    const guesses = Array.from({ length: 12 }, (_, i) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0'));
    const results = await Promise.all(guesses.map((guess, i) => call(i % 2 ? b : a, VERIFY_EMAIL, { email, code: guess })));
    const kinds = results.map((r) => r.data.verifyEmail.__typename);
    expect(kinds.filter((k) => k === 'InvalidCode')).toHaveLength(5);
    expect(kinds.filter((k) => k === 'TooManyAttempts')).toHaveLength(7);
    expect((await call(b, VERIFY_EMAIL, { email, code })).data.verifyEmail.__typename).toBe('TooManyAttempts');
  });
});
