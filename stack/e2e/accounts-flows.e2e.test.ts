import { createHmac, randomInt } from 'node:crypto';
import {
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_ISSUER,
  AccessTokenSigner,
  generateAccessTokenKeys,
  type EventEnvelope,
  type EventType,
} from '@market/platform';
import { Client } from 'pg';
import { testDatabaseUrl, testSecrets, unique } from '@market/platform/testing';
import { createUser, eventually, PASSWORD, startTestStack, type TestStack, type TestUser } from '../src/testing/stack';

/**
 * Accounts as a client meets it: every flow through the gateway over HTTP, codes read from the
 * development outbox (devOutbox, as a developer would), cross-domain effects observed through the
 * graph or on the event bus a consumer would read.
 */

const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { __typename ... on VerificationSent { email codeExpiresAt } } }`;
const DEV_OUTBOX = `query($email: String!) { devOutbox(email: $email) { subject body } }`;
const AUTH_FIELDS = `__typename ... on AuthPayload { accessToken accessTokenExpiresAt refreshToken sessionId user { id role email } }`;
const VERIFY = `mutation($email: String!, $code: String!) { verifyEmail(email: $email, code: $code) { ${AUTH_FIELDS} } }`;
const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) { ${AUTH_FIELDS} } }`;
const REFRESH = `mutation($t: String!) { refreshSession(refreshToken: $t) { ${AUTH_FIELDS} } }`;
const RESEND = `mutation($email: String!) { resendVerificationCode(email: $email) { message } }`;
const MY_SESSIONS = `{ mySessions { edges { node { id user { id } ipAddress userAgent deviceInfo active revoked current createdAt expiresAt lastActivityAt } } } }`;

/** A signed-in client: its tokens, and the address it calls from (X-Forwarded-For through the loopback proxy). */
interface SignedInClient {
  id: string;
  email: string;
  ip: string;
  accessToken: string;
  refreshToken: string;
  sessionId: string;
}

const randomIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const errorCode = (res: { errors?: { extensions?: Record<string, unknown> }[] }) => res.errors?.[0]?.extensions?.['code'];

