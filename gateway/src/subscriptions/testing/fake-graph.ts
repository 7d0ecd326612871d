import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'graphql';
import { composeServices } from '@apollo/composition';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import WebSocket from 'ws';
import { createClient, type Client, type ClientOptions } from 'graphql-ws';
import {
  AccessTokenSigner,
  AccessTokenVerifier,
  CALLER_HEADER,
  REQUEST_ID_HEADER,
  SIGNATURE_HEADER,
  MemoryPubSub,
  UnauthenticatedError,
  createLogger,
  createSubgraphServer,
  createSubgraphSubscriptions,
  defineTopic,
  encodeCaller,
  publishLiveEvent,
  requireUser,
  signRequest,
  subscriptionField,
  type BaseContext,
  type Identity,
  type PubSub,
  type SubgraphSubscriptions,
} from '@market/platform';
import { testSecrets } from '@market/platform/testing';
import { z } from 'zod';
import { allowedOrigins, loadGatewayEnv } from '../../env';
import { createGateway, type GatewayContext, type GatewayServer } from '../../gateway';
import { createSubscriptionServer, type SubscriptionLimits, type SubscriptionServer } from '..';

/**
 * A small federated graph for subscription tests, independent of the real domain subgraphs:
 * `reviews` owns Review and `Subscription.reviewAdded`; `users` owns `User.name`. Reviews can run
 * as several replicas sharing one store and one pub/sub, as they would share a database and Redis.
 */
const REVIEWS_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

  type Review @key(fields: "id") {
    id: ID!
    productId: ID!
    body: String!
    "Only its author (and admins) may see a private review, live or not."
    private: Boolean!
    "Where this review sits in its product's stream; reviewsAfter(after:) resumes from it."
    cursor: String!
    author: User!
  }

  type User @key(fields: "id", resolvable: false) {
    id: ID!
  }

  type Query {
    "The reviews of a product after a cursor (all without one), oldest first: the catch-up query."
    reviewsAfter(productId: ID!, after: String): [Review!]!
  }

  type Mutation {
    addReview(productId: ID!, body: String!, private: Boolean = false): Review!
  }

  type Subscription {
    "Reviews added to a product from now on. Needs a signed-in user."
    reviewAdded(productId: ID!): Review
  }
`;

const USERS_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

  type User @key(fields: "id") {
    id: ID!
    name: String!
  }

  type Query {
    user(id: ID!): User
  }
`;

interface StoredReview {
  id: string;
  productId: string;
  body: string;
  private: boolean;
  authorId: string;
  cursor: string;
}

export const reviewAddedTopic = defineTopic(
  'reviews.reviewAdded',
  z.object({ id: z.string(), productId: z.string(), body: z.string(), private: z.boolean(), authorId: z.string() }),
);

interface ReviewsContext extends BaseContext {
  pubsub: PubSub;
}

/** The store both replicas share (the database, in a real subgraph). */
class ReviewStore {
  readonly reviews: StoredReview[] = [];
  private sequence = 0;

  add(input: Omit<StoredReview, 'id' | 'cursor'>): StoredReview {
    this.sequence += 1;
    const review = { ...input, id: randomUUID(), cursor: String(this.sequence).padStart(12, '0') };
    this.reviews.push(review);
    return review;
  }

  visibleTo(review: StoredReview, identity: Identity | null): boolean {
    return !review.private || identity?.role === 'ADMIN' || identity?.userId === review.authorId;
  }
}

