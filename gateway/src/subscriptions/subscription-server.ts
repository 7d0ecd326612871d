import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { GraphQLError } from 'graphql';
import WebSocket, { WebSocketServer } from 'ws';
import type { ServerOptions } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import type { GraphQLDataSource } from '@apollo/gateway';
import {
  SESSION_ENDED_MESSAGE,
  closeWebSocketServer,
  gatewayActiveSubscriptions,
  gatewayOpenSockets,
  gatewaySubscriptionDeliveries,
  gatewaySubscriptionDrops,
  revocationCovers,
  type Identity,
  type Logger,
  type RevocationFeed,
} from '@market/platform';
import type { GatewayContext } from '../context';
import type { SessionVerifier } from '../edge/bearer-auth';
import { clientAddress } from '../edge/client-address';
import { createOperationLimits, type OperationLimits } from '../edge/operation-limits';
import { formatGraphQLError, publicErrorFormatter } from '../edge/error-policy';
import { GATEWAY_SERVICE, rootFieldOf } from '../edge/metrics';
import { admitUpgrades } from './admission';
import { SESSION_CLOSE_CODE, TOKEN_EXPIRED_REASON, authenticateConnection } from './connection-auth';
import { startFederatedSubscription } from './executor';
import { SchemaFollower, type SchemaSource } from './schema-follower';
import { prepareSubscription, type PreparedSubscription } from './subscribe';
import { DEFAULT_SUBSCRIPTION_LIMITS, type SubscriptionLimits } from './subscription-limits';
import { UpstreamConnections } from './upstream';
import { createSseStreams } from './sse';
import type { Request, Response } from 'express';

export interface SubscriptionServerOptions {
  httpServer: http.Server;
  /** The supergraph the gateway serves now; `gateway` (when given) brings later versions. */
  supergraphSdl: string;
  gateway?: SchemaSource;
  /** The gateway's own data-source factory (the signed one), so per-event fetches are signed the same way. */
  buildService(definition: { name: string; url: string }): GraphQLDataSource;
  /** Verifies a token and, at the gateway, refuses the tokens of ended sessions ('revoked'). */
  verifier: SessionVerifier;
  /**
   * Ended sessions, for sockets already open: `check` runs again at every subscribe, and `feed`
   * announces revocations as they happen, so the sockets of an ended session close with 4403 at once.
   */
  sessions?: { check(token: { identity: Identity; issuedAt: number }): Promise<'ok' | 'revoked'>; feed: RevocationFeed | null } | null;
  signingSecret: string;
  /** Browser origins allowed to open a socket; a request without Origin (not a browser) is allowed. */
  allowedOrigins: readonly string[];
  /** The HTTP endpoint's operation limits, so both paths have the same ones. */
  operationLimits?: OperationLimits;
  /** The client's address as HTTP computes it (the trusted proxies' view). */
  clientAddress?(request: http.IncomingMessage): string | null;
  logger: Logger;
  /** Development shows internal error messages and field suggestions; nothing else does. */
  exposeInternals: boolean;
  path?: string;
  limits?: Partial<SubscriptionLimits>;
}

export interface SubscriptionServerStats {
  connections: number;
  /** Open Server-Sent Events streams (one subscription each). */
  streams: number;
  /** Client addresses with at least one open socket. */
  addresses: number;
  subscriptions: number;
  upstreamSockets: number;
}

export interface SubscriptionServer {
  stats(): SubscriptionServerStats;
  /**
   * Subscriptions over Server-Sent Events (graphql-sse, distinct connections mode) for a request to
   * the same path with `Accept: text/event-stream`: same auth, limits, planner and executor.
   */
  serveEventStream(req: Request, res: Response): Promise<void>;
  /** Refuses new sockets and streams (503) while the open ones keep going: the gateway is draining. */
  refuseNew(): void;
  /** Closes every socket with 1001 (Going Away), then the upstream connections. */
  close(): Promise<void>;
}

interface Connection {
  socket: WebSocket;
  context: GatewayContext;
  /** The verified token the connection speaks with, null when anonymous. */
  token: { identity: Identity; issuedAt: number } | null;
  expiry: NodeJS.Timeout | null;
  /** This connection's subscriptions, ended together when it is too slow. */
  live: Set<AsyncIterator<unknown>>;
  slow: boolean;
  closeTimer: NodeJS.Timeout | null;
}

