import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import cors from 'cors';
import { GraphQLError } from 'graphql';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions, type ServiceEndpointDefinition } from '@apollo/gateway';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { Agent } from 'undici';
import type { Fetcher, FetcherResponse } from '@apollo/utils.fetcher';
import {
  AccessTokenVerifier,
  CALLER_HEADER,
  REQUEST_ID_HEADER,
  RedisSessionRevocations,
  SESSION_ENDED_MESSAGE,
  SIGNATURE_HEADER,
  createErrorFormatter,
  createRedis,
  encodeCaller,
  signRequest,
  verifySessionToken,
  type Identity,
  type Logger,
  type SessionRevocations,
  type SubgraphName,
} from '@market/platform';
import type { GatewayEnv } from './env';
import { OPERATION_LIMITS, maxAliasesRule } from './limits';
import { createSubscriptionServer, type SubscriptionLimits, type SubscriptionServer } from './subscriptions';

export interface GatewayContext {
  identity: Identity | null;
  requestId: string;
  ip: string | null;
  userAgent: string | null;
}

export interface GatewayOptions {
  env: GatewayEnv;
  supergraphSdl: string;
  /** Routing URLs by subgraph name; those given replace the supergraph's own. */
  subgraphUrls?: Partial<Record<SubgraphName, string>>;
  logger: Logger;
  /** Overrides of the WebSocket subscription limits (tests shorten timers with it). */
  subscriptionLimits?: Partial<SubscriptionLimits>;
  /**
   * Ended sessions and users who may no longer act, when REDIS_URL is not set: the in-process
   * store accounts writes to in embedded mode (startStack shares one).
   */
  revocations?: SessionRevocations;
}

export interface GatewayServer {
  app: express.Express;
  httpServer: http.Server;
  /** graphql-ws on the same /graphql (subscriptions/WIRING.md). */
  subscriptions: SubscriptionServer;
  listen(port?: number, host?: string): Promise<{ url: string; port: number }>;
  stop(): Promise<void>;
}

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{8,64}$/;

/**
 * Forwards a subgraph fetch and signs exactly the body it sends, so a subgraph can tell the gateway's
 * requests from anyone else's. Identity headers are always rebuilt from the verified token.
 */
class SignedDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers) return;
    const ctx = context as Partial<GatewayContext> | undefined;
    headers.set(
      CALLER_HEADER,
      encodeCaller({ identity: ctx?.identity ?? null, ip: ctx?.ip ?? null, userAgent: ctx?.userAgent ?? null }),
    );
    headers.set(REQUEST_ID_HEADER, ctx?.requestId ?? randomUUID());
  }

  /**
   * A subgraph answers 400 when the request reached it but its variables did not coerce, for
   * example a custom scalar the gateway cannot check (Date "2027-02-30"): that is the client's
   * input, so the client reads the subgraph's message as BAD_USER_INPUT, not an internal error.
   */
  override async errorFromResponse(response: FetcherResponse): Promise<GraphQLError> {
    if (response.status === 400) {
      const messages = graphQLErrorMessages(await response.clone().json().catch(() => null));
      if (messages.length > 0) return new GraphQLError(messages.join(' '), { extensions: { code: 'BAD_USER_INPUT' } });
    }
    return super.errorFromResponse(response);
  }
}

