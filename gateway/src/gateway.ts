import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import cors from 'cors';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloGateway, type ServiceEndpointDefinition } from '@apollo/gateway';
import { Agent } from 'undici';
import { REQUEST_ID_HEADER, createLogger, type Logger, type SessionRevocations, type SubgraphName } from '@market/platform';
import { allowedOrigins, type GatewayEnv } from './env';
import type { GatewayContext } from './context';
import { authenticateBearer, createSessionCheck } from './edge/bearer-auth';
import { httpErrorHandler } from './edge/error-handler';
import { publicErrorFormatter } from './edge/error-policy';
import { inputHygienePlugin } from './edge/input-hygiene';
import { refuseHttpSubscriptions } from './edge/http-subscriptions';
import { SubgraphHealth } from './edge/subgraph-health';
import { enforceTrustedDocuments, enforcedTrustedDocuments } from './edge/trusted-documents';
import { trustProxies } from './edge/client-address';
import { createDrain } from './edge/drain';
import { securityHeaders } from './edge/security-headers';
import { costLimitPlugin, createOperationLimits, refuseLongDocuments } from './edge/operation-limits';
import { readinessRoutes } from './edge/readiness';
import { requestIdFrom } from './edge/request-id';
import { requestLogging } from './edge/request-logging';
import { SignedDataSource, signedFetcher } from './edge/signed-fetch';
import { dedupeFetcher } from './edge/subgraph-dedupe';
import { OperationNames, gatewayMetrics, metricsRoute } from './edge/metrics';
import { operationSpanNames, traceRequests } from './edge/tracing';
import { createSubscriptionServer, type SubscriptionLimits, type SubscriptionServer } from './subscriptions';

export type { GatewayContext } from './context';

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
  /**
   * Graceful shutdown (SIGTERM): /readyz answers 503 at once; after `delayMs` the listener and idle
   * connections close; requests in flight finish; WebSockets close with 1001; whatever is still
   * open at `deadlineMs` is cut. Resolves with the number of HTTP requests that were cut.
   */
  shutdown(options?: { delayMs?: number; deadlineMs?: number }): Promise<number>;
  /** Stops at once (tests): in-flight requests are cut. */
  stop(): Promise<void>;
}

/**
 * The one GraphQL endpoint: composes the edge concerns (edge/*.ts, one file each) around an Apollo
 * gateway, and graphql-ws subscriptions on the same path (subscriptions/).
 */
