import { createHash } from 'node:crypto';
import { GraphQLError, print, type DocumentNode, type GraphQLSchema } from 'graphql';
import { Supergraph, operationFromDocument, type Schema } from '@apollo/federation-internals';
import { QueryPlanner, type FetchNode, type PlanNode } from '@apollo/query-planner';

/**
 * A subscription as the gateway's own planner sees it: `primary` is the one fetch to the subgraph
 * that owns the Subscription field (its operation is what we subscribe to upstream), `rest` the
 * fetches that complete each event from other subgraphs (entity fetches, batched per subgraph).
 */
export interface SubscriptionPlan {
  primary: FetchNode;
  rest: PlanNode | undefined;
}

const PLAN_CACHE_SIZE = 500;

/**
 * The supergraph as the subscription server needs it, built with the same packages (and the same
 * versions) as `ApolloGateway` builds it: the API schema clients are validated against, the
 * supergraph schema the executor reads, and a `QueryPlanner` over it.
 */
export class SupergraphPlanner {
  readonly apiSchema: Schema;
  /** What clients see (no join/link machinery): validation and operation context use it. */
  readonly clientSchema: GraphQLSchema;
  readonly supergraphSchema: GraphQLSchema;
  readonly subgraphs: readonly { name: string; url: string }[];
  private readonly planner: QueryPlanner;
  /** Planning is the expensive step; a subscription's operation is planned once (LRU by text). */
  private readonly plans = new Map<string, SubscriptionPlan>();

  constructor(supergraphSdl: string) {
    const supergraph = Supergraph.build(supergraphSdl);
    this.apiSchema = supergraph.apiSchema();
    this.clientSchema = this.apiSchema.toGraphQLJSSchema();
    this.supergraphSchema = supergraph.schema.toGraphQLJSSchema();
    this.subgraphs = supergraph.subgraphsMetadata();
    this.planner = new QueryPlanner(supergraph);
  }

  /** Plans a validated subscription operation; throws a GraphQLError when it cannot be served. */
  plan(document: DocumentNode, operationName: string | null | undefined): SubscriptionPlan {
    const key = createHash('sha256')
      .update(print(document))
      .update('\0')
      .update(operationName ?? '')
      .digest('hex');
    const cached = this.plans.get(key);
    if (cached) {
      this.plans.delete(key);
      this.plans.set(key, cached);
      return cached;
    }
    const operation = operationFromDocument(this.apiSchema, document, operationName ? { operationName } : {});
    const node = this.planner.buildQueryPlan(operation).node;
    if (node?.kind !== 'Subscription') {
      throw new GraphQLError('Only subscription operations are served over WebSocket.', { extensions: { code: 'BAD_REQUEST' } });
    }
    const plan: SubscriptionPlan = { primary: node.primary, rest: node.rest };
    this.plans.set(key, plan);
    if (this.plans.size > PLAN_CACHE_SIZE) {
      const oldest = this.plans.keys().next().value;
      if (oldest !== undefined) this.plans.delete(oldest);
    }
    return plan;
  }
}
