import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import express, { type Request, type Response, type NextFunction } from 'express';
import type { DocumentNode } from 'graphql';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';

/** The resolvers `buildSubgraphSchema` takes (the package exports the function, not its parameter types). */
type SubgraphResolvers = Extract<Parameters<typeof buildSubgraphSchema>[0], { typeDefs: unknown }>['resolvers'];
import type { Logger } from './logger';
import type { BaseContext } from './context';

export type { BaseContext } from './context';
import { createErrorFormatter } from './errors';
import { CALLER_HEADER, REQUEST_ID_HEADER, SIGNATURE_HEADER, verifySignedCall, type Caller, type NonceStore } from './identity';
import { createSubgraphSubscriptions } from './subscriptions/subgraph-ws';
import { collectProcessMetrics, scrapeMetrics, secondsSince, subgraphRequestDuration, subgraphRequests } from './observability/metrics';
import { TRACEPARENT_HEADER, contextFromTraceparent, tracer, SpanKind, SpanStatusCode } from './observability/tracing';
import { inServiceScope } from './observability/service-scope';
import { ROOT_CONTEXT, context as otelContext, trace } from '@opentelemetry/api';

/**
 * Subgraphs only hear from the gateway, which accepts client bodies up to MAX_BODY_BYTES (2 MB by
 * default) and forwards variables re-serialized, plus entity representations. Twice that, so the
 * limit a client meets is always the gateway's, answered as a clear 413, never a subgraph failure.
 */
export const SUBGRAPH_BODY_LIMIT = '4mb';

export interface SubgraphServerOptions<C extends BaseContext> {
  name: string;
  typeDefs: DocumentNode;
  /** The resolver map; its shape is checked by each subgraph's generated resolver types. */
  resolvers: object;
  signingSecret: string;
  logger: Logger;
  /** Development shows internal error messages and stack traces; nothing else does. */
  exposeInternals: boolean;
  /** Builds the per-request context (fresh DataLoaders belong here). */
  createContext: (base: BaseContext) => C | Promise<C>;
  /** Throws when the service cannot serve (database unreachable, ...). */
  readiness?: () => Promise<void>;
  /** Largest accepted request body; SUBGRAPH_BODY_LIMIT unless given. */
  bodyLimit?: string;
  /** Where served signatures are remembered (single use); the process's memory unless given. */
  nonces?: NonceStore;
  /** Serve the schema's Subscription fields over graphql-ws on /graphql (signed gateway connections only). */
  subscriptions?: boolean;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface SubgraphServer {
  name: string;
  app: express.Express;
  apollo: ApolloServer<BaseContext>;
  listen(port: number, host?: string): Promise<RunningServer>;
  /**
   * Graceful drain: /readyz answers 503 from now on, the listeners stop accepting, idle keep-alive
   * connections close, requests in flight finish (until `deadlineMs`, then their connections are
   * cut), and subscription sockets close with 1001 so the gateway resubscribes elsewhere.
   */
  drain(deadlineMs: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Closes an HTTP server gracefully: stops accepting, closes idle keep-alive connections as they
 * become idle, and cuts whatever is still open at the deadline. Resolves when every connection is gone.
 */
export async function drainHttpServer(server: http.Server, deadlineMs: number): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // A connection that finishes its response after close() goes back to idle; close it then.
  const sweeper = setInterval(() => server.closeIdleConnections(), 25);
  server.closeIdleConnections();
  const deadline = new Promise<'deadline'>((resolve) => setTimeout(() => resolve('deadline'), deadlineMs).unref());
  const outcome = await Promise.race([closed.then(() => 'closed' as const), deadline]);
  clearInterval(sweeper);
  if (outcome === 'deadline') {
    server.closeAllConnections();
    await closed;
  }
}

type RawBodyRequest = Request & { rawBody?: Buffer };

function refuse(res: Response, status: number, code: string, message: string) {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

function requestLogging(logger: Logger): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart(ctx) {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse(rc) {
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          const errors = rc.errors?.length ?? 0;
          logger.debug({ requestId: rc.contextValue.requestId, operation: ctx.request.operationName, ms, errors }, 'operation');
        },
      };
    },
  };
}

/** Duration and outcome of every operation, by type; the request's span takes the operation's name. */
function requestMetrics(service: string): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse(rc) {
          const type = rc.operation?.operation ?? 'unknown';
          const outcome = rc.errors?.length ? 'error' : 'ok';
          subgraphRequests.inc({ service, type, outcome });
          subgraphRequestDuration.observe({ service, type }, secondsSince(started));
          const span = trace.getActiveSpan();
          if (span) {
            span.setAttribute('graphql.operation.type', type);
            if (rc.operationName) span.setAttribute('graphql.operation.name', rc.operationName);
            if (outcome === 'error') span.setStatus({ code: SpanStatusCode.ERROR });
          }
        },
      };
    },
  };
}

/**
 * Builds a federated subgraph behind an HTTP server that answers only the gateway: every
 * POST /graphql must carry a fresh HMAC signature over its identity header, request id and body.
 * No side effects until `listen`.
 */
