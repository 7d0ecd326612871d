import { readFileSync } from 'node:fs';
import {
  createLogger,
  MemorySessionRevocations,
  SUBGRAPH_NAMES,
  type EventBus,
  type HostDeps,
  type PubSub,
  type SessionRevocations,
  type Subgraph,
  type SubgraphName,
} from '@market/platform';
import { accounts } from '@market/accounts';
import { listings } from '@market/listings';
import { bookings } from '@market/bookings';
import { messaging } from '@market/messaging';
import { engagement } from '@market/engagement';
import { instances } from '@market/instances';
import { createGateway, loadGatewayEnv, SUPERGRAPH_PATH, type GatewayOptions, type GatewayServer } from '@market/gateway';
import { createEventExporter, DirectorySink, prepareAnalyticsDatabase, type EventExporter } from '@market/platform/analytics';

type Env = Record<string, string | undefined>;

/** The six declarations, so one loop can build them all on the host. */
interface Declared {
  loadEnv(source: Env): unknown;
  create(env: never, logger: ReturnType<typeof createLogger>, deps: HostDeps & { revocations?: SessionRevocations }): Promise<Subgraph>;
}

export const SUBGRAPHS: Record<SubgraphName, Declared> = { accounts, listings, bookings, messaging, engagement, instances };

export interface StackOptions {
  databaseUrls: Record<SubgraphName, string>;
  signingSecret: string;
  jwtPrivateKey: string;
  jwtPublicKey: string;
  nodeEnv?: 'development' | 'test' | 'production';
  logLevel?: string;
  /** Port for each subgraph; 0 (the default) picks a free one. */
  ports?: Partial<Record<SubgraphName, number>>;
  gatewayPort?: number;
  host?: string;
  /** Extra variables handed to every service's env module. */
  extraEnv?: Env;
  /** The bus the subgraphs' outbox relays publish to and their consumers read from. */
  bus: EventBus | null;
  /** Subscription fan-out shared by the subgraphs (one in-process instance in embedded mode). */
  pubsub?: PubSub;
  /**
   * Where accounts records ended sessions and the gateway checks tokens, when REDIS_URL (in
   * extraEnv) is not set; one in-process store is made when not given.
   */
  revocations?: SessionRevocations;
  /** Subscription limits of the gateway (tests close idle upstream sockets sooner). */
  subscriptionLimits?: GatewayOptions['subscriptionLimits'];
  /** Receives every SQL statement, tagged with its subgraph (tests count queries with it). */
  onQuery?: (subgraph: SubgraphName, sql: string) => void;
  /**
   * Runs the analytics export on the bus (its consumer joins before any relay starts, like the
   * subgraphs' consumers): its ledger database and the directory its files go to.
   */
  analytics?: { databaseUrl: string; dir: string; flushIntervalMs?: number };
}

export interface RunningStack {
  url: string;
  gateway: GatewayServer;
  subgraphs: Record<SubgraphName, { subgraph: Subgraph; url: string; close(): Promise<void> }>;
  /** Stops the gateway, then the event bus once the events already handed out are handled, then the subgraphs. */
  stop(): Promise<void>;
}

/**
 * Starts all six subgraphs and the gateway in this process, each subgraph on its own port and
 * database: what `npm start` runs, and what end-to-end tests run against.
 */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const nodeEnv = options.nodeEnv ?? 'development';
  const logLevel = options.logLevel ?? 'info';
  const host = options.host ?? '127.0.0.1';
  const common: Env = {
    NODE_ENV: nodeEnv,
    LOG_LEVEL: logLevel,
    HOST: host,
    GATEWAY_SIGNING_SECRET: options.signingSecret,
    JWT_PRIVATE_KEY: options.jwtPrivateKey,
    ...options.extraEnv,
  };

  // One store for accounts (writer) and the gateway (reader), like the shared pubsub.
  const revocations = options.revocations ?? new MemorySessionRevocations();
  const started = {} as RunningStack['subgraphs'];
  const built: Subgraph[] = [];
  let exporter: EventExporter | null = null;
  try {
    // Start order for the whole process: every subgraph's consumers subscribe (in build), then every
    // relay starts, then every job, then the servers listen. The in-process bus hands an event only to
    // groups already subscribed, so an event left in an outbox by a previous run reaches its consumer.
    await Promise.all(
      SUBGRAPH_NAMES.map(async (name) => {
        const declared = SUBGRAPHS[name];
        const env = declared.loadEnv({ ...common, DATABASE_URL: options.databaseUrls[name], PORT: String(options.ports?.[name] ?? 0) });
        const onQuery = options.onQuery;
        const subgraph = await declared.create(env as never, createLogger(name, logLevel), {
          bus: options.bus,
          revocations,
          start: false,
          ...(options.pubsub ? { pubsub: options.pubsub } : {}),
          ...(onQuery ? { onQuery: (sql: string) => onQuery(name, sql) } : {}),
        });
        built.push(subgraph);
        started[name] = { subgraph, url: '', close: () => subgraph.close() };
      }),
    );
    if (options.analytics && options.bus) {
      await prepareAnalyticsDatabase(options.analytics.databaseUrl);
      exporter = createEventExporter({
        databaseUrl: options.analytics.databaseUrl,
        sink: new DirectorySink(options.analytics.dir),
        logger: createLogger('analytics', logLevel),
      });
      await exporter.subscribe(options.bus);
      exporter.startFlushing(options.analytics.flushIntervalMs ?? 10_000);
    }
    for (const subgraph of built) subgraph.startRelay();
    for (const subgraph of built) subgraph.startJobs();
    await Promise.all(
      SUBGRAPH_NAMES.map(async (name) => {
        const { subgraph } = started[name];
        const running = await subgraph.listen(options.ports?.[name] ?? 0, host);
        started[name] = {
          subgraph,
          url: running.url,
          close: async () => {
            await running.close();
            await subgraph.close();
          },
        };
      }),
    );
  } catch (err) {
    await Promise.allSettled(Object.values(started).map((s) => s.close()));
    await exporter?.close();
    throw err;
  }

  const gatewayEnv = loadGatewayEnv({
    NODE_ENV: nodeEnv,
    LOG_LEVEL: logLevel,
    HOST: host,
    PORT: String(options.gatewayPort ?? 0),
    GATEWAY_SIGNING_SECRET: options.signingSecret,
    JWT_PUBLIC_KEY: options.jwtPublicKey,
    ...options.extraEnv,
  });
  const gateway = await createGateway({
    env: gatewayEnv,
    supergraphSdl: readFileSync(SUPERGRAPH_PATH, 'utf8'),
    subgraphUrls: Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, started[n].url])),
    logger: createLogger('gateway', logLevel),
    revocations,
    ...(options.subscriptionLimits ? { subscriptionLimits: options.subscriptionLimits } : {}),
  });
  const { url } = await gateway.listen(gatewayEnv.PORT, host);
  return {
    url,
    gateway,
    subgraphs: started,
    async stop() {
      await gateway.stop();
      // Events already handed to consumers finish while every subgraph is still up; after that the
      // bus refuses new ones, which stay in their outbox (published on the next start) rather than
      // reaching a consumer whose database is closing.
      await options.bus?.close();
      // What the export staged until then goes into its files.
      await exporter?.close();
      await Promise.allSettled(Object.values(started).map((s) => s.close()));
    },
  };
}
