import type express from 'express';
import type { Logger } from '../logger';
import type { EventBus } from '../events/bus';
import type { PubSub } from '../redis/pubsub';
import type { RedisServices } from '../redis';
import type { ScheduledJob } from '../jobs/scheduler';
import type { BaseContext } from '../context';
import type { SubgraphName } from '../subgraph-names';

/** The settings every subgraph's env module has (platform's `subgraphEnvShape`). */
export interface HostEnv {
  NODE_ENV: 'development' | 'test' | 'production';
  LOG_LEVEL: string;
  PORT: number;
  HOST: string;
  DATABASE_URL: string;
  DATABASE_POOL_SIZE: number;
  GATEWAY_SIGNING_SECRET: string;
  REDIS_URL?: string | undefined;
  REDIS_KEY_PREFIX?: string | undefined;
  SCHEDULER_POLL_MS?: number | undefined;
  SHUTDOWN_TIMEOUT_MS?: number | undefined;
}

/** What the host needs of a subgraph's Prisma client: a probe for readiness and a way to close. */
export interface HostDatabase {
  $queryRawUnsafe(query: string): PromiseLike<unknown>;
  $disconnect(): Promise<void>;
}

/** Subscribes one consumer group of the subgraph to the bus. */
export type Consumer = (bus: EventBus) => Promise<void>;

/**
 * The infrastructure the host builds once per subgraph and hands to `build`: a subgraph never
 * creates a database client, a Redis connection, a relay or a server of its own.
 */
export interface Infra<E extends HostEnv, Db extends HostDatabase> {
  name: SubgraphName;
  env: E;
  logger: Logger;
  db: Db;
  /** One Redis client set per subgraph process (in-process stand-ins when REDIS_URL is not set). */
  redis: RedisServices;
  /** Subscription fan-out: the process's Redis, or the one in-process instance of the embedded stack. */
  pubsub: PubSub;
  /** Null when no bus is configured: events then wait in the outbox until one is. */
  bus: EventBus | null;
}

/** What a subgraph declares it is made of; the host wires, orders and closes it. */
export interface SubgraphParts<C extends BaseContext, X extends object = object> {
  resolvers: object;
  /** The per-request context (fresh DataLoaders belong here). */
  context(base: BaseContext): C | Promise<C>;
  /** Subscribed before any relay of the process starts, so no event can arrive before its consumer. */
  consumers?: Consumer[];
  /** Periodic work, run by the platform scheduler once the relays are running. */
  jobs?: ScheduledJob[];
  /** Serve the schema's Subscription fields over graphql-ws (signed gateway connections only). */
  subscriptions?: boolean;
  /** Extra routes beside /graphql (accounts serves uploaded avatars in embedded mode). */
  routes?(app: express.Express): void;
  /** Told the port once the server listens. */
  onListen?(port: number): void;
  /** Readiness beyond the database probe. */
  readiness?(): Promise<void>;
  /** Releases what the subgraph itself holds; runs after the server and jobs stop, before Redis and the database close. */
  close?(): Promise<void>;
  /** Handles the subgraph exposes to tests and operators (accounts' retention purge, instances' idle()). */
  extras?: X;
}

/** What the process, the embedded stack or a test hands the host besides the env. */
export interface HostDeps {
  bus: EventBus | null;
  /** The embedded stack shares one in-process fan-out between all subgraphs and the gateway. */
  pubsub?: PubSub;
  /** Called with each SQL statement the Prisma client runs (tests count queries with it). */
  onQuery?: (sql: string, durationMs: number) => void;
  /**
   * False: build and subscribe the consumers, but start neither relay nor jobs yet; the embedded
   * stack starts them once every subgraph's consumers are subscribed. Default true.
   */
  start?: boolean;
}

export interface SubgraphDefinition<E extends HostEnv, Db extends HostDatabase, C extends BaseContext, D extends object, X extends object> {
  name: SubgraphName;
  /** Absolute path of the subgraph's SDL. */
  schemaPath: string;
  loadEnv(source?: Record<string, string | undefined>): E;
  database(databaseUrl: string, poolSize: number, onQuery?: (sql: string, durationMs: number) => void): Db;
  build(infra: Infra<E, Db>, deps: HostDeps & Partial<D>): Promise<SubgraphParts<C, X>> | SubgraphParts<C, X>;
}
