import pino from 'pino';
import { callSubgraph, unique } from '@market/platform/testing';
import {
  DEV_OUTBOX,
  PASSWORD,
  SIGN_IN,
  SIGN_UP,
  VERIFY_EMAIL,
  call,
  latestCode,
  newEmail,
  outboxEvents,
  randomIp,
  signUp,
  startAccounts,
  verifiedUser,
  type Harness,
} from './testing/harness';

const RESEND = `mutation($email: String!) { resendVerificationCode(email: $email) { message } }`;

describe('accounts subgraph: sign-up, e-mail verification and sign-in', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startAccounts();
  });
  afterAll(async () => {
    await h.close();
  });

  const attempts = async (email: string, purpose = 'EMAIL_VERIFICATION') =>
    (
      await h.db.query(
        `SELECT c.attempts FROM verification_codes c JOIN users u ON u.id = c.user_id WHERE u.email = $1 AND c.purpose = $2`,
        [email.toLowerCase(), purpose],
      )
    ).rows[0]?.attempts as number | undefined;

  it('signs a user up unverified, e-mails a code, and signs them in once verified (e-mail case ignored)', async () => {
    const ip = randomIp();
    const { email, res } = await signUp(h, {}, ip);
    expect(res.errors).toBeUndefined();
    expect(res.data.signUp).toMatchObject({ __typename: 'VerificationSent', email: email.toLowerCase() });
    expect(new Date(res.data.signUp.codeExpiresAt).getTime() - Date.now()).toBeGreaterThan(9 * 60_000);

    const mail = await call(h, DEV_OUTBOX, { email: email.toUpperCase() });
    expect(mail.data.devOutbox).toEqual([
      expect.objectContaining({
        channel: 'EMAIL',
        to: email.toLowerCase(),
        subject: 'Your Market verification code',
        body: expect.stringMatching(/\b\d{6}\b/),
      }),
    ]);

    const early = await call(h, SIGN_IN, { input: { email, password: PASSWORD } }, { ip });
    expect(early.data.signIn).toEqual({ __typename: 'EmailNotVerified', email: email.toLowerCase(), message: expect.any(String) });

    const verified = await call(h, VERIFY_EMAIL, { email: email.toUpperCase(), code: await latestCode(h, email) }, { ip });
    expect(verified.data.verifyEmail).toMatchObject({
      __typename: 'AuthPayload',
      user: { name: 'Ada Lovelace', role: 'SELLER', email: email.toLowerCase(), emailVerified: true },
    });
    expect(verified.data.verifyEmail.accessToken.split('.')).toHaveLength(3);
    expect(verified.data.verifyEmail.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Date(verified.data.verifyEmail.accessTokenExpiresAt).getTime() - Date.now()).toBeLessThanOrEqual(15 * 60_000);

    const signedIn = await call(h, SIGN_IN, { input: { email: email.toUpperCase(), password: PASSWORD } }, { ip });
    expect(signedIn.data.signIn).toMatchObject({ __typename: 'AuthPayload', user: { id: verified.data.verifyEmail.user.id } });
  });

  it('tells other services about a user only once they verified their address', async () => {
    const { email } = await signUp(h);
    const { rows } = await h.db.query(`SELECT id FROM users WHERE email = $1`, [email.toLowerCase()]);
    const id = rows[0].id as string;
    expect(await outboxEvents(h, id)).toEqual([]);
    await call(h, VERIFY_EMAIL, { email, code: await latestCode(h, email) });
    expect(await outboxEvents(h, id)).toEqual([
      { type: 'accounts.user.registered', payload: { userId: id, name: 'Ada Lovelace', role: 'SELLER', email: email.toLowerCase() } },
    ]);
  });

  it('answers EmailTaken for the same address in another case, creates nothing, and emailAvailable agrees', async () => {
    const { email } = await signUp(h);
    const again = await call(h, SIGN_UP, { input: { name: 'B', email: email.toUpperCase(), password: 'another password!' } });
    expect(again.data.signUp).toEqual({ __typename: 'EmailTaken', email: email.toLowerCase(), message: expect.any(String) });
    const { rows } = await h.db.query(`SELECT count(*)::int AS n FROM users WHERE email = $1`, [email.toLowerCase()]);
    expect(rows[0].n).toBe(1);
    const q = `query($e: String!) { emailAvailable(email: $e) }`;
    expect((await call(h, q, { e: email.toUpperCase() })).data.emailAvailable).toBe(false);
    expect((await call(h, q, { e: newEmail() })).data.emailAvailable).toBe(true);
  });

  it('stores passwords as argon2id with a salt of their own, and never the password itself', async () => {
    const [a, b] = [await signUp(h), await signUp(h)];
    const { rows } = await h.db.query<{ password_hash: string }>(`SELECT password_hash FROM users WHERE email = ANY($1) ORDER BY email`, [
      [a.email.toLowerCase(), b.email.toLowerCase()],
    ]);
    expect(rows).toHaveLength(2);
    for (const { password_hash } of rows) {
      expect(password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
      expect(password_hash).not.toContain(PASSWORD);
    }
    // Same password, different salts: different hashes.
    expect(rows[0]!.password_hash.split('$')[4]).not.toBe(rows[1]!.password_hash.split('$')[4]);
  });

  it('answers InvalidCredentials for a wrong password or unknown e-mail', async () => {
    const { email } = await verifiedUser(h);
    for (const input of [
      { email, password: 'wrong password!!' },
      { email: `${unique()}@nowhere.test`, password: 'whatever12345' },
    ]) {
      const res = await call(h, SIGN_IN, { input });
      expect(res.data.signIn).toEqual({ __typename: 'InvalidCredentials', message: 'E-mail or password is wrong.' });
    }
  });

  it('refuses bad input with BAD_USER_INPUT and writes nothing', async () => {
    const email = `${unique()}@example.com`;
    const res = await call(h, SIGN_UP, { input: { name: '', email, password: 'short' } });
    expect(res.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: { name: expect.any(Array), password: expect.any(Array) },
    });
    expect((await call(h, `query($e: String!) { emailAvailable(email: $e) }`, { e: email })).data.emailAvailable).toBe(true);
    const badCode = await call(h, VERIFY_EMAIL, { email, code: '12ab' });
    expect(badCode.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: { code: expect.any(Array) } });
  });

  it('never lets anyone choose ADMIN at sign-up', async () => {
    const { email, res } = await signUp(h, { role: 'ADMIN' });
    expect(res.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect((await call(h, `query($e: String!) { emailAvailable(email: $e) }`, { e: email })).data.emailAvailable).toBe(true);
  });

  describe('one-time codes', () => {
    it('a wrong code is InvalidCode and counted; the right one still works once, and never again', async () => {
      const { email } = await signUp(h);
      const code = await latestCode(h, email);
      const wrong = code === '000000' ? '111111' : '000000';
      expect((await call(h, VERIFY_EMAIL, { email, code: wrong })).data.verifyEmail.__typename).toBe('InvalidCode');
      expect(await attempts(email)).toBe(1);
      expect((await call(h, VERIFY_EMAIL, { email, code })).data.verifyEmail.__typename).toBe('AuthPayload');
      const reused = await call(h, VERIFY_EMAIL, { email, code });
      expect(reused.data.verifyEmail).toEqual({ __typename: 'InvalidCode', message: expect.any(String) });
    });

    it('keeps only a keyed hash of the code, valid 10 minutes', async () => {
      const { email } = await signUp(h);
      const code = await latestCode(h, email);
      const { rows } = await h.db.query(
        `SELECT c.code_hash, extract(epoch FROM c.expires_at - c.last_sent_at)::int AS ttl FROM verification_codes c JOIN users u ON u.id = c.user_id WHERE u.email = $1`,
        [email.toLowerCase()],
      );
      expect(rows[0].code_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(rows[0].code_hash).not.toContain(code);
      expect(rows[0].ttl).toBe(600);
    });

    it('an expired code is CodeExpired, even when it is right', async () => {
      const { email } = await signUp(h);
      const code = await latestCode(h, email);
      await h.db.query(
        `UPDATE verification_codes SET expires_at = now() - interval '1 second' WHERE user_id = (SELECT id FROM users WHERE email = $1)`,
        [email.toLowerCase()],
      );
      expect((await call(h, VERIFY_EMAIL, { email, code })).data.verifyEmail.__typename).toBe('CodeExpired');
      expect((await call(h, SIGN_IN, { input: { email, password: PASSWORD } })).data.signIn.__typename).toBe('EmailNotVerified');
    });

    it('counts exactly 5 of 20 concurrent wrong guesses, then refuses even the right code', async () => {
      const { email } = await signUp(h);
      const code = await latestCode(h, email);
      const wrong = Array.from({ length: 20 }, (_, i) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0'));
      const results = await Promise.all(wrong.map((guess) => call(h, VERIFY_EMAIL, { email, code: guess }, { ip: randomIp() })));
      const kinds = results.map((r) => r.data.verifyEmail.__typename);
      expect(kinds.filter((k) => k === 'InvalidCode')).toHaveLength(5);
      expect(kinds.filter((k) => k === 'TooManyAttempts')).toHaveLength(15);
      expect(await attempts(email)).toBe(5);
      expect((await call(h, VERIFY_EMAIL, { email, code })).data.verifyEmail.__typename).toBe('TooManyAttempts');
      expect((await call(h, SIGN_IN, { input: { email, password: PASSWORD } })).data.signIn.__typename).toBe('EmailNotVerified');
    });

    it('counts per account, so aliases in one operation get no more guesses', async () => {
      const { email } = await signUp(h);
      const code = await latestCode(h, email);
      const fields = Array.from({ length: 8 }, (_, i) => {
        const guess = String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0');
        return `g${i}: verifyEmail(email: $email, code: "${guess}") { __typename }`;
      });
      fields.push(`right: verifyEmail(email: $email, code: "${code}") { __typename }`);
      const res = await call(h, `mutation($email: String!) { ${fields.join(' ')} }`, { email });
      const kinds = Object.values(res.data as Record<string, { __typename: string }>).map((v) => v.__typename);
      expect(kinds.slice(0, 5)).toEqual(Array(5).fill('InvalidCode'));
      expect(kinds.slice(5)).toEqual(Array(4).fill('TooManyAttempts'));
      expect(await attempts(email)).toBe(5);
    });

    it('answers the same for unknown addresses, and never e-mails them', async () => {
      const email = newEmail('nobody');
      expect((await call(h, VERIFY_EMAIL, { email, code: '123456' })).data.verifyEmail.__typename).toBe('InvalidCode');
      expect((await call(h, RESEND, { email })).data.resendVerificationCode.message).toMatch(/If an account uses this address/);
      expect((await call(h, DEV_OUTBOX, { email })).data.devOutbox).toEqual([]);
    });

    it('throttles resending: RATE_LIMITED within a minute, whether or not the account exists', async () => {
      const { email } = await signUp(h);
      const tooSoon = await call(h, RESEND, { email });
      expect(tooSoon.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
      expect(tooSoon.errors?.[0]?.extensions?.['retryAfterSeconds']).toBeLessThanOrEqual(60);
      const nobody = newEmail('nobody');
      expect((await call(h, RESEND, { email: nobody })).errors).toBeUndefined();
      expect((await call(h, RESEND, { email: nobody })).errors?.[0]?.extensions?.['code']).toBe('RATE_LIMITED');
    });
  });

  describe('brute-force limits', () => {
    it('limits sign-in attempts per account, whatever the address they come from', async () => {
      const { email } = await verifiedUser(h);
      const results = [];
      for (let i = 0; i < 11; i++)
        results.push(await call(h, SIGN_IN, { input: { email, password: `wrong guess ${i}` } }, { ip: randomIp() }));
      expect(results.slice(0, 10).every((r) => r.data?.signIn.__typename === 'InvalidCredentials')).toBe(true);
      expect(results[10]?.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
      // The right password does not get through either until the window passes.
      const right = await call(h, SIGN_IN, { input: { email, password: PASSWORD } });
      expect(right.errors?.[0]?.extensions?.['code']).toBe('RATE_LIMITED');
    });

    it('limits sign-in attempts per client address, across accounts', async () => {
      const ip = randomIp();
      const results = await Promise.all(
        Array.from({ length: 101 }, (_, i) =>
          call(h, SIGN_IN, { input: { email: `${unique(`p${i}`)}@nowhere.test`, password: 'whatever12345' } }, { ip }),
        ),
      );
      const limited = results.filter((r) => r.errors?.[0]?.extensions?.['code'] === 'RATE_LIMITED');
      expect(limited).toHaveLength(1);
      expect(results.filter((r) => r.data?.signIn?.__typename === 'InvalidCredentials')).toHaveLength(100);
    });

    it('limits code checks per client address', async () => {
      const ip = randomIp();
      const results = await Promise.all(
        Array.from({ length: 101 }, () => call(h, VERIFY_EMAIL, { email: newEmail('nobody'), code: '123456' }, { ip })),
      );
      expect(results.filter((r) => r.errors?.[0]?.extensions?.['code'] === 'RATE_LIMITED')).toHaveLength(1);
    });
  });

  it('shows e-mail, phone and status to the user and admins only', async () => {
    const user = await verifiedUser(h, { phone: '+44 20 7946 0000' });
    const q = `query($id: ID!) { user(id: $id) { id name email phone status emailVerified followerCount } }`;
    const anonymous = await call(h, q, { id: user.id });
    expect(anonymous.data.user).toEqual({
      id: user.id,
      name: 'Ada Lovelace',
      email: null,
      phone: null,
      status: null,
      emailVerified: null,
      followerCount: 0,
    });
    const self = await call(h, q, { id: user.id }, { identity: user.identity });
    expect(self.data.user).toMatchObject({ phone: '+44 20 7946 0000', status: 'ACTIVE', emailVerified: true });
    const admin = await call(h, q, { id: user.id }, { identity: { userId: 'someone-else', role: 'ADMIN', sessionId: 's' } });
    expect(admin.data.user.email).toMatch(/@example\.com$/);
  });

  it('answers null for an id that is not a uuid instead of failing', async () => {
    const res = await call(h, `{ user(id: "x") { id } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.user).toBeNull();
  });

  it('resolves 50 user references with one SQL query, in order', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await verifiedUser(h)).id);
    const representations = Array.from({ length: 50 }, (_, i) => ({ __typename: 'User', id: ids[i % ids.length] }));
    h.queries.length = 0;
    const res = await call(h, `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id name } } }`, { r: representations });
    expect(res.errors).toBeUndefined();
    expect(res.data._entities.map((u: { id: string }) => u.id)).toEqual(representations.map((r) => r.id));
    expect(h.queries.filter((q) => /SELECT/i.test(q))).toHaveLength(1);
  });

  describe('only the gateway may call it', () => {
    const body = { query: '{ _service { sdl } }' };
    it('refuses an unsigned request, including a direct _entities call', async () => {
      const unsigned = await callSubgraph(h.url, body, { secret: null });
      expect(unsigned.status).toBe(403);
      expect(unsigned.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
      const entities = await callSubgraph(
        h.url,
        { query: `{ _entities(representations: [{__typename: "User", id: "x"}]) { __typename } }` },
        { secret: null },
      );
      expect(entities.status).toBe(403);
    });
    it('refuses a request signed with another secret (a forged identity)', async () => {
      const forged = await callSubgraph(
        h.url,
        { query: '{ me { id email } }' },
        { secret: 'f'.repeat(64), identity: { userId: 'x', role: 'ADMIN', sessionId: 's' } },
      );
      expect(forged.status).toBe(403);
      expect(forged.data).toBeUndefined();
    });
    it('answers the gateway-signed request', async () => {
      const ok = await callSubgraph<{ _service: { sdl: string } }>(h.url, body, { secret: h.secret });
      expect(ok.status).toBe(200);
      expect(ok.data?._service.sdl).toContain('type User');
    });
  });
});

describe('accounts subgraph: resending codes (database throttle, limiter out of the way)', () => {
  let h: Harness;
  beforeAll(async () => {
    const unlimited = { allowed: true, remaining: Infinity, retryAfterSeconds: 0 };
    h = await startAccounts({}, { rateLimiter: { hit: async () => unlimited, consume: async () => unlimited } });
  });
  afterAll(async () => {
    await h.close();
  });

  const age = (email: string, sql: string) =>
    h.db.query(`UPDATE verification_codes SET ${sql} WHERE user_id = (SELECT id FROM users WHERE email = $1)`, [email.toLowerCase()]);
  const mails = async (email: string) => (await call(h, DEV_OUTBOX, { email })).data.devOutbox.length as number;

  it('sends a fresh code after a minute; the old one stops working and the attempt count starts again', async () => {
    const { email } = await signUp(h);
    const first = await latestCode(h, email);
    await call(h, RESEND, { email });
    expect(await mails(email)).toBe(1); // within the minute: nothing sent, and nothing said
    await age(email, `last_sent_at = now() - interval '61 seconds', attempts = 5`);
    await call(h, RESEND, { email });
    expect(await mails(email)).toBe(2);
    const second = await latestCode(h, email);
    if (second !== first) expect((await call(h, VERIFY_EMAIL, { email, code: first })).data.verifyEmail.__typename).toBe('InvalidCode');
    expect((await call(h, VERIFY_EMAIL, { email, code: second })).data.verifyEmail.__typename).toBe('AuthPayload');
  });

  it('sends at most 5 codes an hour, and none to a verified account', async () => {
    const { email } = await signUp(h);
    await age(email, `last_sent_at = now() - interval '61 seconds', sends_in_window = 5`);
    await call(h, RESEND, { email });
    expect(await mails(email)).toBe(1);
    await age(email, `last_sent_at = now() - interval '61 seconds', send_window_started_at = now() - interval '61 minutes'`);
    await call(h, RESEND, { email });
    expect(await mails(email)).toBe(2);

    const verified = await verifiedUser(h);
    await age(verified.email, `last_sent_at = now() - interval '61 seconds'`);
    await call(h, RESEND, { email: verified.email });
    expect(await mails(verified.email)).toBe(1);
  });
});

describe('accounts subgraph in production', () => {
  let h: Harness;
  const warnings: string[] = [];
  beforeAll(async () => {
    const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push((JSON.parse(line) as { msg: string }).msg) });
    h = await startAccounts({ NODE_ENV: 'production' }, {}, logger);
  });
  afterAll(async () => {
    await h.close();
  });

  it('warns at start-up about every single-replica stand-in it was left with', () => {
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^REDIS_URL is not set: caches, rate limits and live updates are per process/),
        expect.stringMatching(/^S3_BUCKET is not set: avatars are kept on this machine/),
        expect.stringMatching(/^SMTP_URL is not set/),
      ]),
    );
  });

  it('never exposes the development outbox', async () => {
    const { email } = await signUp(h);
    const res = await call(h, DEV_OUTBOX, { email });
    expect(res.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect(res.data).toBeNull();
  });
});
