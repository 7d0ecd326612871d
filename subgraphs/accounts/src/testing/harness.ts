import { randomBytes, randomInt } from 'node:crypto';
import { Pool } from 'pg';
import {
  CALLER_HEADER,
  REQUEST_ID_HEADER,
  SIGNATURE_HEADER,
  createLogger,
  encodeCaller,
  signRequest,
  type Identity,
  type HostDeps,
  type Logger,
  type RunningServer,
} from '@market/platform';
import { testDatabaseUrl, testSecrets, unique, type GraphQLResponse } from '@market/platform/testing';
import { createSubgraph, loadEnv, type AccountsDeps, type AccountsSubgraph } from '../subgraph';

/** Test support for the accounts subgraph: a running instance, signed calls, and user builders. */
export interface Harness {
  url: string;
  secret: string;
  subgraph: AccountsSubgraph;
  running: RunningServer;
  /** The accounts test database, for what a client cannot see (counters, outbox rows). */
  db: Pool;
  queries: string[];
  close(): Promise<void>;
}

export async function startAccounts(
  env: Record<string, string> = {},
  deps: Partial<AccountsDeps & HostDeps> = {},
  logger: Logger = createLogger('accounts', 'silent'),
): Promise<Harness> {
  const secrets = await testSecrets();
  const queries: string[] = [];
  const subgraph = await createSubgraph(
    loadEnv({
      NODE_ENV: 'test',
      DATABASE_URL: testDatabaseUrl('accounts'),
      GATEWAY_SIGNING_SECRET: secrets.signingSecret,
      JWT_PRIVATE_KEY: secrets.privateKeyPem,
      DATABASE_POOL_SIZE: '30',
      // No purge in the background of tests (its statements would show up in `queries`);
      // retention.int.test.ts runs it when it wants.
      RETENTION_PURGE_INTERVAL_MINUTES: '0',
      ...env,
    }),
    logger,
    { bus: null, onQuery: (sql) => queries.push(sql), ...deps },
  );
  const running = await subgraph.listen(0, '127.0.0.1');
  const db = new Pool({ connectionString: testDatabaseUrl('accounts'), max: 3 });
  return {
    url: running.url,
    secret: secrets.signingSecret,
    subgraph,
    running,
    db,
    queries,
    async close() {
      await running.close();
      await subgraph.close();
      await db.end();
    },
  };
}

