import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import {
  GraphQLError,
  getOperationAST,
  getVariableValues,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLFormattedError,
  type ValidationRule,
} from 'graphql';
import WebSocket, { WebSocketServer } from 'ws';
import { CloseCode, type ServerOptions } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { RemoteGraphQLDataSource, type GraphQLDataSource, type ServiceMap } from '@apollo/gateway';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  closeWebSocketServer,
  createErrorFormatter,
  refuseUpgrade,
  upgradePath,
  SESSION_ENDED_MESSAGE,
  type Logger,
  type SessionTokenVerdict,
} from '@market/platform';
import type { GatewayContext } from '../server';
import { OPERATION_LIMITS, maxAliasesRule } from '../limits';
import { SUBSCRIPTION_ERROR_CODES, startFederatedSubscription } from './executor';
import { SupergraphPlanner, type SubscriptionPlan } from './planner';
import { UpstreamConnections } from './upstream';

export interface SubscriptionLimits {
  /** WebSocket ping interval; a client that misses a pong for as long is dropped. */
  keepAliveMs: number;
  /** Time allowed between the upgrade and `connection_init` (then 4408). */
  connectionInitWaitMs: number;
  /** Open client connections per gateway process (then 503 on upgrade). */
  maxConnections: number;
  /**
   * Open client connections from one client address per gateway process (then 429 on upgrade), so one
   * client cannot take the whole `maxConnections`; 0 turns the cap off. The address is the one HTTP
   * rate limits use (X-Forwarded-For only from a loopback proxy).
   */
  maxConnectionsPerIp: number;
  /** Concurrent subscriptions on one connection. */
  maxSubscriptionsPerConnection: number;
  /** Upstream events waiting for one subscription before its client counts as too slow. */
  maxQueuedEvents: number;
  /** Unsent bytes on one client socket before it counts as too slow. */
  maxBufferedBytes: number;
  /** Largest message accepted from a client. */
  maxPayloadBytes: number;
  /** How long an upstream connection with no subscriptions stays open. */
  upstreamIdleCloseMs: number;
  upstreamKeepAliveMs: number;
  /** Grace after a close before a socket that does not finish the handshake is cut. */
  closeGraceMs: number;
}

export const DEFAULT_SUBSCRIPTION_LIMITS: SubscriptionLimits = {
  keepAliveMs: 12_000,
  connectionInitWaitMs: 3_000,
  maxConnections: 10_000,
  maxConnectionsPerIp: 256,
  maxSubscriptionsPerConnection: 50,
  maxQueuedEvents: 100,
  maxBufferedBytes: 1024 * 1024,
  maxPayloadBytes: 64 * 1024,
  upstreamIdleCloseMs: 5_000,
  upstreamKeepAliveMs: 10_000,
  closeGraceMs: 5_000,
};

/** What the server needs from ApolloGateway to follow supergraph updates. */
export interface SchemaSource {
  onSchemaLoadOrUpdate(callback: (schema: { coreSupergraphSdl: string }) => void): () => void;
}

export interface SubscriptionServerOptions {
  httpServer: http.Server;
  /** The supergraph the gateway serves now; `gateway` (when given) brings later versions. */
  supergraphSdl: string;
  gateway?: SchemaSource;
  /** The gateway's own data-source factory (the signed one), so per-event fetches are signed the same way. */
  buildService(definition: { name: string; url: string }): GraphQLDataSource;
  /** Verifies a token and, at the gateway, refuses the tokens of ended sessions ('revoked'). */
  verifier: { verify(token: string): Promise<SessionTokenVerdict> };
  signingSecret: string;
  /** Browser origins allowed to open a socket; a request without Origin (not a browser) is allowed. */
  allowedOrigins: readonly string[];
  /** The HTTP endpoint's validation rules (depth, aliases, cost...), so both paths have the same limits. */
  validationRules?: readonly ValidationRule[];
  logger: Logger;
  /** Development shows internal error messages and field suggestions; nothing else does. */
  exposeInternals: boolean;
  path?: string;
  limits?: Partial<SubscriptionLimits>;
}

