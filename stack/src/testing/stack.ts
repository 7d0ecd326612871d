import { Client } from 'pg';
import {
  createLogger,
  InProcessEventBus,
  MemoryPubSub,
  MemorySessionRevocations,
  SUBGRAPH_NAMES,
  type SubgraphName,
} from '@market/platform';
import { testDatabaseUrl, testSecrets, unique } from '@market/platform/testing';
import { startStack, type RunningStack } from '../stack';

export interface TestStack extends RunningStack {
  bus: InProcessEventBus;
  pubsub: MemoryPubSub;
  /** The store accounts records ended sessions in and the gateway checks (REDIS_URL is not given to the stack). */
  revocations: MemorySessionRevocations;
  /** POSTs an operation to the gateway the way a client would. */
  request<T = any>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
    headers?: Record<string, string>,
  ): Promise<{ status: number; data?: T; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[] }>;
}

/** The whole graph on the test databases, in this process, on free ports. */
export async function startTestStack(
  options: { nodeEnv?: 'development' | 'test' | 'production'; bus?: InProcessEventBus } = {},
): Promise<TestStack> {
  const secrets = await testSecrets();
  const bus = options.bus ?? new InProcessEventBus(createLogger('events', 'silent'));
  const pubsub = new MemoryPubSub(createLogger('pubsub', 'silent'));
  const revocations = new MemorySessionRevocations();
  const stack = await startStack({
    databaseUrls: Object.fromEntries(SUBGRAPH_NAMES.map((d) => [d, testDatabaseUrl(d)])) as Record<SubgraphName, string>,
    signingSecret: secrets.signingSecret,
    jwtPrivateKey: secrets.privateKeyPem,
    jwtPublicKey: secrets.publicKeyPem,
    nodeEnv: options.nodeEnv ?? 'test',
    logLevel: 'silent',
    bus,
    pubsub,
    revocations,
    // The suites call as many clients from many addresses (X-Forwarded-For) through this one loopback peer.
    extraEnv: { TRUST_PROXY: 'loopback' },
    // Idle upstream sockets close soon after the last subscriber, so jest can exit right after stop().
    subscriptionLimits: { upstreamIdleCloseMs: 50 },
  });
  return {
    ...stack,
    bus,
    pubsub,
    revocations,
    async request(query, variables, token, headers = {}) {
      const response = await fetch(stack.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, ...((await response.json()) as object) };
    },
  };
}

export interface TestUser {
  id: string;
  email: string;
  name: string;
  token: string;
}

const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { __typename } }`;
/** A new user's first sign-in: the e-mailed code, verified, opens their session. */
const SIGN_IN = `mutation($email: String!, $code: String!) { verifyEmail(email: $email, code: $code) {
  __typename ... on AuthPayload { accessToken user { id } } } }`;
/** The password createUser signs every test user up with. */
export const PASSWORD = 'correct horse battery staple';

/**
 * Signs a new user up through the gateway and verifies their e-mail with the code the development
 * mailer left in the accounts database (read directly: the devOutbox query is off in production).
 * ADMIN is granted directly in the accounts database before verifying, as an operator would.
 */
export async function createUser(
  stack: TestStack,
  role: 'BUYER' | 'SELLER' | 'AGENT' | 'HOST' | 'ADMIN' = 'BUYER',
  name = 'Test User',
): Promise<TestUser> {
  const email = `${unique(role.toLowerCase())}@example.com`;
  const res = await stack.request(SIGN_UP, { input: { name, email, password: PASSWORD, role: role === 'ADMIN' ? 'BUYER' : role } });
  if (res.data?.signUp?.__typename !== 'VerificationSent') throw new Error(`sign-up failed: ${JSON.stringify(res)}`);
  const db = new Client({ connectionString: testDatabaseUrl('accounts') });
  await db.connect();
  let code: string | undefined;
  try {
    if (role === 'ADMIN') await db.query(`UPDATE users SET role = 'ADMIN' WHERE email = $1`, [email]);
    const sent = await db.query<{ body: string }>(`SELECT body FROM dev_outbox WHERE recipient = $1 ORDER BY created_at DESC LIMIT 1`, [
      email,
    ]);
    code = /\b(\d{6})\b/.exec(sent.rows[0]?.body ?? '')?.[1];
  } finally {
    await db.end();
  }
  if (!code) throw new Error(`no verification code was sent to ${email}`);
  const verified = await stack.request(SIGN_IN, { email, code });
  if (verified.data?.verifyEmail?.__typename !== 'AuthPayload') throw new Error(`verification failed: ${JSON.stringify(verified)}`);
  return { id: verified.data.verifyEmail.user.id, email, name, token: verified.data.verifyEmail.accessToken };
}

/** Events travel asynchronously: e2e tests poll with the one `eventually` of the platform's test support. */
export { eventually } from '@market/platform/testing';
