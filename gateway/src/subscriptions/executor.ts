import { randomUUID } from 'node:crypto';
import { GraphQLError, print, type DocumentNode, type ExecutionResult, type FormattedExecutionResult } from 'graphql';
import {
  buildOperationContext,
  executeQueryPlan,
  type GraphQLDataSource,
  type GraphQLDataSourceProcessOptions,
  type ServiceMap,
} from '@apollo/gateway';
import type { QueryPlan } from '@apollo/query-planner';
import { BoundedQueue, type Logger } from '@market/platform';
import type { GatewayContext } from '../context';
import type { SubscriptionPlan, SupergraphPlanner } from './planner';
import type { UpstreamConnections, UpstreamSink } from './upstream';

type GatewayRequestContext = Parameters<typeof executeQueryPlan>[2];
type GatewayResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

export interface FederatedSubscriptionInput {
  planner: SupergraphPlanner;
  plan: SubscriptionPlan;
  document: DocumentNode;
  operationName: string | undefined;
  variables: Record<string, unknown>;
  context: GatewayContext;
  /** The real data sources, by subgraph name (the HMAC-signing ones the gateway uses for HTTP). */
  services: ServiceMap;
  upstream: UpstreamConnections;
  /** ws:// URL of the subgraph that owns the subscription. */
  upstreamUrl: string;
  /** Upstream events waiting to be executed and sent beyond which the consumer counts as slow. */
  maxQueued: number;
  /** Whether the client's socket already holds too much unsent data. */
  isBacklogged(): boolean;
  /** Called when the client does not keep up; the caller closes its socket. */
  onSlowConsumer(queued: number): void;
  /** Called once when this subscription ends, however it ends. */
  onEnd?(): void;
  logger: Logger;
}

type UpstreamItem = { kind: 'event'; result: FormattedExecutionResult } | { kind: 'failed'; errors: GraphQLError[] };

/**
 * One client subscription, run the way Apollo's Router runs it: ONE upstream subscription to the
 * owning subgraph with the plan's primary operation, and for each upstream event the rest of the
 * plan through `executeQueryPlan` — the primary fetch answered by the event instead of HTTP, every
 * other fetch by the real signed data sources — so the client gets the complete, shaped payload
 * with at most one (batched) fetch per other subgraph per event.
 *
 * Events are executed and sent one at a time, in order; at most `maxQueued` wait. Ending the
 * iterator (unsubscribe, disconnect) ends the upstream subscription.
 */