export interface SubscriptionServerStats {
  connections: number;
  /** Client addresses with at least one open socket. */
  addresses: number;
  subscriptions: number;
  upstreamSockets: number;
}

export interface SubscriptionServer {
  stats(): SubscriptionServerStats;
  close(): Promise<void>;
}

interface Connection {
  socket: WebSocket;
  context: GatewayContext;
  expiry: NodeJS.Timeout | null;
  /** This connection's subscriptions, ended together when it is too slow. */
  live: Set<AsyncIterator<unknown>>;
  slow: boolean;
  closeTimer: NodeJS.Timeout | null;
}

/** What onSubscribe hands to `subscribe`, as graphql-ws's contextValue. */
interface PreparedSubscription {
  connection: Connection;
  planner: SupergraphPlanner;
  plan: SubscriptionPlan;
}

const TOKEN = /^[A-Za-z0-9._~+/=-]{1,8192}$/;
const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;
/** setTimeout's largest delay. */
const MAX_TIMER_MS = 2_147_483_647;

/** The validation rules the HTTP endpoint uses (server.ts), for callers that do not pass theirs. */
export function defaultValidationRules(): ValidationRule[] {
  const armor = new ApolloArmor({
    maxDepth: { n: OPERATION_LIMITS.depth },
    maxAliases: { enabled: false },
    maxDirectives: { n: OPERATION_LIMITS.directives },
    // The token limit is enforced while parsing (parse(..., { maxTokens })), as on HTTP.
    maxTokens: { enabled: false },
    costLimit: { maxCost: OPERATION_LIMITS.cost },
    blockFieldSuggestion: { enabled: false },
  });
  return [...(armor.protect().validationRules as ValidationRule[]), maxAliasesRule(OPERATION_LIMITS.aliases)];
}

/**
 * GraphQL subscriptions on the gateway's own `/graphql`, over graphql-ws (`graphql-transport-ws`).
 *
 * - Upgrade: path must be `path`; a browser `Origin` must be in `allowedOrigins` (else HTTP 403).
 * - `connection_init` payload `{ authorization: 'Bearer <token>' }` or `{ token }`: verified like
 *   the HTTP `Authorization` header. No token: an anonymous connection (fields that need a user
 *   answer UNAUTHENTICATED); a bad or expired token: close 4401. The connection is closed with
 *   4401 when its token expires (reconnect with a fresh one). graphql-ws itself closes with 4400,
 *   4408, 4409 and 4429.
 * - Each subscription is validated with the HTTP limits, planned with the gateway's query planner
 *   and run by `startFederatedSubscription` (executor.ts).
 * - A client that does not keep up (more than `maxQueuedEvents` waiting, or `maxBufferedBytes`
 *   unsent) is closed with 1013 "Try Again Later" and a reason saying why; everything it held is
 *   released at once.
 */