function reviewsResolvers(store: ReviewStore) {
  const toGraphQL = (r: StoredReview) => ({ ...r, author: { __typename: 'User', id: r.authorId } });
  return {
    Review: {
      __resolveReference: (ref: { id: string }) => store.reviews.find((r) => r.id === ref.id) ?? null,
      author: (review: { authorId: string }) => ({ __typename: 'User', id: review.authorId }),
    },
    Query: {
      reviewsAfter: (_: unknown, args: { productId: string; after?: string | null }, ctx: ReviewsContext) =>
        store.reviews
          .filter((r) => r.productId === args.productId && (!args.after || r.cursor > args.after) && store.visibleTo(r, ctx.identity))
          .map(toGraphQL),
    },
    Mutation: {
      addReview: async (_: unknown, args: { productId: string; body: string; private: boolean }, ctx: ReviewsContext) => {
        const user = requireUser(ctx);
        const review = store.add({ productId: args.productId, body: args.body, private: args.private, authorId: user.userId });
        await publishLiveEvent(ctx.pubsub, reviewAddedTopic, review.productId, {
          cursor: review.cursor,
          payload: { id: review.id, productId: review.productId, body: review.body, private: review.private, authorId: review.authorId },
        });
        return toGraphQL(review);
      },
    },
    Subscription: {
      reviewAdded: subscriptionField<StoredReviewPayload, { productId: string }, ReviewsContext>({
        topic: reviewAddedTopic,
        pubsub: (ctx) => ctx.pubsub,
        keys: ({ productId }, ctx) => {
          if (!ctx.identity) throw new UnauthenticatedError('Sign in to follow reviews live.');
          return productId;
        },
        authorize: (review, ctx) => !review.private || ctx.identity?.role === 'ADMIN' || ctx.identity?.userId === review.authorId,
      }),
    },
  };
}

type StoredReviewPayload = { id: string; productId: string; body: string; private: boolean; authorId: string };

export interface FakeSubgraph {
  url: string;
  /** Requests the subgraph answered over HTTP, by operation text. */
  requests: string[];
  subscriptions: SubgraphSubscriptions | null;
  close(): Promise<void>;
}

async function startFakeSubgraph(options: {
  name: string;
  sdl: string;
  resolvers: object;
  signingSecret: string;
  pubsub?: PubSub;
  live: boolean;
}): Promise<FakeSubgraph> {
  const logger = createLogger(options.name, 'silent');
  const typeDefs = parse(options.sdl);
  const createContext = (base: BaseContext): ReviewsContext => ({ ...base, pubsub: options.pubsub as PubSub });
  const subgraph = await createSubgraphServer<ReviewsContext>({
    name: options.name,
    typeDefs,
    resolvers: options.resolvers as never,
    signingSecret: options.signingSecret,
    logger,
    exposeInternals: false,
    createContext,
  });
  const requests: string[] = [];
  // What createSubgraphServer's listen() does, plus the subscription attach it will do once wired.
  const server = http.createServer((req, res) => {
    if (req.method === 'POST') {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      req.on('end', () => {
        try {
          requests.push((JSON.parse(body) as { query: string }).query);
        } catch {
          /* counted only when parseable */
        }
      });
    }
    subgraph.app(req, res);
  });
  const subscriptions = options.live
    ? createSubgraphSubscriptions<ReviewsContext>({
        name: options.name,
        schema: buildSubgraphSchema({ typeDefs, resolvers: options.resolvers as never }),
        signingSecret: options.signingSecret,
        logger,
        exposeInternals: false,
        createContext,
      })
    : null;
  const detach = subscriptions?.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    requests,
    subscriptions,
    async close() {
      await detach?.();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await subgraph.stop();
    },
  };
}

/** As server.ts's SignedDataSource + signedFetcher do (they are not exported), for tests. */
class TestSignedDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(url: string, secret: string) {
    super({
      url,
      fetcher: (async (target: string, init: { body?: string; headers?: Record<string, string> | Headers; method?: string }) => {
        const headers = new Headers(init.headers as ConstructorParameters<typeof Headers>[0]);
        const body = typeof init.body === 'string' ? init.body : '';
        headers.set(
          SIGNATURE_HEADER,
          signRequest(secret, { callerHeader: headers.get(CALLER_HEADER) ?? '', requestId: headers.get(REQUEST_ID_HEADER) ?? '', body }),
        );
        return fetch(target, { method: init.method ?? 'POST', headers, body });
      }) as never,
    });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const ctx = context as Partial<GatewayContext>;
    request.http?.headers.set(
      CALLER_HEADER,
      encodeCaller({ identity: ctx.identity ?? null, ip: ctx.ip ?? null, userAgent: ctx.userAgent ?? null }),
    );
    request.http?.headers.set(REQUEST_ID_HEADER, ctx.requestId ?? randomUUID());
  }
}

