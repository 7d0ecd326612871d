import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { Request, Response } from 'express';
import { GraphQLError, type ExecutionResult, type GraphQLFormattedError } from 'graphql';
import { createHandler } from 'graphql-sse/lib/use/express';
import { SESSION_ENDED_MESSAGE, revocationCovers, type Identity, type Logger, type Revocation } from '@market/platform';
import type { GatewayContext } from '../context';
import type { SessionVerifier } from '../edge/bearer-auth';
import type { OperationLimits } from '../edge/operation-limits';
import { TOKEN_EXPIRED_REASON, authenticateConnection } from './connection-auth';
import { startFederatedSubscription } from './executor';
import type { SchemaFollower } from './schema-follower';
import { prepareSubscription, type PreparedSubscription } from './subscribe';
import type { SubscriptionLimits } from './subscription-limits';
import type { UpstreamConnections } from './upstream';

/** One open event stream: one subscription (graphql-sse's distinct connections mode). */
interface Stream {
  res: Response;
  context: GatewayContext;
  token: { identity: Identity; issuedAt: number } | null;
  expiry: NodeJS.Timeout | null;
  /** Ends the stream with a last `next` carrying this error, then `complete`. */
  end(error: GraphQLError): void;
}

export interface SseStreamsOptions {
  schema: SchemaFollower;
  upstream: UpstreamConnections;
  verifier: SessionVerifier;
  sessions?: { check(token: { identity: Identity; issuedAt: number }): Promise<'ok' | 'revoked'> } | null;
  operationLimits: OperationLimits;
  limits: SubscriptionLimits;
  clientAddress(request: http.IncomingMessage): string | null;
  formatError(error: GraphQLError): GraphQLFormattedError;
  logger: Logger;
}

export interface SseStreams {
  /** Serves one `Accept: text/event-stream` request on /graphql. */
  handle(req: Request, res: Response): Promise<void>;
  streams(): number;
  /** Ends the streams of a session that just ended. */
  revoked(revocation: Revocation): void;
  refuseNew(): void;
  /** Ends every stream with SUBSCRIPTION_INTERRUPTED (the gateway is shutting down). */
  closeAll(): void;
}

/** setTimeout's largest delay. */
const MAX_TIMER_MS = 2_147_483_647;

const sessionEnded = () => new GraphQLError(SESSION_ENDED_MESSAGE, { extensions: { code: 'UNAUTHENTICATED', reason: 'SESSION_ENDED' } });

/**
 * Subscriptions over Server-Sent Events (the GraphQL over SSE protocol, graphql-sse's "distinct
 * connections" mode: one HTTP request per subscription, `Accept: text/event-stream`, GET or POST),
 * for clients behind proxies that drop WebSockets. Everything but the transport is the WebSocket
 * path's: the same token check (`Authorization: Bearer`), the same limits and validation
 * (prepareSubscription), the same planner and executor, the same caps per process and per address.
 *
 * Where a socket would be closed with a code, a stream ends with a last `next` whose error says why
 * (`UNAUTHENTICATED` with `reason` TOKEN_EXPIRED or SESSION_ENDED, `RATE_LIMITED` when the client
 * does not keep up, `SUBSCRIPTION_INTERRUPTED` at shutdown), then `complete`: the client refreshes
 * its token if needed, subscribes again and catches up from its last cursor.
 *
 * graphql-sse's "single connection" mode (a reserved stream, PUT and a stream token) is not served.
 */
