import { randomUUID } from 'node:crypto';
import { InProcessEventBus, MemoryPubSub, createLogger, type EventBus, type Identity, type Role } from '@market/platform';
import { callSubgraph, testDatabaseUrl, testSecrets, type GraphQLResponse, signedSubscriber } from '@market/platform/testing';
import { createSubgraph, loadEnv } from '../subgraph';
import { createPrisma } from '../db';

/** A messaging subgraph on a random port against the test database, with a query counter; `env` overrides its settings. */
export async function startMessaging(options: { bus?: EventBus | null; env?: Record<string, string>; jobs?: boolean } = {}) {
  const { signingSecret } = await testSecrets();
  const env = loadEnv({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: testDatabaseUrl('messaging'),
    DATABASE_POOL_SIZE: '5',
    GATEWAY_SIGNING_SECRET: signingSecret,
    ...options.env,
  });
  const logger = createLogger('messaging', 'silent');
  let sql: string[] = [];
  const pubsub = new MemoryPubSub(logger);
  // `jobs: false`: no background job runs (tests that count the subgraph's SQL statements).
  const subgraph = await createSubgraph(env, logger, {
    bus: options.bus ?? null,
    pubsub,
    onQuery: (q) => sql.push(q),
    ...(options.jobs === false ? { start: false } : {}),
  });
  if (options.jobs === false) subgraph.startRelay();
  const running = await subgraph.listen(0, '127.0.0.1');
  const subscriber = signedSubscriber(running.url, signingSecret);
  // A separate client to look at what was (not) written, outside the subgraph's query count.
  const db = createPrisma(env.DATABASE_URL, 2);

  return {
    db,
    logger,
    pubsub,
    /** Where the subgraph answers GraphQL (POST /graphql). */
    url: running.url,
    /** The subgraph's job scheduler (runs the jobs now: `runNow(name)`), once started. */
    scheduler: () => subgraph.scheduler,
    /** Subscribes over graphql-ws the way the gateway does (signed connection and subscribe, the caller in the envelope). */
    subscribe: subscriber.subscribe,
    call<T = Record<string, unknown>>(
      as: Identity | null,
      query: string,
      variables?: Record<string, unknown>,
    ): Promise<GraphQLResponse<T>> {
      return callSubgraph<T>(running.url, { query, ...(variables ? { variables } : {}) }, { secret: signingSecret, identity: as });
    },
    /** Runs `fn` and returns the SQL statements the subgraph sent meanwhile. */
    async countQueries<R>(fn: () => Promise<R>): Promise<{ result: R; statements: string[] }> {
      sql = [];
      const result = await fn();
      const statements = sql;
      sql = [];
      return { result, statements };
    },
    async close() {
      await subscriber.close();
      await running.close();
      await subgraph.close();
      await db.$disconnect();
    },
  };
}

export type Messaging = Awaited<ReturnType<typeof startMessaging>>;

/**
 * For a test file whose subgraph consumes events: an in-process bus (quick retries) and a messaging subgraph on it,
 * started in `beforeAll` and closed in `afterAll`. The getters are valid inside hooks and tests.
 */
export function useMessaging(): { m: () => Messaging; bus: () => InProcessEventBus } {
  let m: Messaging | undefined;
  let bus: InProcessEventBus | undefined;
  beforeAll(async () => {
    bus = new InProcessEventBus(createLogger('bus', 'silent'), { attempts: 2, initialDelayMs: 10, maxDelayMs: 20 });
    m = await startMessaging({ bus });
  });
  afterAll(async () => {
    await m?.close();
    await bus?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useMessaging: used outside a test (the subgraph is not started)');
    return value;
  };
  return { m: () => started(m), bus: () => started(bus) };
}

/** Waits until `condition` holds (live events travel asynchronously). */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A signed-in user nobody else has seen (user ids come from accounts; here any uuid will do). */
export function someone(role: Role = 'BUYER'): Identity {
  return { userId: randomUUID(), role, sessionId: randomUUID() };
}

/** The first error's code, for asserting on faults. */
export function codeOf(response: GraphQLResponse<unknown>): unknown {
  return response.errors?.[0]?.extensions?.['code'];
}

export const START = /* GraphQL */ `
  mutation Start($input: StartConversationInput!) {
    startConversation(input: $input) {
      __typename
      ... on Conversation {
        id
        createdAt
        lastMessageAt
        participants {
          id
        }
      }
      ... on ParticipantsUnavailable {
        userIds
        message
      }
    }
  }
`;

/**
 * Makes users known to messaging, as `accounts.user.registered` would (a conversation only includes
 * users accounts announced).
 */
export async function known(m: Messaging, ...users: (Identity & { name?: string })[]): Promise<void> {
  await m.db.knownUser.createMany({
    data: users.map((u) => ({ userId: u.userId, name: u.name ?? `User ${u.userId.slice(0, 4)}`, role: u.role, lastEventAt: new Date() })),
    skipDuplicates: true,
  });
}

export const SEND = /* GraphQL */ `
  mutation Send($conversationId: ID!, $body: String!) {
    sendMessage(conversationId: $conversationId, body: $body) {
      id
      body
      createdAt
      sender {
        id
      }
      conversation {
        id
      }
    }
  }
`;

export interface StartedConversation {
  id: string;
  createdAt: string;
  lastMessageAt: string | null;
  participants: { id: string }[];
}

export interface SentMessage {
  id: string;
  body: string;
  createdAt: string;
  sender: { id: string };
  conversation: { id: string };
}

/** Starts a conversation through the API and fails loudly if it did not work. */
export async function startConversation(m: Messaging, as: Identity, others: Identity[], body?: string): Promise<StartedConversation> {
  await known(m, as, ...others);
  const res = await m.call<{ startConversation: StartedConversation }>(as, START, {
    input: { participantIds: others.map((o) => o.userId), ...(body !== undefined ? { body } : {}) },
  });
  if (!res.data?.startConversation || !res.data.startConversation.id) {
    throw new Error(`startConversation failed: ${JSON.stringify(res.errors ?? res.data)}`);
  }
  return res.data.startConversation;
}

export async function sendMessage(m: Messaging, as: Identity, conversationId: string, body: string): Promise<SentMessage> {
  const res = await m.call<{ sendMessage: SentMessage }>(as, SEND, { conversationId, body });
  if (!res.data?.sendMessage) throw new Error(`sendMessage failed: ${JSON.stringify(res.errors)}`);
  return res.data.sendMessage;
}