export async function createGateway(options: GatewayOptions): Promise<GatewayServer> {
  const { env, logger } = options;
  const dev = env.NODE_ENV === 'development';
  const sessions = await createSessionCheck({
    jwtPublicKey: env.JWT_PUBLIC_KEY,
    redisUrl: env.REDIS_URL,
    revocations: options.revocations,
    logger,
  });
  const dispatcher = new Agent({ connections: 128, keepAliveTimeout: 10_000, pipelining: 1 });
  const signed = signedFetcher(env.GATEWAY_SIGNING_SECRET, dispatcher, env.SUBGRAPH_TIMEOUT_MS, env.SUBGRAPH_FETCHER);
  // Identical in-flight queries of the same caller go once; the key is taken before signing.
  const fetcher = env.SUBGRAPH_DEDUPE === 'on' ? dedupeFetcher(signed) : signed;
  // The access log: batched writes unless ACCESS_LOG=sync; the given logger keeps every other line.
  const accessLog =
    env.ACCESS_LOG === 'off' ? null : env.ACCESS_LOG === 'sync' ? logger : createLogger('gateway', logger.level, { buffered: true });

  const health = new SubgraphHealth({
    failureThreshold: env.CIRCUIT_BREAKER_FAILURES,
    cooldownMs: env.CIRCUIT_BREAKER_COOLDOWN_MS,
    logIntervalMs: env.UPSTREAM_FAILURE_LOG_INTERVAL_MS,
    logger,
  });
  // Shared by HTTP execution and subscriptions, so every subgraph call is signed the same way.
  const buildService = ({ name, url }: ServiceEndpointDefinition) =>
    new SignedDataSource({ url: options.subgraphUrls?.[name as SubgraphName] ?? url, fetcher }, name, health);
  const gateway = new ApolloGateway({ supergraphSdl: options.supergraphSdl, buildService });
  const enforced = enforcedTrustedDocuments(env, logger);
  const limits = createOperationLimits({ trustedDocuments: enforced });
  const operationNames = OperationNames.from(enforced ? enforced.bodies() : null);

  const app = express();
  app.disable('x-powered-by');
  const clientAddress = trustProxies(app, env.TRUST_PROXY);
  const origins = allowedOrigins(env);
  app.use(securityHeaders({ production: env.NODE_ENV === 'production', pagePaths: (req) => dev && req.path === '/graphql' }));
  const httpServer = http.createServer(app);
  const drain = createDrain(httpServer);
  app.use(drain.track);
  httpServer.keepAliveTimeout = 65_000;
  httpServer.headersTimeout = 66_000;
  httpServer.requestTimeout = 30_000;

  const apollo = new ApolloServer<GatewayContext>({
    // graphql-armor's settings first, so the explicit choices below win.
    ...limits.armor,
    gateway,
    // The process drains itself (index.ts): Apollo's own handler would stop it mid-request.
    stopOnTerminationSignals: false,
    introspection: dev,
    parseOptions: limits.parseOptions,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    // Automatic persisted queries let a client register any document: off while trusted documents are enforced.
    ...(enforced ? { persistedQueries: false as const } : {}),
    includeStacktraceInErrorResponses: dev,
    formatError: publicErrorFormatter({ exposeInternals: dev, logger, what: 'gateway' }),
    validationRules: limits.validationRules,
    plugins: [
      ...limits.armor.plugins,
      costLimitPlugin<GatewayContext>(limits),
      inputHygienePlugin<GatewayContext>(),
      refuseHttpSubscriptions(),
      dev ? ApolloServerPluginLandingPageLocalDefault({ embed: true }) : ApolloServerPluginLandingPageDisabled(),
      ...(accessLog ? [requestLogging(accessLog)] : []),
      gatewayMetrics(operationNames),
      operationSpanNames((name) => operationNames.label(name)),
    ],
  });
  // Created before apollo.start() so it follows the gateway's schema from the first load.
  const subscriptions = createSubscriptionServer({
    httpServer,
    supergraphSdl: options.supergraphSdl,
    gateway,
    buildService,
    verifier: sessions.verifier,
    sessions: sessions.live,
    signingSecret: env.GATEWAY_SIGNING_SECRET,
    allowedOrigins: origins,
    clientAddress,
    operationLimits: limits,
    logger,
    exposeInternals: dev,
    limits: { maxConnections: env.WS_MAX_CONNECTIONS, maxConnectionsPerIp: env.WS_MAX_CONNECTIONS_PER_IP, ...options.subscriptionLimits },
  });
  await apollo.start();

  readinessRoutes(app, { subgraphUrls: options.subgraphUrls ?? {}, draining: () => drain.draining, health });
  metricsRoute(app);

  app.use(
    '/graphql',
    traceRequests(),
    cors<cors.CorsRequest>({ origin: origins, credentials: false, maxAge: 600 }),
    express.json({ limit: env.MAX_BODY_BYTES }),
    // GraphQL over Server-Sent Events (graphql-sse's distinct connections mode): subscriptions for
    // clients whose proxies drop WebSockets. Everything else goes on to Apollo.
    (req: express.Request, res: express.Response, next: express.NextFunction) => {
      if (req.header('accept')?.trim() !== 'text/event-stream') return next();
      subscriptions.serveEventStream(req, res).catch(next);
    },
    refuseLongDocuments(limits),
    ...(enforced ? [enforceTrustedDocuments(enforced)] : []),
    expressMiddleware(apollo, {
      context: async ({ req, res }): Promise<GatewayContext> => {
        const requestId = requestIdFrom(req.header(REQUEST_ID_HEADER));
        res.setHeader(REQUEST_ID_HEADER, requestId);
        const identity = await authenticateBearer(sessions.verifier, req.header('authorization'));
        return { identity, requestId, ip: req.ip ?? null, userAgent: req.header('user-agent')?.slice(0, 512) ?? null };
      },
    }),
  );
  app.use(httpErrorHandler(logger, env.MAX_BODY_BYTES));

  let shuttingDown: Promise<number> | null = null;
  async function shutdown({
    delayMs = env.SHUTDOWN_DELAY_MS,
    deadlineMs = env.SHUTDOWN_TIMEOUT_MS,
  }: { delayMs?: number; deadlineMs?: number } = {}): Promise<number> {
    shuttingDown ??= (async () => {
      subscriptions.refuseNew();
      const cut = drain.drain({ delayMs, deadlineMs });
      if (delayMs > 0) await new Promise((r) => setTimeout(r, Math.min(delayMs, deadlineMs)));
      await subscriptions.close();
      const n = await cut;
      await apollo.stop();
      await dispatcher.close();
      await sessions.close();
      return n;
    })();
    return shuttingDown;
  }

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
    shutdown,
    async stop() {
      await shutdown({ delayMs: 0, deadlineMs: 0 });
    },
  };
}

export { loadGatewayEnv, type GatewayEnv } from './env';
export { SUPERGRAPH_PATH } from './supergraph-path';