export function createSseStreams(options: SseStreamsOptions): SseStreams {
  const { limits, logger } = options;
  const open = new Set<Stream>();
  const byAddress = new Map<string, number>();
  const streamOf = new WeakMap<Response, Stream>();
  let refusing = false;

  const handler = createHandler<Record<string, unknown>>({
    // Only distinct connections: no stream token is ever issued or accepted.
    authenticate: () => null,
    onSubscribe: (req, params) => {
      const stream = streamOf.get(req.context.res);
      if (!stream)
        return {
          data: null,
          errors: [{ message: 'The stream is closing.', extensions: { code: 'BAD_REQUEST' } }],
        } as unknown as ExecutionResult;
      const prepared = prepareSubscription({
        payload: {
          query: params.query,
          operationName: params.operationName ?? null,
          variables: params.variables ?? null,
          extensions: params.extensions ?? null,
        },
        planner: options.schema.planner,
        limits: options.operationLimits,
        rules: options.operationLimits.validationRules,
        logger,
        context: stream,
      });
      // `data: null` is what marks a result (not arguments) for graphql-sse: sent as one `next`, then `complete`.
      if (Array.isArray(prepared)) return { data: null, errors: prepared.map(options.formatError) } as unknown as ExecutionResult;
      return prepared as typeof prepared & { contextValue: Record<string, unknown> };
    },
    subscribe: (args) => {
      const { context: stream, planner, plan } = args.contextValue as unknown as PreparedSubscription<Stream>;
      const requestId = randomUUID();
      const log = {
        requestId,
        userId: stream.context.identity?.userId,
        subgraph: plan.primary.serviceName,
        operation: args.operationName,
        transport: 'sse',
      };
      logger.debug(log, 'subscription started');
      const events = startFederatedSubscription({
        planner,
        plan,
        document: args.document,
        operationName: args.operationName ?? undefined,
        variables: (args.variableValues ?? {}) as Record<string, unknown>,
        context: { ...stream.context, requestId },
        services: options.schema.serviceMap(),
        upstream: options.upstream,
        upstreamUrl: options.schema.upstreamUrl(plan.primary.serviceName),
        maxQueued: limits.maxQueuedEvents,
        isBacklogged: () => stream.res.writableLength > limits.maxBufferedBytes,
        onSlowConsumer: (queued) =>
          stream.end(
            new GraphQLError(
              queued >= limits.maxQueuedEvents
                ? `Too slow: ${queued} events waiting. Subscribe again and catch up from your last cursor.`
                : `Too slow: ${stream.res.writableLength} bytes unsent. Subscribe again and catch up from your last cursor.`,
              { extensions: { code: 'RATE_LIMITED' } },
            ),
          ),
        onEnd: () => logger.debug(log, 'subscription ended'),
        logger,
      });
      const endable = new EndableEvents(events);
      stream.end = (error) => endable.end({ errors: [options.formatError(error)] } as unknown as ExecutionResult);
      return endable;
    },
    // Errors already formatted (refusals, the last result of an ended stream) are formatted again harmlessly.
    onNext: (_ctx, _req, result) =>
      'errors' in result && result.errors
        ? ({
            ...result,
            errors: result.errors.map((e) => (e instanceof GraphQLError ? options.formatError(e) : e)),
          } as unknown as ExecutionResult)
        : undefined,
  });

  const refuse = (res: Response, status: number, message: string, code: string, retryAfter?: number) => {
    if (retryAfter) res.setHeader('Retry-After', String(retryAfter));
    res.status(status).json({ errors: [{ message, extensions: { code } }] });
  };

  return {
    async handle(req, res) {
      if (refusing) return refuse(res, 503, 'This gateway is shutting down; reconnect.', 'UNAVAILABLE', 1);
      if (req.method !== 'GET' && req.method !== 'POST') {
        res.setHeader('Allow', 'GET, POST');
        return refuse(res, 405, 'Open an event stream with GET or POST.', 'BAD_REQUEST');
      }
      if (open.size >= limits.maxConnections) return refuse(res, 503, 'Too many open connections; retry later.', 'UNAVAILABLE', 5);
      const address = options.clientAddress(req) ?? 'unknown';
      const count = byAddress.get(address) ?? 0;
      if (limits.maxConnectionsPerIp > 0 && count >= limits.maxConnectionsPerIp) {
        logger.warn({ ip: address, open: count }, 'refused an event stream: too many connections from one address');
        return refuse(
          res,
          429,
          `At most ${limits.maxConnectionsPerIp} open connections per client address; close one and retry.`,
          'RATE_LIMITED',
          5,
        );
      }
      const authorization = req.header('authorization');
      const auth = await authenticateConnection(authorization === undefined ? undefined : { authorization }, options.verifier);
      if (!auth.ok) {
        // An expired token (refresh, then reconnect) and a refused one (sign in again) differ by message, as on WebSocket.
        res.setHeader('WWW-Authenticate', 'Bearer');
        return refuse(res, 401, auth.reason, 'UNAUTHENTICATED');
      }
      // The session may have ended after the token was issued (an announcement missed during a Redis outage).
      if (auth.token && options.sessions && (await options.sessions.check(auth.token)) === 'revoked') {
        return refuse(res, 401, SESSION_ENDED_MESSAGE, 'UNAUTHENTICATED');
      }

      byAddress.set(address, count + 1);
      const stream: Stream = {
        res,
        context: {
          identity: auth.token?.identity ?? null,
          requestId: randomUUID(),
          ip: address === 'unknown' ? null : address,
          userAgent: req.header('user-agent')?.slice(0, 512) ?? null,
        },
        token: auth.token,
        expiry: null,
        // Until the subscription starts there is nothing to end but the response.
        end: () => res.end(),
      };
      if (auth.expiresAt !== null) {
        stream.expiry = setTimeout(
          () => stream.end(new GraphQLError(TOKEN_EXPIRED_REASON, { extensions: { code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' } })),
          Math.min(Math.max(auth.expiresAt - Date.now(), 0), MAX_TIMER_MS),
        );
      }
      streamOf.set(res, stream);
      open.add(stream);
      res.once('close', () => {
        open.delete(stream);
        if (stream.expiry) clearTimeout(stream.expiry);
        const left = (byAddress.get(address) ?? 1) - 1;
        if (left > 0) byAddress.set(address, left);
        else byAddress.delete(address);
      });
      // No buffering proxies between the event and the client.
      res.setHeader('X-Accel-Buffering', 'no');
      try {
        await handler(req, res);
      } catch (err) {
        logger.error({ err, requestId: stream.context.requestId }, 'event stream failed');
        if (!res.headersSent) refuse(res, 500, 'The event stream could not be served.', 'INTERNAL_SERVER_ERROR');
        else res.end();
      }
    },
    streams: () => open.size,
    revoked(revocation) {
      for (const stream of open) {
        if (stream.token && revocationCovers(revocation, stream.token)) {
          logger.info(
            { userId: stream.token.identity.userId, requestId: stream.context.requestId },
            'ending an event stream whose session ended',
          );
          stream.end(sessionEnded());
        }
      }
    },
    refuseNew() {
      refusing = true;
    },
    closeAll() {
      refusing = true;
      for (const stream of open) {
        stream.end(
          new GraphQLError('The gateway is shutting down. Subscribe again and catch up from your last cursor.', {
            extensions: { code: 'SUBSCRIPTION_INTERRUPTED' },
          }),
        );
      }
    },
  };
}

/**
 * The federated events, endable from outside with one last result: the inner subscription ends
 * (upstream released), the last result is delivered, then the stream completes.
 */
class EndableEvents implements AsyncIterableIterator<ExecutionResult> {
  private last: ExecutionResult | null = null;
  private ended = false;

  constructor(private readonly inner: AsyncIterableIterator<ExecutionResult>) {}

  end(result: ExecutionResult): void {
    if (this.ended) return;
    this.ended = true;
    this.last = result;
    void this.inner.return?.();
  }

  async next(): Promise<IteratorResult<ExecutionResult>> {
    const item = this.ended ? ({ done: true, value: undefined } as const) : await this.inner.next();
    if (item.done && this.last) {
      const value = this.last;
      this.last = null;
      return { value, done: false };
    }
    return item.done ? { value: undefined, done: true } : item;
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    this.ended = true;
    this.last = null;
    await this.inner.return?.();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