/** The messages of a GraphQL response body's `errors`, or none when it is not one. */
function graphQLErrorMessages(body: unknown): string[] {
  const errors = (body as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors
    .map((e) => (e as { message?: unknown } | null)?.message)
    .filter((m): m is string => typeof m === 'string' && m.length > 0)
    .slice(0, 10);
}

function signedFetcher(secret: string, dispatcher: Agent, timeoutMs: number): Fetcher {
  return async (url, init) => {
    const headers = new Headers(init?.headers);
    const body = typeof init?.body === 'string' ? init.body : (init?.body?.toString('utf8') ?? '');
    headers.set(
      SIGNATURE_HEADER,
      signRequest(secret, {
        callerHeader: headers.get(CALLER_HEADER) ?? '',
        requestId: headers.get(REQUEST_ID_HEADER) ?? '',
        body,
      }),
    );
    return fetch(url, {
      method: init?.method ?? 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(timeoutMs),
      // undici's dispatcher bounds the sockets per subgraph and keeps them alive.
      ...({ dispatcher } as object),
    });
  };
}

function authError(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

export async function createGateway(options: GatewayOptions): Promise<GatewayServer> {
  const { env, logger } = options;
  const dev = env.NODE_ENV === 'development';
  const verifier = await AccessTokenVerifier.fromPem(env.JWT_PUBLIC_KEY);
  // Redis when REDIS_URL is set (accounts writes there), else the embedded stack's shared store.
  // Every authenticated request waits for this check: a hung Redis costs at most 250 ms, then the
  // check is skipped (fail open, warned) rather than failing the request.
  const revocationsRedis = env.REDIS_URL
    ? createRedis(env.REDIS_URL, logger, { name: 'gateway-revocations', commandTimeoutMs: 250 })
    : null;
  const revocations: SessionRevocations | null = revocationsRedis
    ? new RedisSessionRevocations(revocationsRedis, logger)
    : (options.revocations ?? null);
  if (!revocations) {
    logger.warn('REDIS_URL is not set: ended sessions are not refused here; their access tokens work until they expire (accounts still refuses them)');
  }
  const sessionVerifier = { verify: (token: string) => verifySessionToken(verifier, revocations, token) };
  const dispatcher = new Agent({ connections: 128, keepAliveTimeout: 10_000, pipelining: 1 });
  const fetcher = signedFetcher(env.GATEWAY_SIGNING_SECRET, dispatcher, env.SUBGRAPH_TIMEOUT_MS);

  // Shared by HTTP execution and subscriptions, so every subgraph call is signed the same way.
  const buildService = ({ name, url }: ServiceEndpointDefinition) =>
    new SignedDataSource({
      url: options.subgraphUrls?.[name as SubgraphName] ?? url,
      fetcher,
    });
  const gateway = new ApolloGateway({ supergraphSdl: options.supergraphSdl, buildService });

  const armor = new ApolloArmor({
    maxDepth: { n: OPERATION_LIMITS.depth },
    maxAliases: { enabled: false },
    maxDirectives: { n: OPERATION_LIMITS.directives },
    // graphql-js enforces the token limit while parsing (a 400 parse error), see parseOptions.
    maxTokens: { enabled: false },
    costLimit: { maxCost: OPERATION_LIMITS.cost },
    blockFieldSuggestion: { enabled: !dev },
  });
  const protection = armor.protect();
  const validationRules = [...protection.validationRules, maxAliasesRule(OPERATION_LIMITS.aliases)];

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  const httpServer = http.createServer(app);
  httpServer.keepAliveTimeout = 65_000;
  httpServer.headersTimeout = 66_000;
  httpServer.requestTimeout = 30_000;

  const apollo = new ApolloServer<GatewayContext>({
    // graphql-armor's settings first, so the explicit choices below win.
    ...protection,
    gateway,
    introspection: dev,
    parseOptions: { maxTokens: OPERATION_LIMITS.tokens },
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: dev,
    formatError: createErrorFormatter({
      exposeInternals: dev,
      onInternal: (err) => logger.error({ err }, 'unexpected gateway error'),
    }),
    validationRules,
    plugins: [
      ...protection.plugins,
      ApolloServerPluginDrainHttpServer({ httpServer }),
      dev ? ApolloServerPluginLandingPageLocalDefault({ embed: true }) : ApolloServerPluginLandingPageDisabled(),
      {
        async requestDidStart() {
          const started = process.hrtime.bigint();
          return {
            async willSendResponse(ctx) {
              logger.info(
                {
                  requestId: ctx.contextValue.requestId,
                  userId: ctx.contextValue.identity?.userId,
                  operation: ctx.operationName ?? ctx.request.operationName,
                  ms: Number(process.hrtime.bigint() - started) / 1e6,
                  errors: ctx.errors?.length ?? 0,
                },
                'graphql request',
              );
            },
          };
        },
      },
    ],
  });
  // Created before apollo.start() so it follows the gateway's schema from the first load.
  const subscriptions = createSubscriptionServer({
    httpServer,
    supergraphSdl: options.supergraphSdl,
    gateway,
    buildService,
    verifier: sessionVerifier,
    signingSecret: env.GATEWAY_SIGNING_SECRET,
    allowedOrigins: env.CORS_ORIGINS,
    validationRules,
    logger,
    exposeInternals: dev,
    limits: { maxConnections: env.WS_MAX_CONNECTIONS, maxConnectionsPerIp: env.WS_MAX_CONNECTIONS_PER_IP, ...options.subscriptionLimits },
  });
  await apollo.start();

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', service: 'gateway' });
  });
  app.get('/readyz', async (_req, res) => {
    const urls = Object.entries(options.subgraphUrls ?? {});
    const results = await Promise.all(
      urls.map(async ([name, url]) => {
        try {
          const r = await fetch(url.replace(/\/graphql$/, '/readyz'), { signal: AbortSignal.timeout(2000) });
          return [name, r.ok] as const;
        } catch {
          return [name, false] as const;
        }
      }),
    );
    const down = results.filter(([, ok]) => !ok).map(([n]) => n);
    res.status(down.length ? 503 : 200).json({ status: down.length ? 'not ready' : 'ready', down });
  });

  app.use(
    '/graphql',
    cors<cors.CorsRequest>({ origin: env.CORS_ORIGINS, credentials: false, maxAge: 600 }),
    express.json({ limit: env.MAX_BODY_BYTES }),
    (req: Request, res: Response, next: NextFunction) => {
      const query = (req.body as { query?: unknown } | undefined)?.query ?? req.query['query'];
      if (typeof query === 'string' && query.length > OPERATION_LIMITS.documentChars) {
        res.status(400).json({
          errors: [
            {
              message: `The operation is ${query.length} characters; the limit is ${OPERATION_LIMITS.documentChars}. Split it, or use variables for large values.`,
              extensions: { code: 'BAD_USER_INPUT' },
            },
          ],
        });
        return;
      }
      next();
    },
    expressMiddleware(apollo, {
      context: async ({ req, res }): Promise<GatewayContext> => {
        const given = req.header(REQUEST_ID_HEADER);
        const requestId = given && REQUEST_ID_PATTERN.test(given) ? given : randomUUID();
        res.setHeader(REQUEST_ID_HEADER, requestId);
        const client = { ip: req.ip ?? null, userAgent: req.header('user-agent')?.slice(0, 512) ?? null };
        const authorization = req.header('authorization');
        if (!authorization) return { identity: null, requestId, ...client };
        const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(authorization);
        if (!match?.[1]) throw authError('The Authorization header must be `Bearer <access token>`.');
        const verdict = await sessionVerifier.verify(match[1]);
        if (!verdict.ok) {
          throw authError(
            verdict.reason === 'expired'
              ? 'Your access token has expired: refresh it with the refreshSession mutation and retry.'
              : verdict.reason === 'revoked'
                ? SESSION_ENDED_MESSAGE
                : 'Your access token is not valid: sign in again.',
          );
        }
        return { identity: verdict.identity, requestId, ...client };
      },
    }),
  );
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (err as { status?: number }).status ?? 500;
    if (status >= 500) logger.error({ err }, 'gateway request failed');
    const message =
      status === 413
        ? `Request body too large: the limit is ${env.MAX_BODY_BYTES} bytes.`
        : status === 400
          ? 'Malformed request body: send JSON like {"query": "...", "variables": {...}}.'
          : 'Internal server error.';
    res.status(status).json({ errors: [{ message, extensions: { code: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST' } }] });
  });

  return {
    app,
    httpServer,
    subscriptions,
    async listen(port = env.PORT, host = env.HOST) {
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => resolve());
      });
      const actual = (httpServer.address() as AddressInfo).port;
      return { url: `http://localhost:${actual}/graphql`, port: actual };
    },
    async stop() {
      // First: open WebSockets would keep the HTTP server from closing.
      await subscriptions.close();
      await apollo.stop();
      httpServer.closeAllConnections();
      await dispatcher.close();
      await revocationsRedis?.quit().catch(() => revocationsRedis.disconnect());
    },
  };
}
