import type { SubgraphServer } from './subgraph-server';
import type { EventBus } from './events/bus';
import type { PubSub } from './redis/pubsub';

/** What each subgraph package's `createSubgraph` returns: a server, and how to release what it holds. */
export interface Subgraph {
  name: SubgraphName;
  server: SubgraphServer;
  close(): Promise<void>;
}

export const SUBGRAPH_NAMES = ['accounts', 'listings', 'bookings', 'messaging', 'engagement', 'instances'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

/** Default ports, used by the embedded launcher and the committed supergraph's routing URLs. */
export const DEFAULT_SUBGRAPH_PORTS: Record<SubgraphName, number> = {
  accounts: 4001,
  listings: 4002,
  bookings: 4003,
  messaging: 4004,
  engagement: 4005,
  instances: 4006,
};

/** What the process (or the embedded launcher, or a test) hands a subgraph besides its env. */
export interface SubgraphDeps {
  /** Null when no bus is configured: events then wait in the outbox until one is. */
  bus: EventBus | null;
  /**
   * Fan-out for subscriptions: Redis in a process of its own, one in-process instance shared by all
   * subgraphs in embedded mode. Subgraphs without subscription fields ignore it.
   */
  pubsub?: PubSub;
  /** Called with each SQL statement the subgraph's Prisma client runs (tests count queries with it). */
  onQuery?: (sql: string) => void;
}