export function startFederatedSubscription(input: FederatedSubscriptionInput): AsyncIterableIterator<ExecutionResult> {
  const { plan, context } = input;
  const { primary } = plan;
  const requestId = context.requestId || randomUUID();
  const variables: Record<string, unknown> = {};
  for (const name of primary.variableUsages ?? []) {
    if (input.variables[name] !== undefined) variables[name] = input.variables[name];
  }

  let unsubscribeUpstream: (() => void) | null = null;
  const queue = new BoundedQueue<UpstreamItem>({
    max: input.maxQueued,
    onOverflow: (queued) => input.onSlowConsumer(queued),
    onEnd: () => {
      unsubscribeUpstream?.();
      unsubscribeUpstream = null;
      input.onEnd?.();
    },
  });
  const sink: UpstreamSink = {
    next: (result) => {
      if (input.isBacklogged()) input.onSlowConsumer(queue.size);
      else queue.push({ kind: 'event', result });
    },
    error: (failure) => {
      const errors =
        failure.kind === 'refused'
          ? failure.errors.map((e) => new GraphQLError(e.message, { extensions: { ...e.extensions, serviceName: primary.serviceName } }))
          : [
              new GraphQLError(
                `The live connection to the ${primary.serviceName} service was interrupted. Subscribe again and catch up from your last cursor.`,
                { extensions: { code: 'SUBSCRIPTION_INTERRUPTED', serviceName: primary.serviceName } },
              ),
            ];
      queue.push({ kind: 'failed', errors });
      queue.end();
    },
    complete: () => queue.end(),
  };
  unsubscribeUpstream = input.upstream.subscribe(
    input.upstreamUrl,
    { query: primary.operation, operationName: primary.operationName, variables },
    { identity: context.identity, ip: context.ip, userAgent: context.userAgent },
    requestId,
    sink,
  );

  const operationContext = buildOperationContext({
    schema: input.planner.clientSchema,
    operationDocument: input.document,
    operationName: input.operationName,
  });
  const source = print(input.document);
  const perEventPlan: QueryPlan = {
    kind: 'QueryPlan',
    node: plan.rest ? { kind: 'Sequence', nodes: [primary, plan.rest] } : primary,
  };

  const runEvent = async (event: FormattedExecutionResult): Promise<ExecutionResult> => {
    if (event.data == null && event.errors?.length) {
      // The subgraph failed the subscription itself (UNAUTHENTICATED, FORBIDDEN, ...): nothing to complete.
      return {
        errors: event.errors.map(
          (e) => new GraphQLError(e.message, { path: e.path, extensions: { ...e.extensions, serviceName: primary.serviceName } }),
        ),
      };
    }
    const owner = input.services[primary.serviceName];
    const services: ServiceMap = { ...input.services, [primary.serviceName]: answerPrimaryWith(event, primary.operation, owner) };
    const requestContext = {
      request: { query: source, operationName: input.operationName, variables: input.variables },
      document: input.document,
      source,
      operationName: input.operationName ?? null,
      operation: operationContext.operation,
      context,
      schema: input.planner.clientSchema,
      metrics: {},
      logger: input.logger,
      queryHash: '',
      schemaHash: '',
      overallCachePolicy: undefined,
      // The executor reads only request, context, metrics and logger; the data sources read context.
    } as unknown as GatewayRequestContext;
    try {
      const result = await executeQueryPlan(
        perEventPlan,
        services,
        requestContext,
        operationContext,
        input.planner.supergraphSchema,
        input.planner.apiSchema,
      );
      return result as ExecutionResult;
    } catch (err) {
      // One event that cannot be executed must not end the subscription (nor leak it).
      input.logger.error({ err, requestId }, 'subscription event execution failed');
      return {
        errors: [new GraphQLError('This event could not be delivered.', { originalError: err instanceof Error ? err : undefined })],
      };
    }
  };

  return new FederatedEvents(queue, runEvent);
}

/**
 * A data source for the owning subgraph that answers the primary (subscription) fetch with the
 * event and passes every other fetch (entity fetches back into the same subgraph) to the real one.
 */
function answerPrimaryWith(
  event: FormattedExecutionResult,
  primaryOperation: string,
  real: GraphQLDataSource | undefined,
): GraphQLDataSource {
  return {
    async process(options: GraphQLDataSourceProcessOptions): Promise<GatewayResponse> {
      if (options.request.query === primaryOperation) {
        return { data: event.data ?? null, ...(event.errors ? { errors: event.errors } : {}) };
      }
      if (!real) throw new Error('no data source for the subscription owner');
      return real.process(options);
    },
  };
}

class FederatedEvents implements AsyncIterableIterator<ExecutionResult> {
  constructor(
    private readonly queue: BoundedQueue<UpstreamItem>,
    private readonly runEvent: (event: FormattedExecutionResult) => Promise<ExecutionResult>,
  ) {}

  async next(): Promise<IteratorResult<ExecutionResult>> {
    const item = await this.queue.next();
    if (item.done) return { value: undefined, done: true };
    if (item.value.kind === 'failed') {
      await this.queue.return();
      return { value: { errors: item.value.errors }, done: false };
    }
    return { value: await this.runEvent(item.value.result), done: false };
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    await this.queue.return();
    return { value: undefined, done: true };
  }

  async throw(error?: unknown): Promise<IteratorResult<ExecutionResult>> {
    await this.queue.return();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