/** A made-up client address, so each test has its own per-IP limits. */
export function randomIp(): string {
  return `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
}

/** Calls the subgraph signed as the gateway would, from `ip`, as `identity`. */
export async function call<T = any>(
  h: Harness,
  query: string,
  variables: Record<string, unknown> = {},
  options: { identity?: Identity | null; ip?: string; userAgent?: string } = {},
): Promise<GraphQLResponse<T> & { data?: any }> {
  const body = JSON.stringify({ query, variables });
  const callerHeader = encodeCaller({
    identity: options.identity ?? null,
    ip: options.ip ?? randomIp(),
    userAgent: options.userAgent ?? 'jest',
  });
  const requestId = `test-${randomBytes(6).toString('hex')}`;
  const response = await fetch(h.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [CALLER_HEADER]: callerHeader,
      [REQUEST_ID_HEADER]: requestId,
      [SIGNATURE_HEADER]: signRequest(h.secret, { callerHeader, requestId, body }),
    },
    body,
  });
  return { status: response.status, ...((await response.json()) as object) };
}

export const PASSWORD = 'correct horse battery';

export const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) {
  __typename ... on VerificationSent { email codeExpiresAt message } ... on EmailTaken { email message } } }`;
export const VERIFY_EMAIL = `mutation($email: String!, $code: String!) { verifyEmail(email: $email, code: $code) {
  __typename ... on AuthPayload { accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt sessionId user { id name email role emailVerified } }
  ... on InvalidCode { message } ... on CodeExpired { message } ... on TooManyAttempts { message } ... on AccountSuspended { message } } }`;
export const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) {
  __typename ... on AuthPayload { accessToken refreshToken sessionId user { id email role } }
  ... on InvalidCredentials { message } ... on EmailNotVerified { email message } ... on AccountSuspended { message } } }`;
export const REFRESH = `mutation($t: String!) { refreshSession(refreshToken: $t) {
  __typename ... on AuthPayload { accessToken refreshToken sessionId user { id role } } ... on InvalidRefreshToken { message } ... on AccountSuspended { message } } }`;
export const DEV_OUTBOX = `query($email: String!) { devOutbox(email: $email) { id channel to subject body createdAt } }`;

export function newEmail(prefix = 'user'): string {
  return `${unique(prefix)}@Example.com`;
}

/** The newest code e-mailed to this address, read like a developer would: through devOutbox. */
export async function latestCode(h: Harness, email: string): Promise<string> {
  const res = await call(h, DEV_OUTBOX, { email });
  const body: string | undefined = res.data?.devOutbox?.[0]?.body;
  const code = body ? /\b(\d{6})\b/.exec(body)?.[1] : undefined;
  if (!code) throw new Error(`no code was e-mailed to ${email}: ${JSON.stringify(res)}`);
  return code;
}

export async function signUp(h: Harness, overrides: Record<string, unknown> = {}, ip = randomIp()) {
  const input = { name: 'Ada Lovelace', email: newEmail(), password: PASSWORD, role: 'SELLER', ...overrides };
  const res = await call(h, SIGN_UP, { input }, { ip });
  return { email: input.email as string, input, res };
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  role: string;
  accessToken: string;
  refreshToken: string;
  sessionId: string;
  identity: Identity;
  ip: string;
}

/** A verified, signed-in user (signed up, code read from the outbox, verified). */
export async function verifiedUser(h: Harness, overrides: Record<string, unknown> = {}): Promise<TestUser> {
  const ip = randomIp();
  const { email, input, res } = await signUp(h, overrides, ip);
  if (res.data?.signUp?.__typename !== 'VerificationSent') throw new Error(`sign-up failed: ${JSON.stringify(res)}`);
  const verified = await call(h, VERIFY_EMAIL, { email, code: await latestCode(h, email) }, { ip });
  const payload = verified.data?.verifyEmail;
  if (payload?.__typename !== 'AuthPayload') throw new Error(`verification failed: ${JSON.stringify(verified)}`);
  return {
    id: payload.user.id,
    email: email.toLowerCase(),
    password: input.password as string,
    role: payload.user.role,
    accessToken: payload.accessToken,
    refreshToken: payload.refreshToken,
    sessionId: payload.sessionId,
    identity: { userId: payload.user.id, role: payload.user.role, sessionId: payload.sessionId },
    ip,
  };
}

/** Makes a user an admin as an operator would (in the database), then signs them in again. */
export async function verifiedAdmin(h: Harness): Promise<TestUser> {
  const user = await verifiedUser(h, { role: 'BUYER', name: 'Ada Admin' });
  await h.db.query(`UPDATE users SET role = 'ADMIN' WHERE id = $1`, [user.id]);
  const res = await call(h, SIGN_IN, { input: { email: user.email, password: user.password } }, { ip: user.ip });
  const payload = res.data.signIn;
  return {
    ...user,
    role: 'ADMIN',
    accessToken: payload.accessToken,
    refreshToken: payload.refreshToken,
    sessionId: payload.sessionId,
    identity: { userId: user.id, role: 'ADMIN', sessionId: payload.sessionId },
  };
}

/** Opens another session for the user (another device). */
export async function signInAgain(h: Harness, user: TestUser, userAgent = 'jest') {
  const res = await call(h, SIGN_IN, { input: { email: user.email, password: user.password } }, { ip: user.ip, userAgent });
  const payload = res.data.signIn;
  if (payload?.__typename !== 'AuthPayload') throw new Error(`sign-in failed: ${JSON.stringify(res)}`);
  return {
    refreshToken: payload.refreshToken as string,
    sessionId: payload.sessionId as string,
    identity: { userId: user.id, role: payload.user.role, sessionId: payload.sessionId } as Identity,
  };
}

export async function outboxEvents(h: Harness, aggregateLike: string): Promise<{ type: string; payload: any }[]> {
  const { rows } = await h.db.query(`SELECT type, payload FROM outbox_events WHERE aggregate_id LIKE $1 ORDER BY seq`, [
    `%${aggregateLike}%`,
  ]);
  return rows;
}