export interface TestGateway {
  url: string;
  wsUrl: string;
  server: GatewayServer;
  subscriptions: SubscriptionServer;
  request<T = any>(query: string, variables?: Record<string, unknown>, token?: string): Promise<{ data?: T; errors?: any[] }>;
  client(options?: Partial<ClientOptions> & { token?: string; origin?: string }): Client;
  stop(): Promise<void>;
}

export interface FakeGraph {
  supergraphSdl: string;
  pubsub: MemoryPubSub;
  reviews: FakeSubgraph[];
  users: FakeSubgraph;
  store: ReviewStore;
  /** Starts a gateway routing reviews to the given replica. */
  startGateway(options?: { reviewsReplica?: number; limits?: Partial<SubscriptionLimits> }): Promise<TestGateway>;
  token(identity: Partial<Identity> & { userId: string }, ttlSeconds?: number): Promise<string>;
  stop(): Promise<void>;
}

export const ALLOWED_ORIGIN = 'https://app.example';

export async function startFakeGraph(
  options: {
    reviewsReplicas?: number;
    /** Each replica's pub/sub (one Redis connection each, as separate processes have); default one shared in-memory pub/sub. */
    pubsubFor?: (replica: number) => PubSub;
  } = {},
): Promise<FakeGraph> {
  const secrets = await testSecrets();
  const pubsub = new MemoryPubSub(createLogger('pubsub', 'silent'));
  const store = new ReviewStore();
  const names = new Map<string, string>();
  const users = await startFakeSubgraph({
    name: 'users',
    sdl: USERS_SDL,
    signingSecret: secrets.signingSecret,
    live: false,
    resolvers: {
      User: {
        __resolveReference: (ref: { id: string }) => ({ id: ref.id, name: names.get(ref.id) ?? `User ${ref.id}` }),
      },
      Query: { user: (_: unknown, { id }: { id: string }) => ({ id, name: names.get(id) ?? `User ${id}` }) },
    },
  });
  const reviews = await Promise.all(
    Array.from({ length: options.reviewsReplicas ?? 1 }, (_, replica) =>
      startFakeSubgraph({
        name: 'reviews',
        sdl: REVIEWS_SDL,
        signingSecret: secrets.signingSecret,
        pubsub: options.pubsubFor?.(replica) ?? pubsub,
        live: true,
        resolvers: reviewsResolvers(store),
      }),
    ),
  );
  const composed = composeServices([
    { name: 'reviews', url: 'http://reviews.invalid/graphql', typeDefs: parse(REVIEWS_SDL) },
    { name: 'users', url: 'http://users.invalid/graphql', typeDefs: parse(USERS_SDL) },
  ]);
  if (composed.errors?.length || !composed.supergraphSdl)
    throw new Error(`composition failed: ${composed.errors?.map((e) => e.message).join('; ')}`);
  const supergraphSdl = composed.supergraphSdl;
  const signer = await AccessTokenSigner.fromPem(secrets.privateKeyPem, 600);
  const gateways: TestGateway[] = [];

  return {
    supergraphSdl,
    pubsub,
    reviews,
    users,
    store,
    async token(identity, ttlSeconds) {
      const full: Identity = { role: 'BUYER', sessionId: randomUUID(), ...identity };
      if (ttlSeconds === undefined) return (await signer.sign(full)).token;
      const short = await AccessTokenSigner.fromPem(secrets.privateKeyPem, ttlSeconds);
      return (await short.sign(full)).token;
    },
    async startGateway({ reviewsReplica = 0, limits } = {}) {
      const env = loadGatewayEnv({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        HOST: '127.0.0.1',
        PORT: '0',
        GATEWAY_SIGNING_SECRET: secrets.signingSecret,
        JWT_PUBLIC_KEY: secrets.publicKeyPem,
        CORS_ORIGINS: ALLOWED_ORIGIN,
      });
      const subgraphUrls = { reviews: reviews[reviewsReplica]?.url ?? '', users: users.url };
      const logger = createLogger('gateway', 'silent');
      const subscriptionLimits = { upstreamIdleCloseMs: 50, ...limits };
      const server = await createGateway({
        env,
        supergraphSdl,
        subgraphUrls: subgraphUrls as never,
        logger,
        subscriptionLimits,
      } as Parameters<typeof createGateway>[0]);
      // Once server.ts wires subscriptions (WIRING.md), createGateway serves them itself with its own
      // signed data sources; until then the tests attach the server here.
      const wired = (server as GatewayServer & { subscriptions?: SubscriptionServer }).subscriptions;
      const subscriptions =
        wired ??
        createSubscriptionServer({
          httpServer: server.httpServer,
          supergraphSdl,
          buildService: ({ name, url }) =>
            new TestSignedDataSource((subgraphUrls as Record<string, string>)[name] ?? url, secrets.signingSecret),
          // No revocation store here: the claims' verdict, which carries `exp` for the expiry timer.
          verifier: await AccessTokenVerifier.fromPem(secrets.publicKeyPem).then((tokens) => ({
            verify: (token: string) => tokens.verifyClaims(token),
          })),
          signingSecret: secrets.signingSecret,
          allowedOrigins: allowedOrigins(env),
          logger,
          exposeInternals: false,
          limits: subscriptionLimits,
        });
      const { url } = await server.listen(0, '127.0.0.1');
      const wsUrl = url.replace(/^http/, 'ws');
      const clients: Client[] = [];
      let stopping: Promise<void> | null = null;
      const gateway: TestGateway = {
        url,
        wsUrl,
        server,
        subscriptions,
        async request(query, variables, token) {
          const response = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
            body: JSON.stringify({ query, variables }),
          });
          return (await response.json()) as never;
        },
        client({ token, origin, ...rest } = {}) {
          class ClientSocket extends WebSocket {
            constructor(address: string, protocols?: string | string[]) {
              super(address, protocols, origin ? { headers: { origin } } : {});
            }
          }
          const client = createClient({
            url: wsUrl,
            webSocketImpl: ClientSocket,
            retryAttempts: 0,
            lazy: false,
            onNonLazyError: () => undefined,
            connectionParams: token ? { authorization: `Bearer ${token}` } : {},
            ...rest,
          });
          clients.push(client);
          return client;
        },
        stop() {
          stopping ??= (async () => {
            await Promise.all(clients.map((c) => c.dispose()));
            if (!wired) await subscriptions.close();
            await server.stop();
          })();
          return stopping;
        },
      };
      gateways.push(gateway);
      return gateway;
    },
    async stop() {
      await Promise.all(gateways.map((g) => g.stop()));
      await Promise.all([...reviews, users].map((s) => s.close()));
      await pubsub.close();
    },
  };
}

/** Collects what one graphql-ws subscription delivers. */
export interface Collected<T = any> {
  events: { data?: T; errors?: any[] }[];
  error: unknown;
  done: Promise<void>;
  unsubscribe(): void;
  /** Resolves when `n` events have arrived. */
  waitFor(n: number, timeoutMs?: number): Promise<{ data?: T; errors?: any[] }[]>;
}

export function collect<T = any>(client: Client, query: string, variables: Record<string, unknown> = {}): Collected<T> {
  const events: { data?: T; errors?: any[] }[] = [];
  let error: unknown = null;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (value) => void events.push(value as never),
      error: (err) => {
        error = err;
        finish();
      },
      complete: () => finish(),
    },
  );
  return {
    events,
    get error() {
      return error;
    },
    done,
    unsubscribe,
    async waitFor(n, timeoutMs = 5_000) {
      await eventually(() => events.length >= n || error !== null, timeoutMs);
      return events;
    },
  };
}

export async function eventually(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
  message = 'condition not met in time',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(message);
    await new Promise((r) => setTimeout(r, 10));
  }
}
