import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The one Prometheus registry of a process and every metric the services export, so a dashboard or
 * an alert can be checked against one list (ops/grafana/dashboards are tested against it).
 *
 * Every series carries `service`: a process runs one service in production, but the embedded stack
 * runs all seven in one process and serves them on one endpoint, told apart by that label.
 * Labels stay bounded: operation names are trusted-document names or a capped set (else "other"),
 * never raw documents or ids.
 */
export const metricsRegistry = new Registry();

export const METRIC_PREFIX = 'market_';

let defaultsCollected = false;
/** Node process metrics (CPU, memory, event-loop lag, GC), once per process. */
export function collectProcessMetrics(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  collectDefaultMetrics({ register: metricsRegistry, prefix: METRIC_PREFIX });
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const QUERY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

const registers = [metricsRegistry];

// ---- gateway -------------------------------------------------------------------------------------

export const gatewayRequests = new Counter({
  name: 'market_gateway_requests_total',
  help: 'GraphQL operations the gateway answered, by operation name (bounded), type and outcome (ok, error, refused).',
  labelNames: ['service', 'operation', 'type', 'outcome'] as const,
  registers,
});

export const gatewayRequestDuration = new Histogram({
  name: 'market_gateway_request_duration_seconds',
  help: 'Time from the start of a GraphQL operation at the gateway to its response.',
  labelNames: ['service', 'operation', 'type'] as const,
  buckets: LATENCY_BUCKETS,
  registers,
});

export const gatewaySubgraphFetchDuration = new Histogram({
  name: 'market_gateway_subgraph_fetch_duration_seconds',
  help: 'Duration of each fetch the gateway makes to a subgraph.',
  labelNames: ['service', 'subgraph'] as const,
  buckets: LATENCY_BUCKETS,
  registers,
});

export const gatewaySubgraphFetchErrors = new Counter({
  name: 'market_gateway_subgraph_fetch_errors_total',
  help: 'Subgraph fetches that got no usable answer, by subgraph and reason (timeout, unreachable, circuit_open, bad_response).',
  labelNames: ['service', 'subgraph', 'reason'] as const,
  registers,
});

export const gatewayLimitRefusals = new Counter({
  name: 'market_gateway_limit_refusals_total',
  help: 'Operations refused by a limit, by rule (depth, aliases, tokens, cost, length, untrusted_document, body_size, ...).',
  labelNames: ['service', 'rule'] as const,
  registers,
});

export const gatewayOpenSockets = new Gauge({
  name: 'market_gateway_open_sockets',
  help: 'Open graphql-ws sockets of clients.',
  labelNames: ['service'] as const,
  registers,
});

export const gatewayActiveSubscriptions = new Gauge({
  name: 'market_gateway_active_subscriptions',
  help: 'Running subscriptions by root field.',
  labelNames: ['service', 'field'] as const,
  registers,
});

export const gatewaySubscriptionDeliveries = new Counter({
  name: 'market_gateway_subscription_deliveries_total',
  help: 'Subscription events delivered to clients, by root field.',
  labelNames: ['service', 'field'] as const,
  registers,
});

export const gatewaySubscriptionDrops = new Counter({
  name: 'market_gateway_subscription_drops_total',
  help: 'Subscription events not delivered (a slow client closed, an event refused for its subscriber), by root field and reason.',
  labelNames: ['service', 'field', 'reason'] as const,
  registers,
});

// ---- subgraphs -----------------------------------------------------------------------------------

export const subgraphRequests = new Counter({
  name: 'market_subgraph_requests_total',
  help: 'Operations a subgraph answered, by type and outcome (ok, error).',
  labelNames: ['service', 'type', 'outcome'] as const,
  registers,
});

export const subgraphRequestDuration = new Histogram({
  name: 'market_subgraph_request_duration_seconds',
  help: 'Time a subgraph took to answer one operation from the gateway.',
  labelNames: ['service', 'type'] as const,
  buckets: LATENCY_BUCKETS,
  registers,
});

export const dataloaderBatchSize = new Histogram({
  name: 'market_dataloader_batch_size',
  help: 'Keys per DataLoader batch (one SQL query each).',
  labelNames: ['service'] as const,
  buckets: [1, 2, 5, 10, 20, 50, 100, 250, 500],
  registers,
});

export const prismaQueryDuration = new Histogram({
  name: 'market_prisma_query_duration_seconds',
  help: 'Duration of each SQL statement the Prisma client ran.',
  labelNames: ['service'] as const,
  buckets: QUERY_BUCKETS,
  registers,
});

// ---- events --------------------------------------------------------------------------------------

/** What a relay reports of its outbox when scraped. */
export interface OutboxState {
  backlog: number;
  oldestAgeSeconds: number;
}
const outboxes = new Map<string, () => Promise<OutboxState>>();
const outboxReadings = async (): Promise<Map<string, OutboxState>> => {
  const readings = new Map<string, OutboxState>();
  await Promise.all(
    [...outboxes].map(async ([service, read]) => {
      const state = await read().catch(() => null);
      if (state) readings.set(service, state);
    }),
  );
  return readings;
};

export const outboxBacklog = new Gauge({
  name: 'market_outbox_backlog',
  help: 'Outbox rows not yet published, per domain.',
  labelNames: ['service'] as const,
  registers,
  async collect() {
    this.reset();
    for (const [service, s] of await outboxReadings()) this.set({ service }, s.backlog);
  },
});

export const outboxOldestAge = new Gauge({
  name: 'market_outbox_oldest_unpublished_age_seconds',
  help: 'Age of the oldest outbox row not yet published, per domain (0 when none waits).',
  labelNames: ['service'] as const,
  registers,
  async collect() {
    this.reset();
    for (const [service, s] of await outboxReadings()) this.set({ service }, s.oldestAgeSeconds);
  },
});

export function observeOutbox(service: string, read: () => Promise<OutboxState>): () => void {
  outboxes.set(service, read);
  return () => {
    if (outboxes.get(service) === read) outboxes.delete(service);
  };
}

export const eventsPublished = new Counter({
  name: 'market_events_published_total',
  help: 'Events the outbox relay handed to the bus, by domain and event type.',
  labelNames: ['service', 'type'] as const,
  registers,
});

export const eventHandlerDuration = new Histogram({
  name: 'market_event_handler_duration_seconds',
  help: 'Time a consumer took to handle one event (inbox row and effect, one transaction), by group, type and outcome.',
  labelNames: ['group', 'type', 'outcome'] as const,
  buckets: LATENCY_BUCKETS,
  registers,
});

export const eventHandlerRetries = new Counter({
  name: 'market_event_retries_total',
  help: 'Failed handler attempts that the bus retries or dead-letters, by group, type and kind of failure.',
  labelNames: ['group', 'type', 'failure'] as const,
  registers,
});

export const eventDeadLetters = new Counter({
  name: 'market_event_dead_letters_total',
  help: 'Events moved to dead letters, by group, type and reason.',
  labelNames: ['group', 'type', 'reason'] as const,
  registers,
});

/** One consumer group's lag on one partition. */
export interface PartitionLag {
  group: string;
  topic: string;
  partition: number;
  lag: number;
}
const lagSources = new Set<() => Promise<PartitionLag[]>>();

export const consumerLag = new Gauge({
  name: 'market_event_consumer_lag',
  help: 'Messages a Kafka consumer group has yet to handle (end offset minus committed offset), by group, topic and partition.',
  labelNames: ['group', 'topic', 'partition'] as const,
  registers,
  async collect() {
    this.reset();
    const readings = await Promise.all([...lagSources].map((read) => read().catch(() => [] as PartitionLag[])));
    for (const l of readings.flat()) this.set({ group: l.group, topic: l.topic, partition: String(l.partition) }, l.lag);
  },
});

/** Registers a bus whose consumer lag is read when Prometheus scrapes. */
export function observeConsumerLag(read: () => Promise<PartitionLag[]>): () => void {
  lagSources.add(read);
  return () => lagSources.delete(read);
}

// ---- jobs ----------------------------------------------------------------------------------------

export const jobLastRun = new Gauge({
  name: 'market_job_last_run_timestamp_seconds',
  help: 'When each scheduled job last finished (Unix seconds).',
  labelNames: ['service', 'job'] as const,
  registers,
});

export const jobLastSuccess = new Gauge({
  name: 'market_job_last_success',
  help: '1 when the last run of a scheduled job succeeded, 0 when it failed.',
  labelNames: ['service', 'job'] as const,
  registers,
});

export const jobRuns = new Counter({
  name: 'market_job_runs_total',
  help: 'Runs of each scheduled job, by outcome (ok, failed).',
  labelNames: ['service', 'job', 'outcome'] as const,
  registers,
});

/** The exposition text and its content type, for a `/metrics` route. */
export async function scrapeMetrics(): Promise<{ contentType: string; body: string }> {
  return { contentType: metricsRegistry.contentType, body: await metricsRegistry.metrics() };
}

/** Seconds since `startedNs` (process.hrtime.bigint()). */
export function secondsSince(startedNs: bigint): number {
  return Number(process.hrtime.bigint() - startedNs) / 1e9;
}
