import type http from 'node:http';
import {
  GraphQLError,
  createSourceEventStream,
  execute,
  getOperationAST,
  parse,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { WebSocketServer } from 'ws';
import type { ServerOptions } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import type { Logger } from '../logger';
import { createErrorFormatter } from '../errors';
import type { BaseContext } from '../context';
import { verifyConnectionInit, verifySubscribePayload } from './protocol';
import { closeWebSocketServer, refuseUpgrade, upgradePath } from './ws';

export interface SubgraphSubscriptionsOptions<C extends BaseContext> {
  name: string;
  /** The subgraph's schema (from buildSubgraphSchema), whose Subscription fields have `subscribe` resolvers. */
  schema: GraphQLSchema;
  signingSecret: string;
  logger: Logger;
  exposeInternals: boolean;
  /** The same context factory as HTTP requests; called once per subscription and once per event. */
  createContext: (base: BaseContext) => C | Promise<C>;
  /** Default `/graphql`: the same path as HTTP, upgraded. */
  path?: string;
  /** WebSocket ping interval; a gateway that misses a pong for as long is dropped. Default 12 s. */
  keepAliveMs?: number;
  /** Largest accepted message. Default 1 MiB. */
  maxPayloadBytes?: number;
}

export interface SubgraphSubscriptionsStats {
  /** Open gateway connections. */
  sockets: number;
  /** Subscriptions with an open event stream. */
  subscriptions: number;
}

export interface SubgraphSubscriptions {
  /** Serves graphql-ws on this server's upgrades; the returned function detaches and closes its sockets. */
  attach(server: http.Server): () => Promise<void>;
  stats(): SubgraphSubscriptionsStats;
  /** Detaches from every server. */
  close(): Promise<void>;
}

/**
 * The subgraph end of live subscriptions: graphql-ws on the subgraph's own `/graphql`, for the
 * gateway only. A connection must open with a signed `connection_init` (else 4403), and every
 * subscribe carries the gateway's signature and the caller it authorizes with (else FORBIDDEN).
 * Only subscription operations are served here; queries and mutations stay on signed HTTP.
 *
 * Each event is executed with a fresh context (fresh DataLoaders), so nothing cached for one event
 * is served stale for the next, while the subscription's own context (the caller) stays the same.
 */
export function createSubgraphSubscriptions<C extends BaseContext>(options: SubgraphSubscriptionsOptions<C>): SubgraphSubscriptions {
  const { logger, schema } = options;
  const path = options.path ?? '/graphql';
  const formatError = createErrorFormatter({
    exposeInternals: options.exposeInternals,
    onInternal: (err) => logger.error({ err }, 'unexpected error in subscription resolver'),
  });
  /** The base each subscription's context was made from, to make a fresh context per event. */
  const bases = new WeakMap<object, BaseContext>();
  let subscriptions = 0;
  const attachments = new Set<() => Promise<void>>();
  const servers = new Set<WebSocketServer>();

  const subscribe = async (args: ExecutionArgs): Promise<ExecutionResult | AsyncIterableIterator<ExecutionResult>> => {
    const stream = await createSourceEventStream(args);
    if (!isAsyncIterable(stream)) return stream;
    const base = bases.get(args.contextValue as object);
    subscriptions += 1;
    return new ExecutedEvents(
      stream[Symbol.asyncIterator](),
      async (event) => execute({ ...args, rootValue: event, contextValue: base ? await options.createContext(base) : args.contextValue }),
      () => {
        subscriptions -= 1;
      },
    );
  };

  const serverOptions: ServerOptions<Record<string, unknown>, Extra> = {
    schema,
    connectionInitWaitTimeout: 3_000,
    onConnect: (ctx) => {
      const verdict = verifyConnectionInit(options.signingSecret, ctx.connectionParams);
      if (!verdict.ok) {
        logger.warn({ reason: verdict.reason }, 'refused an unsigned subscription connection');
        return false;
      }
      return true;
    },
    onSubscribe: async (ctx, _id, payload) => {
      const verdict = verifySubscribePayload(options.signingSecret, payload);
      if (!verdict.ok) {
        logger.warn({ reason: verdict.reason }, 'refused an unsigned or forged subscription');
        return [
          new GraphQLError('This subgraph answers the gateway only; subscribe through the gateway.', { extensions: { code: 'FORBIDDEN' } }),
        ];
      }
      let document: DocumentNode;
      try {
        document = parse(payload.query);
      } catch (err) {
        return [
          err instanceof GraphQLError ? err : new GraphQLError('Malformed operation.', { extensions: { code: 'GRAPHQL_PARSE_FAILED' } }),
        ];
      }
      const errors = validate(schema, document);
      if (errors.length > 0) return errors;
      const operation = getOperationAST(document, payload.operationName);
      if (operation?.operation !== 'subscription') {
        return [new GraphQLError('Only subscriptions are served over WebSocket.', { extensions: { code: 'BAD_REQUEST' } })];
      }
      const { caller } = verdict;
      const base: BaseContext = {
        identity: caller.identity,
        client: { ip: caller.ip, userAgent: caller.userAgent },
        requestId: verdict.requestId,
        logger: logger.child({ requestId: verdict.requestId, userId: caller.identity?.userId }),
      };
      const contextValue = await options.createContext(base);
      bases.set(contextValue, base);
      return {
        schema,
        document,
        operationName: payload.operationName,
        variableValues: payload.variables,
        contextValue,
      };
    },
    subscribe,
    onNext: (_ctx, _id, _payload, _args, result) =>
      result.errors ? { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e)) } : undefined,
    onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e.toJSON(), e)),
  };

  return {
    attach(server) {
      const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes ?? 1024 * 1024 });
      servers.add(wss);
      useServer(serverOptions, wss, options.keepAliveMs ?? 12_000);
      const onUpgrade = (req: http.IncomingMessage, socket: import('node:stream').Duplex, head: Buffer) => {
        if (upgradePath(req) !== path) {
          if (server.listenerCount('upgrade') === 1) refuseUpgrade(socket, 404, 'Not found.');
          return;
        }
        // Browsers always send Origin; the gateway never does. Nothing but the gateway belongs here.
        if (req.headers.origin !== undefined) {
          refuseUpgrade(socket, 403, 'This subgraph answers the gateway only.');
          return;
        }
        wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
      };
      server.on('upgrade', onUpgrade);
      let detached: Promise<void> | null = null;
      const detach = () => {
        detached ??= (async () => {
          server.off('upgrade', onUpgrade);
          attachments.delete(detach);
          await closeWebSocketServer(wss, 1001, `${options.name} subgraph shutting down`);
          servers.delete(wss);
        })();
        return detached;
      };
      attachments.add(detach);
      return detach;
    },
    stats() {
      let sockets = 0;
      for (const wss of servers) sockets += wss.clients.size;
      return { sockets, subscriptions };
    },
    async close() {
      await Promise.all([...attachments].map((detach) => detach()));
    },
  };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

/** The subscription's source events, each executed against the operation; `onEnd` runs once. */
class ExecutedEvents implements AsyncIterableIterator<ExecutionResult> {
  private ended = false;

  constructor(
    private readonly source: AsyncIterator<unknown>,
    private readonly run: (event: unknown) => Promise<ExecutionResult> | ExecutionResult,
    private readonly onEnd: () => void,
  ) {}

  async next(): Promise<IteratorResult<ExecutionResult>> {
    if (this.ended) return { value: undefined, done: true };
    let item: IteratorResult<unknown>;
    try {
      item = await this.source.next();
    } catch (err) {
      this.end();
      throw err;
    }
    if (item.done) {
      this.end();
      return { value: undefined, done: true };
    }
    return { value: await this.run(item.value), done: false };
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    if (!this.ended) {
      this.end();
      await this.source.return?.();
    }
    return { value: undefined, done: true };
  }

  async throw(error?: unknown): Promise<IteratorResult<ExecutionResult>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private end() {
    if (this.ended) return;
    this.ended = true;
    this.onEnd();
  }
}