export async function createSubgraphServer<C extends BaseContext>(options: SubgraphServerOptions<C>): Promise<SubgraphServer> {
  const { logger } = options;
  const schema = buildSubgraphSchema({
    typeDefs: options.typeDefs,
    resolvers: options.resolvers as SubgraphResolvers,
  });
  const apollo = new ApolloServer<BaseContext>({
    schema,
    introspection: options.exposeInternals,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: options.exposeInternals,
    // The host owns the process's signals and drains in order; Apollo's own handler would stop the
    // server at once and re-raise the signal before the drain runs.
    stopOnTerminationSignals: false,
    formatError: createErrorFormatter({
      exposeInternals: options.exposeInternals,
      onInternal: (err) => logger.error({ err }, 'unexpected error in resolver'),
    }),
    // Inline tracing (ftv1) costs time on every request and nothing here reads it.
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      requestLogging(logger),
      requestMetrics(options.name),
    ],
  });
  await apollo.start();
  const live = options.subscriptions
    ? createSubgraphSubscriptions<C>({
        name: options.name,
        schema,
        signingSecret: options.signingSecret,
        logger,
        exposeInternals: options.exposeInternals,
        createContext: options.createContext,
      })
    : null;

  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', service: options.name });
  });
  // Prometheus scrapes here (an internal port, like the rest of the subgraph); in the embedded stack
  // every service's series are in one registry, labelled by service.
  collectProcessMetrics();
  app.get('/metrics', async (_req, res) => {
    const { contentType, body } = await scrapeMetrics();
    res.type(contentType).send(body);
  });
  let draining = false;
  app.get('/readyz', async (_req, res) => {
    if (draining) {
      res.status(503).json({ status: 'draining', service: options.name });
      return;
    }
    try {
      await options.readiness?.();
      res.json({ status: 'ready', service: options.name });
    } catch (err) {
      logger.warn({ err }, 'not ready');
      res.status(503).json({ status: 'not ready', service: options.name });
    }
  });

  app.use(
    '/graphql',
    express.json({
      limit: options.bodyLimit ?? SUBGRAPH_BODY_LIMIT,
      verify: (req, _res, buf) => {
        (req as RawBodyRequest).rawBody = buf;
      },
    }),
    async (req: RawBodyRequest, res: Response, next: NextFunction) => {
      if (req.method !== 'POST') {
        refuse(res, 405, 'METHOD_NOT_ALLOWED', 'This subgraph answers POST requests from the gateway only.');
        return;
      }
      const verdict = await verifySignedCall(
        options.signingSecret,
        {
          signatureHeader: req.header(SIGNATURE_HEADER),
          callerHeader: req.header(CALLER_HEADER),
          requestId: req.header(REQUEST_ID_HEADER),
          traceparent: req.header(TRACEPARENT_HEADER),
          body: req.rawBody ?? Buffer.alloc(0),
        },
        options.nonces,
      );
      if (!verdict.ok) {
        logger.warn({ reason: verdict.reason, ip: req.ip }, 'refused an unsigned or forged subgraph request');
        refuse(res, 403, 'FORBIDDEN', 'This subgraph answers the gateway only; send your request to the gateway.');
        return;
      }
      res.locals['caller'] = verdict.caller;
      // The gateway's signed traceparent makes this request's span a child of its subgraph fetch.
      const parent = contextFromTraceparent(req.header(TRACEPARENT_HEADER), ROOT_CONTEXT);
      const span = tracer().startSpan(
        `subgraph ${options.name}`,
        { kind: SpanKind.SERVER, attributes: { 'market.service': options.name } },
        parent,
      );
      res.on('close', () => span.end());
      otelContext.with(trace.setSpan(parent, span), () => inServiceScope(options.name, next));
    },
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const requestId = req.header(REQUEST_ID_HEADER) ?? randomUUID();
        const caller = res.locals['caller'] as Caller;
        const identity = caller.identity;
        return options.createContext({
          identity,
          client: { ip: caller.ip, userAgent: caller.userAgent },
          requestId,
          logger: logger.child({ requestId, userId: identity?.userId }),
        });
      },
    }),
  );
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (err as { status?: number }).status ?? 500;
    if (status >= 500) logger.error({ err }, 'request failed');
    refuse(
      res,
      status,
      status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST',
      status === 413 ? 'Request body too large.' : 'Malformed request.',
    );
  });

  const servers: http.Server[] = [];
  const detachers: (() => Promise<void>)[] = [];
  return {
    name: options.name,
    app,
    apollo: apollo,
    async listen(port, host = '0.0.0.0') {
      const server = http.createServer(app);
      server.keepAliveTimeout = 65_000;
      servers.push(server);
      const detachLive = live?.attach(server);
      if (detachLive) detachers.push(detachLive);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      const actual = (server.address() as AddressInfo).port;
      const url = `http://127.0.0.1:${actual}/graphql`;
      logger.info({ url }, `${options.name} subgraph listening`);
      return {
        url,
        port: actual,
        close: async () => {
          await detachLive?.();
          await new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          });
        },
      };
    },
    async drain(deadlineMs) {
      draining = true;
      // Sockets first: their close (1001) tells the gateway to resubscribe while requests finish.
      await Promise.all(detachers.map((detach) => detach()));
      await Promise.all(servers.map((s) => drainHttpServer(s, deadlineMs)));
    },
    async stop() {
      draining = true;
      await live?.close();
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve());
              s.closeAllConnections();
            }),
        ),
      );
      await apollo.stop();
    },
  };
}