export function createSubscriptionServer(options: SubscriptionServerOptions): SubscriptionServer {
  const { logger, httpServer } = options;
  const limits: SubscriptionLimits = { ...DEFAULT_SUBSCRIPTION_LIMITS, ...options.limits };
  const path = options.path ?? '/graphql';
  const rules = [...specifiedRules, ...(options.validationRules ?? defaultValidationRules())];
  const formatError = publicErrorFormatter(options.exposeInternals, logger);
  const upstream = new UpstreamConnections({
    signingSecret: options.signingSecret,
    logger,
    keepAliveMs: limits.upstreamKeepAliveMs,
    idleCloseMs: limits.upstreamIdleCloseMs,
    maxPayloadBytes: 16 * 1024 * 1024,
  });

  let planner = new SupergraphPlanner(options.supergraphSdl);
  let plannedSdl = options.supergraphSdl;
  const services = new Map<string, { url: string; dataSource: GraphQLDataSource }>();
  const serviceFor = (name: string, url: string) => {
    const known = services.get(name);
    if (known && known.url === url) return known.dataSource;
    const dataSource = options.buildService({ name, url });
    services.set(name, { url, dataSource });
    return dataSource;
  };
  const serviceMap = (): ServiceMap => Object.fromEntries(planner.subgraphs.map(({ name, url }) => [name, serviceFor(name, url)]));
  const upstreamUrl = (name: string): string => {
    const metadata = planner.subgraphs.find((s) => s.name === name);
    if (!metadata) throw new Error(`subgraph ${name} is not in the supergraph`);
    const source = serviceFor(name, metadata.url);
    const url = source instanceof RemoteGraphQLDataSource && source.url ? source.url : metadata.url;
    return url.replace(/^http/, 'ws');
  };
  const stopFollowing = options.gateway?.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => {
    if (coreSupergraphSdl === plannedSdl) return;
    try {
      planner = new SupergraphPlanner(coreSupergraphSdl);
      plannedSdl = coreSupergraphSdl;
      logger.info('subscriptions follow the new supergraph');
    } catch (err) {
      logger.error({ err }, 'subscriptions could not load the new supergraph; keeping the previous one');
    }
  });

  const connections = new Map<WebSocket, Connection>();
  /** Open (or opening) sockets per client address. */
  const connectionsByAddress = new Map<string, number>();
  let subscriptions = 0;

  const tooSlow = (connection: Connection, reason: string) => {
    if (connection.slow) return;
    connection.slow = true;
    logger.warn({ requestId: connection.context.requestId, userId: connection.context.identity?.userId, reason }, 'closing a slow subscription client');
    connection.socket.close(1013, reason);
    // A client that stopped reading cannot read the close frame either: cut it after the grace.
    connection.closeTimer = setTimeout(() => connection.socket.terminate(), limits.closeGraceMs);
    for (const iterator of connection.live) void iterator.return?.();
  };

  const serverOptions: ServerOptions<Record<string, unknown>, Extra> = {
    connectionInitWaitTimeout: limits.connectionInitWaitMs,
    onConnect: async (ctx) => {
      const { socket, request } = ctx.extra;
      const token = readToken(ctx.connectionParams);
      const context: GatewayContext = {
        identity: null,
        requestId: randomUUID(),
        ip: clientIp(request),
        userAgent: request.headers['user-agent']?.slice(0, 512) ?? null,
      };
      let expiresAt: number | null = null;
      if (token === 'malformed') {
        socket.close(CloseCode.Unauthorized, 'Send the access token as { authorization: "Bearer <token>" } or { token }');
        return false;
      }
      if (token) {
        const verdict = await options.verifier.verify(token);
        if (!verdict.ok) {
          socket.close(
            CloseCode.Unauthorized,
            verdict.reason === 'expired'
              ? 'Access token expired: refresh it and reconnect'
              : verdict.reason === 'revoked'
                ? SESSION_ENDED_MESSAGE
                : 'Access token not valid: sign in again',
          );
          return false;
        }
        context.identity = verdict.identity;
        expiresAt = verdict.expiresAt * 1000;
      }
      if (socket.readyState !== WebSocket.OPEN) return false;
      const connection: Connection = { socket, context, expiry: null, live: new Set(), slow: false, closeTimer: null };
      if (expiresAt !== null) {
        connection.expiry = setTimeout(
          () => socket.close(CloseCode.Unauthorized, 'Access token expired: refresh it and reconnect'),
          Math.min(Math.max(expiresAt - Date.now(), 0), MAX_TIMER_MS),
        );
      }
      connections.set(socket, connection);
      return true;
    },
    onSubscribe: (ctx, _id, payload) => {
      const connection = connections.get(ctx.extra.socket);
      if (!connection) return [new GraphQLError('The connection is closing.', { extensions: { code: 'BAD_REQUEST' } })];
      if (Object.keys(ctx.subscriptions).length > limits.maxSubscriptionsPerConnection) {
        return [
          new GraphQLError(`At most ${limits.maxSubscriptionsPerConnection} subscriptions per connection; complete one first.`, {
            extensions: { code: 'RATE_LIMITED' },
          }),
        ];
      }
      if (typeof payload.query !== 'string' || payload.query.length > OPERATION_LIMITS.documentChars) {
        return [
          new GraphQLError(`The operation is longer than ${OPERATION_LIMITS.documentChars} characters.`, { extensions: { code: 'BAD_USER_INPUT' } }),
        ];
      }
      let document: DocumentNode;
      try {
        document = parse(payload.query, { maxTokens: OPERATION_LIMITS.tokens });
      } catch (err) {
        return [err instanceof GraphQLError ? withCode(err, 'GRAPHQL_PARSE_FAILED') : new GraphQLError('Malformed operation.', { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
      }
      const current = planner;
      const errors = validate(current.clientSchema, document, rules);
      if (errors.length > 0) return errors.map((e) => withCode(e, 'GRAPHQL_VALIDATION_FAILED'));
      const operation = getOperationAST(document, payload.operationName);
      if (!operation) return [new GraphQLError('Name the operation to run with operationName.', { extensions: { code: 'BAD_USER_INPUT' } })];
      if (operation.operation !== 'subscription') {
        return [
          new GraphQLError('Only subscriptions are served over WebSocket; send queries and mutations with HTTP POST.', {
            extensions: { code: 'BAD_REQUEST' },
          }),
        ];
      }
      const variables = getVariableValues(current.clientSchema, operation.variableDefinitions ?? [], payload.variables ?? {}, { maxErrors: 10 });
      if (variables.errors) return variables.errors.map((e) => withCode(e, 'BAD_USER_INPUT'));
      let plan: SubscriptionPlan;
      try {
        plan = current.plan(document, payload.operationName);
      } catch (err) {
        if (err instanceof GraphQLError) return [err];
        logger.error({ err }, 'subscription planning failed');
        return [new GraphQLError('This subscription could not be planned.')];
      }
      const prepared: PreparedSubscription = { connection, planner: current, plan };
      const args: ExecutionArgs = {
        schema: current.clientSchema,
        document,
        operationName: payload.operationName,
        variableValues: payload.variables ?? {},
        contextValue: prepared,
      };
      return args;
    },
    subscribe: (args) => {
      const { connection, planner: current, plan } = args.contextValue as PreparedSubscription;
      const requestId = randomUUID();
      const log = { requestId, userId: connection.context.identity?.userId, subgraph: plan.primary.serviceName, operation: args.operationName };
      subscriptions += 1;
      logger.debug(log, 'subscription started');
      const iterator = startFederatedSubscription({
        planner: current,
        plan,
        document: args.document,
        operationName: args.operationName ?? undefined,
        variables: (args.variableValues ?? {}) as Record<string, unknown>,
        context: { ...connection.context, requestId },
        services: serviceMap(),
        upstream,
        upstreamUrl: upstreamUrl(plan.primary.serviceName),
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
          logger.debug(log, 'subscription ended');
          connection.live.delete(iterator);
        },
        logger,
      });
      connection.live.add(iterator);
      return iterator;
    },
    onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: result.errors.map(formatError) } : undefined),
    onError: (_ctx, _id, _payload, errors) => errors.map(formatError),
    onClose: (ctx) => {
      const connection = connections.get(ctx.extra.socket);
      if (!connection) return;
      connections.delete(ctx.extra.socket);
      if (connection.expiry) clearTimeout(connection.expiry);
      if (connection.closeTimer) clearTimeout(connection.closeTimer);
    },
  };

  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxPayloadBytes, perMessageDeflate: false });
  useServer({ ...serverOptions, isProd: !options.exposeInternals }, wss, limits.keepAliveMs);

  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    if (upgradePath(req) !== path) {
      if (httpServer.listenerCount('upgrade') === 1) refuseUpgrade(socket, 404, `WebSocket connections are served on ${path}.`);
      return;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !options.allowedOrigins.includes(origin)) {
      logger.warn({ origin }, 'refused a WebSocket upgrade from an origin that is not allowed');
      refuseUpgrade(socket, 403, 'This origin may not open a WebSocket here.');
      return;
    }
    if (wss.clients.size >= limits.maxConnections) {
      refuseUpgrade(socket, 503, 'Too many open connections; retry later.', 5);
      return;
    }
    const address = clientIp(req) ?? 'unknown';
    const open = connectionsByAddress.get(address) ?? 0;
    if (limits.maxConnectionsPerIp > 0 && open >= limits.maxConnectionsPerIp) {
      logger.warn({ ip: address, open }, 'refused a WebSocket upgrade: too many connections from one address');
      refuseUpgrade(socket, 429, `At most ${limits.maxConnectionsPerIp} open connections per client address; close one and retry.`, 5);
      return;
    }
    // Counted before the handshake completes, so a burst of upgrades cannot slip past the cap.
    connectionsByAddress.set(address, open + 1);
    let counted = true;
    const release = () => {
      if (!counted) return;
      counted = false;
      const left = (connectionsByAddress.get(address) ?? 1) - 1;
      if (left > 0) connectionsByAddress.set(address, left);
      else connectionsByAddress.delete(address);
    };
    socket.once('close', release);
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.once('close', release);
      wss.emit('connection', ws, req);
    });
  };
  httpServer.on('upgrade', onUpgrade);

  let closing: Promise<void> | null = null;
  return {
    stats: () => ({ connections: wss.clients.size, addresses: connectionsByAddress.size, subscriptions, upstreamSockets: upstream.sockets() }),
    close() {
      closing ??= (async () => {
        httpServer.off('upgrade', onUpgrade);
        stopFollowing?.();
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

/** The token from a connection_init payload: undefined when none was sent. */
function readToken(params: Readonly<Record<string, unknown>> | undefined): string | undefined | 'malformed' {
  if (!params) return undefined;
  const authorization = params['authorization'] ?? params['Authorization'];
  if (authorization !== undefined) {
    const match = typeof authorization === 'string' ? /^Bearer (\S+)$/.exec(authorization) : null;
    return match?.[1] && TOKEN.test(match[1]) ? match[1] : 'malformed';
  }
  const token = params['token'];
  if (token !== undefined) return typeof token === 'string' && TOKEN.test(token) ? token : 'malformed';
  return undefined;
}

/** As express computes req.ip with `trust proxy: loopback`: the nearest address that is not a local proxy. */
function clientIp(request: http.IncomingMessage): string | null {
  const remote = request.socket.remoteAddress ?? null;
  if (!remote || !LOOPBACK.test(remote)) return remote;
  const forwarded = request.headers['x-forwarded-for'];
  const hops = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',').map((h) => h.trim()).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string;
    if (!LOOPBACK.test(hop) || i === 0) return hop.slice(0, 64);
  }
  return remote;
}

function withCode(error: GraphQLError, code: string): GraphQLError {
  if (error.extensions['code']) return error;
  return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, extensions: { ...error.extensions, code } });
}

/**
 * The HTTP endpoint's error policy (platform createErrorFormatter), plus this server's own codes,
 * and without field suggestions outside development.
 */
function publicErrorFormatter(exposeInternals: boolean, logger: Logger): (error: GraphQLError) => GraphQLFormattedError {
  const format = createErrorFormatter({ exposeInternals, onInternal: (err) => logger.error({ err }, 'unexpected subscription error') });
  return (error) => {
    const formatted = error.toJSON();
    const code = formatted.extensions?.['code'];
    if (typeof code === 'string' && SUBSCRIPTION_ERROR_CODES.has(code)) return formatted;
    const result = format(formatted, error);
    if (exposeInternals) return result;
    return { ...result, message: result.message.replace(/ Did you mean .*\?$/, '') };
  };
}