describe('accounts flows through the gateway', () => {
  let stack: TestStack;
  let admin: TestUser;
  const events: EventEnvelope[] = [];

  /** POSTs like a client at `ip`, with `token` when given. */
  const gql = (query: string, variables: Record<string, unknown> = {}, token?: string, ip = randomIp(), userAgent = 'e2e') =>
    stack.request(query, variables, token, { 'x-forwarded-for': ip, 'user-agent': userAgent });

  const latestCode = async (email: string, subject = /verification/) => {
    const res = await gql(DEV_OUTBOX, { email });
    const mail = (res.data?.devOutbox as { subject: string; body: string }[] | undefined)?.find((m) => subject.test(m.subject));
    const code = /\b(\d{6})\b/.exec(mail?.body ?? '')?.[1];
    if (!code) throw new Error(`no code was e-mailed to ${email}: ${JSON.stringify(res)}`);
    return code;
  };

  const signUp = async (role = 'BUYER', name = 'Flow User') => {
    const email = `${unique(role.toLowerCase())}@Example.com`;
    const ip = randomIp();
    const res = await gql(SIGN_UP, { input: { name, email, password: PASSWORD, role, phone: '+44 20 7946 0000' } }, undefined, ip);
    expect(res.data?.signUp).toMatchObject({ __typename: 'VerificationSent', email: email.toLowerCase() });
    return { email: email.toLowerCase(), ip };
  };

  const asClient = (payload: Record<string, any>, email: string, ip: string): SignedInClient => {
    expect(payload['__typename']).toBe('AuthPayload');
    return {
      id: payload['user'].id,
      email,
      ip,
      accessToken: payload['accessToken'],
      refreshToken: payload['refreshToken'],
      sessionId: payload['sessionId'],
    };
  };

  const verifiedClient = async (role = 'BUYER', name = 'Flow User'): Promise<SignedInClient> => {
    const { email, ip } = await signUp(role, name);
    const res = await gql(VERIFY, { email, code: await latestCode(email) }, undefined, ip);
    return asClient(res.data?.verifyEmail, email, ip);
  };

  const signIn = async (client: SignedInClient, userAgent = 'e2e'): Promise<SignedInClient> => {
    const res = await gql(SIGN_IN, { input: { email: client.email, password: PASSWORD } }, undefined, client.ip, userAgent);
    return asClient(res.data?.signIn, client.email, client.ip);
  };

  const refresh = (token: string) => gql(REFRESH, { t: token });

  beforeAll(async () => {
    stack = await startTestStack();
    // What engagement would do: a consumer group of its own for the social events.
    const social: EventType[] = [
      'accounts.connection.requested',
      'accounts.connection.accepted',
      'accounts.connection.declined',
      'accounts.connection.removed',
      'accounts.user.followed',
      'accounts.user.unfollowed',
      'accounts.user.deleted',
    ];
    await stack.bus.subscribe('e2e.accounts-flows', social, async (event) => void events.push(event));
    admin = await createUser(stack, 'ADMIN', 'Ada Admin');
  });
  afterAll(async () => {
    await stack.stop();
  });

  describe('sign-up and one-time codes', () => {
    it('signs up unverified, e-mails a code, and signs in once the code is entered', async () => {
      const { email, ip } = await signUp('SELLER', 'Sam Seller');
      expect((await gql(`query($e: String!) { emailAvailable(email: $e) }`, { e: email.toUpperCase() })).data.emailAvailable).toBe(false);
      const early = await gql(SIGN_IN, { input: { email, password: PASSWORD } }, undefined, ip);
      expect(early.data.signIn.__typename).toBe('EmailNotVerified');
      const again = await gql(SIGN_UP, {
        input: { name: 'Other', email: email.toUpperCase(), password: 'another password', role: 'BUYER' },
      });
      expect(again.data.signUp.__typename).toBe('EmailTaken');

      const verified = await gql(VERIFY, { email, code: await latestCode(email) }, undefined, ip);
      const client = asClient(verified.data.verifyEmail, email, ip);
      expect(verified.data.verifyEmail.user).toMatchObject({ role: 'SELLER', email });
      // A short-lived, EdDSA-signed access token.
      const header = JSON.parse(Buffer.from(client.accessToken.split('.')[0] ?? '', 'base64url').toString('utf8'));
      expect(header.alg).toBe('EdDSA');
      const claims = claimsOf(client.accessToken);
      expect((claims['exp'] as number) - (claims['iat'] as number)).toBeLessThanOrEqual(15 * 60);
      expect((await gql(`{ me { id name role } }`, {}, client.accessToken)).data.me).toEqual({
        id: client.id,
        name: 'Sam Seller',
        role: 'SELLER',
      });
    });

    it('never grants ADMIN at sign-up', async () => {
      const res = await gql(SIGN_UP, {
        input: { name: 'Mallory', email: `${unique('m')}@example.com`, password: PASSWORD, role: 'ADMIN' },
      });
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
    });

    it('allows 5 wrong codes per account in all, aliases in one operation included; batches are refused', async () => {
      const { email, ip } = await signUp();
      const code = await latestCode(email);
      const batch = await fetch(stack.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(Array.from({ length: 3 }, () => ({ query: VERIFY, variables: { email, code: '000000' } }))),
      });
      expect(batch.status).toBe(400);

      const guesses = Array.from({ length: 9 }, (_, i) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0'));
      const aliased = guesses.map((g, i) => `g${i}: verifyEmail(email: $email, code: "${g}") { __typename }`).join(' ');
      const res = await gql(
        `mutation($email: String!) { ${aliased} right: verifyEmail(email: $email, code: "${code}") { __typename } }`,
        { email },
        undefined,
        ip,
      );
      expect(res.errors).toBeUndefined();
      const kinds = Object.values(res.data as Record<string, { __typename: string }>).map((v) => v.__typename);
      expect(kinds).toEqual([...Array(5).fill('InvalidCode'), ...Array(5).fill('TooManyAttempts')]);
      // From anywhere else, the right code no longer works either.
      expect((await gql(VERIFY, { email, code })).data.verifyEmail.__typename).toBe('TooManyAttempts');
      expect((await gql(SIGN_IN, { input: { email, password: PASSWORD } })).data.signIn.__typename).toBe('EmailNotVerified');
    });

    it('refuses a used code, and a code past its 10 minutes even when it is right', async () => {
      const client = await verifiedClient();
      const used = await latestCode(client.email);
      expect((await gql(VERIFY, { email: client.email, code: used })).data.verifyEmail.__typename).toBe('InvalidCode');

      const { email, ip } = await signUp();
      const code = await latestCode(email);
      expect((await gql(DEV_OUTBOX, { email })).data.devOutbox[0].body).toMatch(/for 10 minutes/);
      // Ten minutes pass (in the database, where the code's expiry is kept).
      const db = new Client({ connectionString: testDatabaseUrl('accounts') });
      await db.connect();
      try {
        await db.query(
          `UPDATE verification_codes SET expires_at = now() - interval '1 second' WHERE user_id = (SELECT id FROM users WHERE email = $1)`,
          [email],
        );
      } finally {
        await db.end();
      }
      expect((await gql(VERIFY, { email, code }, undefined, ip)).data.verifyEmail.__typename).toBe('CodeExpired');
      expect((await gql(SIGN_IN, { input: { email, password: PASSWORD } }, undefined, ip)).data.signIn.__typename).toBe('EmailNotVerified');
    });

    it('throttles resending with RATE_LIMITED and when to retry', async () => {
      const { email } = await signUp();
      const res = await gql(RESEND, { email });
      expect(res.status).toBe(200);
      expect(res.data).toBeNull();
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
      const retryAfter = res.errors?.[0]?.extensions?.['retryAfterSeconds'] as number;
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(res.errors?.[0]?.message).toBe(`Too many codes requested. Try again in ${retryAfter} s.`);
      expect((await gql(DEV_OUTBOX, { email })).data.devOutbox).toHaveLength(1);
    });
  });

  describe('sign-in and sessions', () => {
    it('limits sign-in attempts per account, whatever address they come from, and says when to retry', async () => {
      const client = await verifiedClient();
      for (let i = 0; i < 10; i++) {
        expect((await gql(SIGN_IN, { input: { email: client.email, password: `wrong guess ${i}` } })).data.signIn.__typename).toBe(
          'InvalidCredentials',
        );
      }
      const limited = await gql(SIGN_IN, { input: { email: client.email, password: PASSWORD } });
      expect(limited.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
      expect(limited.errors?.[0]?.extensions?.['retryAfterSeconds']).toBeLessThanOrEqual(15 * 60);
      expect(limited.errors?.[0]?.message).toMatch(/^Too many sign-in attempts\. Try again in \d+ s\.$/);
    });

    it('lists the caller’s sessions with their device, and ends one with revokeSession', async () => {
      const client = await verifiedClient();
      const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
      const other = await signIn(client, firefox);
      const res = await gql(MY_SESSIONS, {}, client.accessToken);
      expect(res.errors).toBeUndefined();
      expect(res.data.mySessions.edges.map((e: any) => e.node)).toHaveLength(2);
      expect(res.data.mySessions.edges.map((e: any) => e.node).find((s: { id: string }) => s.id === other.sessionId)).toMatchObject({
        user: { id: client.id },
        ipAddress: client.ip,
        userAgent: firefox,
        deviceInfo: 'Firefox on Linux',
        active: true,
        revoked: false,
        current: false,
      });
      const revoked = await gql(
        `mutation($id: ID!) { revokeSession(id: $id) { id active revoked } }`,
        { id: other.sessionId },
        client.accessToken,
      );
      expect(revoked.data.revokeSession).toEqual({ id: other.sessionId, active: false, revoked: true });
      expect((await refresh(other.refreshToken)).data.refreshSession.__typename).toBe('InvalidRefreshToken');
      // Another user's session is not there to revoke.
      const stranger = await verifiedClient();
      const foreign = await gql(`mutation($id: ID!) { revokeSession(id: $id) { id } }`, { id: stranger.sessionId }, client.accessToken);
      expect(errorCode(foreign)).toBe('NOT_FOUND');
      expect((await refresh(stranger.refreshToken)).data.refreshSession.__typename).toBe('AuthPayload');
    });

    it('rotates refresh tokens; presenting a rotated one ends the whole session', async () => {
      const client = await verifiedClient();
      const first = (await refresh(client.refreshToken)).data.refreshSession;
      expect(first).toMatchObject({ __typename: 'AuthPayload', sessionId: client.sessionId });
      expect(first.refreshToken).not.toBe(client.refreshToken);
      const second = (await refresh(first.refreshToken)).data.refreshSession;
      expect(second.__typename).toBe('AuthPayload');

      // The first token, replayed (stolen, say): the family ends, the newest token with it.
      expect((await refresh(client.refreshToken)).data.refreshSession.__typename).toBe('InvalidRefreshToken');
      expect((await refresh(second.refreshToken)).data.refreshSession.__typename).toBe('InvalidRefreshToken');
      expect(errorCode(await gql(MY_SESSIONS, {}, second.accessToken))).toBe('UNAUTHENTICATED');
      const fresh = await signIn(client);
      const listed = (await gql(MY_SESSIONS, {}, fresh.accessToken)).data.mySessions.edges.map((e: any) => e.node);
      expect(listed.find((s: { id: string }) => s.id === client.sessionId)).toMatchObject({ active: false, revoked: true });
    });

    it('logs out: the session ends, its refresh token with it', async () => {
      const client = await verifiedClient();
      expect((await gql(`mutation { logout }`, {}, client.accessToken)).data.logout).toBe(true);
      expect((await refresh(client.refreshToken)).data.refreshSession.__typename).toBe('InvalidRefreshToken');
      expect(errorCode(await gql(MY_SESSIONS, {}, client.accessToken))).toBe('UNAUTHENTICATED');
    });
  });

  describe('passwords', () => {
    const CHANGE = `mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { __typename ... on PasswordChanged { endedSessions } } }`;

    it('changing the password needs the current one and ends every other session', async () => {
      const client = await verifiedClient();
      const laptop = await signIn(client);
      expect(
        (await gql(CHANGE, { c: 'not my password', n: 'a brand new password' }, client.accessToken)).data.changePassword.__typename,
      ).toBe('InvalidCredentials');
      const changed = await gql(CHANGE, { c: PASSWORD, n: 'a brand new password' }, client.accessToken);
      expect(changed.data.changePassword).toEqual({ __typename: 'PasswordChanged', endedSessions: 1 });

      expect((await refresh(laptop.refreshToken)).data.refreshSession.__typename).toBe('InvalidRefreshToken');
      expect(errorCode(await gql(MY_SESSIONS, {}, laptop.accessToken))).toBe('UNAUTHENTICATED');
      expect((await gql(MY_SESSIONS, {}, client.accessToken)).errors).toBeUndefined();
      expect((await refresh(client.refreshToken)).data.refreshSession.__typename).toBe('AuthPayload');
      expect((await gql(SIGN_IN, { input: { email: client.email, password: PASSWORD } })).data.signIn.__typename).toBe(
        'InvalidCredentials',
      );
      expect((await gql(SIGN_IN, { input: { email: client.email, password: 'a brand new password' } })).data.signIn.__typename).toBe(
        'AuthPayload',
      );
    });

    it('resets a forgotten password with an e-mailed code, once, ending every session', async () => {
      const client = await verifiedClient();
      const RESET = `mutation($e: String!, $c: String!, $p: String!) { resetPassword(email: $e, code: $c, newPassword: $p) { __typename } }`;
      const asked = await gql(`mutation($e: String!) { requestPasswordReset(email: $e) { message } }`, { e: client.email.toUpperCase() });
      expect(asked.data.requestPasswordReset.message).toMatch(/If an account uses this address/);
      const code = await latestCode(client.email, /password reset/);
      const wrong = code === '000000' ? '111111' : '000000';
      expect((await gql(RESET, { e: client.email, c: wrong, p: 'reset password 123' })).data.resetPassword.__typename).toBe('InvalidCode');
      expect((await gql(RESET, { e: client.email, c: code, p: 'reset password 123' })).data.resetPassword.__typename).toBe('PasswordReset');
      expect((await gql(RESET, { e: client.email, c: code, p: 'another one 12345' })).data.resetPassword.__typename).toBe('InvalidCode');
      expect((await refresh(client.refreshToken)).data.refreshSession.__typename).toBe('InvalidRefreshToken');
      expect((await gql(SIGN_IN, { input: { email: client.email, password: 'reset password 123' } })).data.signIn.__typename).toBe(
        'AuthPayload',
      );
    });
  });

  describe('tokens the gateway refuses', () => {
    it('refuses expired, forged, alg:none and HS256 tokens for a real session with 401 UNAUTHENTICATED', async () => {
      const client = await verifiedClient();
      const secrets = await testSecrets();
      const identity = { userId: client.id, role: 'ADMIN' as const, sessionId: client.sessionId };
      const expired = (await (await AccessTokenSigner.fromPem(secrets.privateKeyPem, -60)).sign({ ...identity, role: 'BUYER' })).token;
      const otherKey = (await (await AccessTokenSigner.fromPem((await generateAccessTokenKeys()).privateKeyPem, 600)).sign(identity)).token;
      const now = Math.floor(Date.now() / 1000);
      const claims = {
        sub: client.id,
        role: 'ADMIN',
        sid: client.sessionId,
        iat: now,
        exp: now + 600,
        iss: ACCESS_TOKEN_ISSUER,
        aud: ACCESS_TOKEN_AUDIENCE,
      };
      const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
      const hsInput = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
      const hs256 = `${hsInput}.${createHmac('sha256', secrets.publicKeyPem).update(hsInput).digest('base64url')}`;
      // The real token's signature on raised claims.
      const [realHeader, , realSignature] = client.accessToken.split('.');
      const tampered = `${realHeader}.${b64({ ...claimsOf(client.accessToken), role: 'ADMIN' })}.${realSignature}`;

      for (const token of [expired, otherKey, none, hs256, tampered]) {
        const res = await gql(`{ users(first: 1) { edges { node { id } } } }`, {}, token);
        expect(res.status).toBe(401);
        expect(errorCode(res)).toBe('UNAUTHENTICATED');
        expect(res.data).toBeUndefined();
      }
      expect((await gql(`{ me { id } }`, {}, expired)).errors?.[0]?.message).toMatch(/expired: refresh it/);
      expect((await gql(`{ me { id } }`, {}, client.accessToken)).data.me).toEqual({ id: client.id });
    });
  });

  describe('roles', () => {
    const SET_ROLE = `mutation($id: ID!, $role: Role!) { setUserRole(userId: $id, role: $role) { id role } }`;

    it('a non-admin gets FORBIDDEN for every admin operation, and cannot raise their own role', async () => {
      const client = await verifiedClient('SELLER');
      const other = await verifiedClient();
      for (const [query, variables] of [
        [`{ users { edges { node { id } } } }`, {}],
        [SET_ROLE, { id: client.id, role: 'ADMIN' }],
        [SET_ROLE, { id: other.id, role: 'AGENT' }],
        [`mutation($id: ID!) { suspendUser(userId: $id) { id } }`, { id: other.id }],
        [`mutation($id: ID!) { unsuspendUser(userId: $id) { id } }`, { id: other.id }],
      ] as const) {
        const res = await gql(query, variables, client.accessToken);
        expect(errorCode(res)).toBe('FORBIDDEN');
        expect(res.data).toBeNull();
      }
      // Nor through a refresh, nor by editing the profile.
      expect((await refresh(client.refreshToken)).data.refreshSession.user.role).toBe('SELLER');
      const sneaky = await gql(`mutation { updateProfile(input: { role: ADMIN }) { id } }`, {}, client.accessToken);
      expect(sneaky.status).toBe(400);
      expect((await gql(`{ me { role } }`, {}, client.accessToken)).data.me.role).toBe('SELLER');
    });

    it('an admin lists and searches users, changes another user’s role (taken up at the next refresh), never their own', async () => {
      const client = await verifiedClient('BUYER', `Searchable ${unique('s')}`);
      const page = await gql(
        `query($s: String) { users(first: 5, search: $s) { edges { node { id email status } } pageInfo { hasNextPage } } }`,
        { s: client.email.toUpperCase() },
        admin.token,
      );
      expect(page.data.users).toEqual({
        edges: [{ node: { id: client.id, email: client.email, status: 'ACTIVE' } }],
        pageInfo: { hasNextPage: false },
      });

      expect((await gql(SET_ROLE, { id: client.id, role: 'AGENT' }, admin.token)).data.setUserRole).toEqual({
        id: client.id,
        role: 'AGENT',
      });
      const refreshed = (await refresh(client.refreshToken)).data.refreshSession;
      expect(claimsOf(refreshed.accessToken)['role']).toBe('AGENT');
      expect(errorCode(await gql(SET_ROLE, { id: admin.id, role: 'BUYER' }, admin.token))).toBe('FORBIDDEN');
      expect((await gql(`{ me { role } }`, {}, admin.token)).data.me.role).toBe('ADMIN');
    });

    it('suspending a user ends their sessions and refuses their access tokens at once', async () => {
      const client = await verifiedClient();
      const laptop = await signIn(client);
      const suspended = await gql(`mutation($id: ID!) { suspendUser(userId: $id) { id status } }`, { id: client.id }, admin.token);
      expect(suspended.data.suspendUser).toEqual({ id: client.id, status: 'SUSPENDED' });

      for (const token of [client.refreshToken, laptop.refreshToken]) {
        expect((await refresh(token)).data.refreshSession.__typename).toBe('AccountSuspended');
      }
      expect((await gql(SIGN_IN, { input: { email: client.email, password: PASSWORD } })).data.signIn.__typename).toBe('AccountSuspended');
      // What accounts guards checks the database: refused at once.
      expect(errorCode(await gql(MY_SESSIONS, {}, client.accessToken))).toBe('UNAUTHENTICATED');
      expect(errorCode(await gql(`mutation { updateProfile(input: { name: "Still here" }) { id } }`, {}, laptop.accessToken))).toBe(
        'UNAUTHENTICATED',
      );

      // The gateway refuses the signed token at once, for every subgraph, though it has not expired.
      const exp = claimsOf(client.accessToken)['exp'] as number;
      expect(exp * 1000).toBeGreaterThan(Date.now());
      const ended = await gql(`{ me { id } }`, {}, client.accessToken);
      expect(ended.status).toBe(401);
      expect(errorCode(ended)).toBe('UNAUTHENTICATED');
      expect(ended.errors?.[0]?.message).toBe('This session has ended: sign in again.');

      expect(
        (await gql(`mutation($id: ID!) { unsuspendUser(userId: $id) { status } }`, { id: client.id }, admin.token)).data.unsuspendUser
          .status,
      ).toBe('ACTIVE');
      expect((await gql(SIGN_IN, { input: { email: client.email, password: PASSWORD } })).data.signIn.__typename).toBe('AuthPayload');
    });
  });

  describe('profiles and avatars', () => {
    /** The smallest PNG there is: one transparent pixel. */
    const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
    const PROFILE = `query($id: ID!) { user(id: $id) { id name phone bio avatarUrl } }`;

    it('updates one’s own profile; others see the public part', async () => {
      const client = await verifiedClient();
      const updated = await gql(
        `mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { name phone bio } }`,
        { input: { name: 'Renamed', bio: 'Likes lofts.', phone: '+1 555 0100' } },
        client.accessToken,
      );
      expect(updated.data.updateProfile).toEqual({ name: 'Renamed', phone: '+1 555 0100', bio: 'Likes lofts.' });
      const stranger = await verifiedClient();
      expect((await gql(PROFILE, { id: client.id }, stranger.accessToken)).data.user).toEqual({
        id: client.id,
        name: 'Renamed',
        phone: null,
        bio: 'Likes lofts.',
        avatarUrl: null,
      });
    });

    it('uploads an avatar straight to storage with a pre-signed URL, not through GraphQL', async () => {
      const client = await verifiedClient();
      const res = await gql(
        `mutation($size: Int!) { createAvatarUpload(contentType: "image/png", size: $size) { uploadUrl method headers { name value } avatarUrl expiresAt } }`,
        { size: PNG.length },
        client.accessToken,
      );
      expect(res.errors).toBeUndefined();
      const upload = res.data.createAvatarUpload;
      expect(upload.method).toBe('PUT');
      expect(new URL(upload.uploadUrl).origin).not.toBe(new URL(stack.url).origin);
      expect(new Date(upload.expiresAt).getTime()).toBeGreaterThan(Date.now());

      const put = await fetch(upload.uploadUrl, {
        method: 'PUT',
        headers: Object.fromEntries(upload.headers.map((h: { name: string; value: string }) => [h.name, h.value])),
        body: PNG,
      });
      expect(put.status).toBe(200);
      const set = await gql(
        `mutation($url: String!) { updateProfile(input: { avatarUrl: $url }) { avatarUrl } }`,
        { url: upload.avatarUrl },
        client.accessToken,
      );
      expect(set.data.updateProfile.avatarUrl).toBe(upload.avatarUrl);
      expect((await gql(PROFILE, { id: client.id })).data.user.avatarUrl).toBe(upload.avatarUrl);
      const served = await fetch(upload.avatarUrl);
      expect(served.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await served.arrayBuffer()).equals(PNG)).toBe(true);

      // Refused: a type that is no picture, a picture too large, and anyone else's URL.
      expect(
        errorCode(await gql(`mutation { createAvatarUpload(contentType: "text/html", size: 10) { uploadUrl } }`, {}, client.accessToken)),
      ).toBe('BAD_USER_INPUT');
      expect(
        errorCode(
          await gql(`mutation { createAvatarUpload(contentType: "image/png", size: 6000000) { uploadUrl } }`, {}, client.accessToken),
        ),
      ).toBe('BAD_USER_INPUT');
      const other = await verifiedClient();
      expect(
        errorCode(
          await gql(
            `mutation($url: String!) { updateProfile(input: { avatarUrl: $url }) { id } }`,
            { url: upload.avatarUrl },
            other.accessToken,
          ),
        ),
      ).toBe('BAD_USER_INPUT');
    });
  });

  describe('connections and follows', () => {
    const CONNECTION = `id status requester { id } addressee { id } user { id name }`;
    const REQUEST = `mutation($id: ID!) { requestConnection(userId: $id) { ${CONNECTION} } }`;
    const ACCEPT = `mutation($id: ID!) { acceptConnection(id: $id) { ${CONNECTION} } }`;
    const PENDING = `query($d: ContactDirection) { myConnectionRequests(direction: $d) { edges { node { id } } } }`;
    const eventsOf = (type: string, ids: string[]) =>
      events.filter((e) => e.type === type && ids.every((id) => JSON.stringify(e.payload).includes(id))).map((e) => e.payload);

    it('requests, accepts, declines and removes connections, lists them, finds mutual ones, each change an event', async () => {
      const [ann, bob, cat] = [
        await verifiedClient('BUYER', 'Ann'),
        await verifiedClient('BUYER', 'Bob'),
        await verifiedClient('BUYER', 'Cat'),
      ];
      const asked = (await gql(REQUEST, { id: bob.id }, ann.accessToken)).data.requestConnection;
      expect(asked).toMatchObject({
        status: 'PENDING',
        requester: { id: ann.id },
        addressee: { id: bob.id },
        user: { id: bob.id, name: 'Bob' },
      });
      expect((await gql(PENDING, {}, bob.accessToken)).data.myConnectionRequests.edges.map((e: any) => e.node)).toEqual([{ id: asked.id }]);
      expect((await gql(PENDING, { d: 'OUTGOING' }, ann.accessToken)).data.myConnectionRequests.edges.map((e: any) => e.node)).toEqual([
        { id: asked.id },
      ]);
      expect(errorCode(await gql(ACCEPT, { id: asked.id }, cat.accessToken))).toBe('NOT_FOUND');
      expect((await gql(ACCEPT, { id: asked.id }, bob.accessToken)).data.acceptConnection).toMatchObject({
        status: 'ACCEPTED',
        user: { id: ann.id },
      });

      const declined = (await gql(REQUEST, { id: bob.id }, cat.accessToken)).data.requestConnection;
      expect(
        (await gql(`mutation($id: ID!) { declineConnection(id: $id) }`, { id: declined.id }, bob.accessToken)).data.declineConnection,
      ).toBe(true);
      const catToAnn = (await gql(REQUEST, { id: ann.id }, cat.accessToken)).data.requestConnection;
      await gql(ACCEPT, { id: catToAnn.id }, ann.accessToken);
      const bobToCat = (await gql(REQUEST, { id: cat.id }, bob.accessToken)).data.requestConnection;
      await gql(ACCEPT, { id: bobToCat.id }, cat.accessToken);

      expect(
        (await gql(`{ myConnections { edges { node { user { id } } } } }`, {}, ann.accessToken)).data.myConnections.edges
          .map((e: any) => e.node)
          .map((c: any) => c.user.id)
          .sort(),
      ).toEqual([bob.id, cat.id].sort());
      expect(
        (
          await gql(`query($id: ID!) { mutualConnections(userId: $id) { edges { node { id name } } } }`, { id: bob.id }, ann.accessToken)
        ).data.mutualConnections.edges.map((e: any) => e.node),
      ).toEqual([{ id: cat.id, name: 'Cat' }]);

      expect(
        (await gql(`mutation($id: ID!) { removeConnection(userId: $id) }`, { id: bob.id }, ann.accessToken)).data.removeConnection,
      ).toBe(true);
      expect(
        (await gql(`{ myConnections { edges { node { user { id } } } } }`, {}, ann.accessToken)).data.myConnections.edges.map(
          (e: any) => e.node,
        ),
      ).toEqual([{ user: { id: cat.id } }]);

      // Each change reached the bus, for engagement's feeds.
      await eventually(async () => eventsOf('accounts.connection.removed', [ann.id, bob.id]).length === 1);
      expect(eventsOf('accounts.connection.requested', [ann.id, bob.id])).toEqual([
        { connectionId: asked.id, requesterId: ann.id, addresseeId: bob.id },
      ]);
      expect(eventsOf('accounts.connection.accepted', [ann.id, bob.id])).toEqual([
        { connectionId: asked.id, requesterId: ann.id, addresseeId: bob.id },
      ]);
      expect(eventsOf('accounts.connection.removed', [ann.id, bob.id])).toEqual([
        { connectionId: asked.id, requesterId: ann.id, addresseeId: bob.id, removedBy: ann.id },
      ]);
      await eventually(async () => eventsOf('accounts.connection.declined', [cat.id, bob.id]).length === 1);
      expect(eventsOf('accounts.connection.declined', [cat.id, bob.id])).toEqual([
        { connectionId: declined.id, requesterId: cat.id, addresseeId: bob.id },
      ]);
    });

    it('follows sellers and agents (not buyers), counts followers, and unfollows, each an event', async () => {
      const fan = await verifiedClient('BUYER', 'Fan');
      const seller = await verifiedClient('SELLER', 'Seller');
      const agent = await verifiedClient('AGENT', 'Agent');
      const buyer = await verifiedClient('BUYER', 'Buyer');
      const FOLLOW = `mutation($id: ID!) { follow(userId: $id) { id followerCount } }`;
      expect((await gql(FOLLOW, { id: seller.id }, fan.accessToken)).data.follow).toEqual({ id: seller.id, followerCount: 1 });
      expect((await gql(FOLLOW, { id: agent.id }, fan.accessToken)).data.follow).toEqual({ id: agent.id, followerCount: 1 });
      expect(errorCode(await gql(FOLLOW, { id: buyer.id }, fan.accessToken))).toBe('BAD_USER_INPUT');
      expect(
        (await gql(`{ myFollowing { edges { node { id } } } }`, {}, fan.accessToken)).data.myFollowing.edges
          .map((e: any) => e.node)
          .map((u: any) => u.id)
          .sort(),
      ).toEqual([seller.id, agent.id].sort());
      expect(
        (await gql(`{ myFollowers { edges { node { id name } } } }`, {}, seller.accessToken)).data.myFollowers.edges.map(
          (e: any) => e.node,
        ),
      ).toEqual([{ id: fan.id, name: 'Fan' }]);
      expect((await gql(`mutation($id: ID!) { unfollow(userId: $id) }`, { id: seller.id }, fan.accessToken)).data.unfollow).toBe(true);
      expect((await gql(`query($id: ID!) { user(id: $id) { followerCount } }`, { id: seller.id })).data.user.followerCount).toBe(0);

      await eventually(async () => eventsOf('accounts.user.unfollowed', [fan.id, seller.id]).length === 1);
      expect(eventsOf('accounts.user.followed', [fan.id, seller.id])).toEqual([{ followerId: fan.id, followeeId: seller.id }]);
      expect(eventsOf('accounts.user.unfollowed', [fan.id, seller.id])).toEqual([{ followerId: fan.id, followeeId: seller.id }]);
      await eventually(async () => eventsOf('accounts.user.followed', [fan.id, agent.id]).length === 1);
    });
  });

  describe('deleting an account', () => {
    const deletedEventFor = async (userId: string) =>
      events.some((e) => e.type === 'accounts.user.deleted' && (e.payload as { userId: string }).userId === userId);

    it('needs the password, then erases the user here and, through events, their posts in engagement', async () => {
      const client = await verifiedClient('SELLER', 'Leaving Lee');
      const post = await gql(
        `mutation { createPost(input: { body: "Last post before I go." }) { ... on Post { id } } }`,
        {},
        client.accessToken,
      );
      expect(post.errors).toBeUndefined();
      const DELETE = `mutation($p: String!) { deleteAccount(password: $p) { __typename } }`;
      expect((await gql(DELETE, { p: 'not my password' }, client.accessToken)).data.deleteAccount.__typename).toBe('InvalidCredentials');
      expect((await gql(DELETE, { p: PASSWORD }, client.accessToken)).data.deleteAccount.__typename).toBe('AccountDeleted');

      await eventually(() => deletedEventFor(client.id));
      const gone = await eventually(async () => {
        const res = await gql(`query($id: ID!) { user(id: $id) { name avatarUrl posts { id } } }`, { id: client.id });
        return res.data?.user?.posts?.length === 0 ? res.data.user : null;
      });
      expect(gone).toEqual({ name: 'Deleted user', avatarUrl: null, posts: [] });
      expect((await gql(`query($id: ID!) { post(id: $id) { id } }`, { id: post.data.createPost.id })).data?.post ?? null).toBeNull();

      expect((await gql(SIGN_IN, { input: { email: client.email, password: PASSWORD } })).data.signIn.__typename).toBe(
        'InvalidCredentials',
      );
      expect((await refresh(client.refreshToken)).data.refreshSession.__typename).toBe('InvalidRefreshToken');
      expect(errorCode(await gql(MY_SESSIONS, {}, client.accessToken))).toBe('UNAUTHENTICATED');
      expect((await gql(`query($e: String!) { emailAvailable(email: $e) }`, { e: client.email })).data.emailAvailable).toBe(true);
    });
  });
});