/** setTimeout's largest delay. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * GraphQL subscriptions on the gateway's own `/graphql`, over graphql-ws (`graphql-transport-ws`),
 * composed from one file per concern:
 *
 * - admission.ts: who may open a socket (path, origin, per-process and per-address caps);
 * - connection-auth.ts: who a connection speaks for (`connection_init`), closed when its token expires;
 * - schema-follower.ts: the supergraph subscriptions are planned against;
 * - subscribe.ts: each subscribe checked with the HTTP limits and planned; executor.ts runs it.
 *
 * A client that does not keep up (more than `maxQueuedEvents` waiting, or `maxBufferedBytes`
 * unsent) is closed with 1013 "Try Again Later" and a reason saying why; everything it held is
 * released at once.
 */
export function createSubscriptionServer(options: SubscriptionServerOptions): SubscriptionServer {
  const { logger, httpServer } = options;
  const limits: SubscriptionLimits = { ...DEFAULT_SUBSCRIPTION_LIMITS, ...options.limits };
  const operationLimits = options.operationLimits ?? createOperationLimits();
  const formatError = formatGraphQLError(publicErrorFormatter({ exposeInternals: options.exposeInternals, logger, what: 'subscription' }));
  const upstream = new UpstreamConnections({
    signingSecret: options.signingSecret,
    logger,
    keepAliveMs: limits.upstreamKeepAliveMs,
    idleCloseMs: limits.upstreamIdleCloseMs,
    maxPayloadBytes: 16 * 1024 * 1024,
  });
  const schema = new SchemaFollower(options.supergraphSdl, options.gateway, options.buildService, logger);
  const addressOf = options.clientAddress ?? clientAddress;

  const connections = new Map<WebSocket, Connection>();
  let subscriptions = 0;
  /** The root field of each running subscription, for the `field` label. */
  const fieldOf = new WeakMap<AsyncIterator<unknown>, string>();

  const tooSlow = (connection: Connection, reason: string) => {
    if (connection.slow) return;
    connection.slow = true;
    logger.warn(
      { requestId: connection.context.requestId, userId: connection.context.identity?.userId, reason },
      'closing a slow subscription client',
    );
    connection.socket.close(1013, reason);
    // A client that stopped reading cannot read the close frame either: cut it after the grace.
    connection.closeTimer = setTimeout(() => connection.socket.terminate(), limits.closeGraceMs);
    for (const iterator of connection.live) {
      gatewaySubscriptionDrops.inc({ service: GATEWAY_SERVICE, field: fieldOf.get(iterator) ?? 'unknown', reason: 'slow_client' });
      void iterator.return?.();
    }
  };

  const serverOptions: ServerOptions<Record<string, unknown>, Extra> = {
    connectionInitWaitTimeout: limits.connectionInitWaitMs,
    onConnect: async (ctx) => {
      const { socket, request } = ctx.extra;
      const auth = await authenticateConnection(ctx.connectionParams, options.verifier);
      if (!auth.ok) {
        socket.close(auth.code, auth.reason);
        return false;
      }
      if (socket.readyState !== WebSocket.OPEN) return false;
      const context: GatewayContext = {
        identity: auth.token?.identity ?? null,
        requestId: randomUUID(),
        ip: addressOf(request),
        userAgent: request.headers['user-agent']?.slice(0, 512) ?? null,
      };
      const connection: Connection = { socket, context, token: auth.token, expiry: null, live: new Set(), slow: false, closeTimer: null };
      if (auth.expiresAt !== null) {
        connection.expiry = setTimeout(
          () => socket.close(SESSION_CLOSE_CODE, TOKEN_EXPIRED_REASON),
          Math.min(Math.max(auth.expiresAt - Date.now(), 0), MAX_TIMER_MS),
        );
      }
      connections.set(socket, connection);
      gatewayOpenSockets.inc({ service: GATEWAY_SERVICE });
      return true;
    },
    onSubscribe: async (ctx, _id, payload) => {
      const connection = connections.get(ctx.extra.socket);
      if (!connection) return [new GraphQLError('The connection is closing.', { extensions: { code: 'BAD_REQUEST' } })];
      // The session may have ended since the socket opened (an announcement missed during a Redis outage).
      if (connection.token && options.sessions && (await options.sessions.check(connection.token)) === 'revoked') {
        connection.socket.close(SESSION_CLOSE_CODE, SESSION_ENDED_MESSAGE);
        return [new GraphQLError(SESSION_ENDED_MESSAGE, { extensions: { code: 'UNAUTHENTICATED' } })];
      }
      if (Object.keys(ctx.subscriptions).length > limits.maxSubscriptionsPerConnection) {
        return [
          new GraphQLError(`At most ${limits.maxSubscriptionsPerConnection} subscriptions per connection; complete one first.`, {
            extensions: { code: 'RATE_LIMITED' },
          }),
        ];
      }
      return prepareSubscription({
        payload,
        planner: schema.planner,
        limits: operationLimits,
        rules: operationLimits.validationRules,
        logger,
        context: connection,
      });
    },
    subscribe: (args) => {
      const { context: connection, planner, plan } = args.contextValue as PreparedSubscription<Connection>;
      const requestId = randomUUID();
      const log = {
        requestId,
        userId: connection.context.identity?.userId,
        subgraph: plan.primary.serviceName,
        operation: args.operationName,
      };
      subscriptions += 1;
      const field = rootFieldOf(args.document, args.operationName);
      gatewayActiveSubscriptions.inc({ service: GATEWAY_SERVICE, field });
      logger.debug(log, 'subscription started');
      const iterator = startFederatedSubscription({
        planner,
        plan,
        document: args.document,
        operationName: args.operationName ?? undefined,
        variables: (args.variableValues ?? {}) as Record<string, unknown>,
        context: { ...connection.context, requestId },
        services: schema.serviceMap(),
        upstream,
        upstreamUrl: schema.upstreamUrl(plan.primary.serviceName),
        maxQueued: limits.maxQueuedEvents,
        isBacklogged: () => connection.socket.bufferedAmount > limits.maxBufferedBytes,
        onSlowConsumer: (queued) =>
          tooSlow(
            connection,
            queued >= limits.maxQueuedEvents
              ? `Too slow: ${queued} events waiting. Reconnect and catch up from your last cursor.`
              : `Too slow: ${connection.socket.bufferedAmount} bytes unsent. Reconnect and catch up from your last cursor.`,
          ),
        onEnd: () => {
          subscriptions -= 1;
          gatewayActiveSubscriptions.dec({ service: GATEWAY_SERVICE, field });
          logger.debug(log, 'subscription ended');
          connection.live.delete(iterator);
        },
        logger,
      });
      connection.live.add(iterator);
      fieldOf.set(iterator, field);
      return iterator;
    },
    onNext: (_ctx, _id, _payload, args, result) => {
      gatewaySubscriptionDeliveries.inc({ service: GATEWAY_SERVICE, field: rootFieldOf(args.document, args.operationName) });
      return result.errors ? { ...result, errors: result.errors.map(formatError) } : undefined;
    },
    onError: (_ctx, _id, _payload, errors) => errors.map(formatError),
    onClose: (ctx) => {
      const connection = connections.get(ctx.extra.socket);
      if (!connection) return;
      connections.delete(ctx.extra.socket);
      gatewayOpenSockets.dec({ service: GATEWAY_SERVICE });
      if (connection.expiry) clearTimeout(connection.expiry);
      if (connection.closeTimer) clearTimeout(connection.closeTimer);
    },
  };

  const sse = createSseStreams({
    schema,
    upstream,
    verifier: options.verifier,
    sessions: options.sessions,
    operationLimits,
    limits,
    clientAddress: addressOf,
    formatError,
    logger,
  });

  const stopListening = options.sessions?.feed?.onRevoked((revocation) => {
    sse.revoked(revocation);
    for (const connection of connections.values()) {
      if (connection.token && revocationCovers(revocation, connection.token)) {
        logger.info(
          { userId: connection.token.identity.userId, requestId: connection.context.requestId },
          'closing a socket whose session ended',
        );
        connection.socket.close(SESSION_CLOSE_CODE, SESSION_ENDED_MESSAGE);
      }
    }
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxPayloadBytes, perMessageDeflate: false });
  useServer({ ...serverOptions, isProd: !options.exposeInternals }, wss, limits.keepAliveMs);
  const admission = admitUpgrades({
    httpServer,
    wss,
    path: options.path ?? '/graphql',
    allowedOrigins: options.allowedOrigins,
    limits,
    clientAddress: addressOf,
    logger,
  });

  let closing: Promise<void> | null = null;
  return {
    stats: () => ({
      connections: wss.clients.size,
      streams: sse.streams(),
      addresses: admission.addresses(),
      subscriptions,
      upstreamSockets: upstream.sockets(),
    }),
    serveEventStream: (req, res) => sse.handle(req, res),
    refuseNew: () => {
      admission.refuseAll();
      sse.refuseNew();
    },
    close() {
      closing ??= (async () => {
        admission.detach();
        schema.stop();
        stopListening?.();
        sse.closeAll();
        await closeWebSocketServer(wss, 1001, 'Gateway shutting down');
        for (const connection of connections.values()) {
          if (connection.expiry) clearTimeout(connection.expiry);
          if (connection.closeTimer) clearTimeout(connection.closeTimer);
        }
        connections.clear();
        await upstream.close();
      })();
      return closing;
    },
  };
}
