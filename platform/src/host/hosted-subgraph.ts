import { readFileSync } from 'node:fs';
import { gql } from 'graphql-tag';
import { createLogger, type Logger } from '../logger';
import type { BaseContext } from '../context';
import { createRedisServices } from '../redis';
import { RedisNonceStore } from '../identity';
import { InProcessEventBus } from '../events/in-process-bus';
import { startOutboxRelay, type OutboxRelay } from '../events/outbox';
import { startScheduler, type Scheduler } from '../jobs/scheduler';
import { createSubgraphServer, type RunningServer, type SubgraphServer } from '../subgraph-server';
import type { SubgraphName } from '../subgraph-names';
import { prismaQueryDuration } from '../observability/metrics';
import { querySpan } from '../observability/database';
import type { HostDatabase, HostDeps, HostEnv, Infra, SubgraphDefinition, SubgraphParts } from './definition';

/** Default drain deadline when the env module does not set SHUTDOWN_TIMEOUT_MS. */
const DEFAULT_SHUTDOWN_MS = 10_000;
const DEFAULT_POLL_MS = 5_000;

/** One subgraph as the host runs it. Built by `createHostedSubgraph`; `X` are its extras. */
export type HostedSubgraph<X extends object = object> = X & {
  name: SubgraphName;
  server: SubgraphServer;
  scheduler: Scheduler | null;
  /** Starts the outbox relay (publishing to the bus); a no-op without a bus or when already started. */
  startRelay(): void;
  /** Starts the periodic jobs; a no-op when already started. */
  startJobs(): void;
  /** Both, in that order. */
  start(): void;
  /** Listens; the returned handle closes just this listener. */
  listen(port: number, host?: string): Promise<RunningServer>;
  /** Graceful: readiness 503, sockets 1001, requests in flight finish until the deadline. */
  drain(deadlineMs?: number): Promise<void>;
  /** Closes in reverse order of start: server, jobs, relay (after a last flush), parts, Redis, database. */
  close(): Promise<void>;
};

/**
 * Builds a subgraph from its definition: the database client, one Redis set, the subgraph's own
 * parts, its consumers (subscribed before anything can publish), and the server (not listening yet).
 * With `deps.start` (the default) the relay and the jobs start before it returns.
 */
export async function createHostedSubgraph<
  E extends HostEnv,
  Db extends HostDatabase,
  C extends BaseContext,
  D extends object,
  X extends object,
>(
  definition: SubgraphDefinition<E, Db, C, D, X>,
  env: E,
  logger: Logger = createLogger(definition.name, env.LOG_LEVEL),
  deps: HostDeps & Partial<D> = { bus: null } as HostDeps & Partial<D>,
): Promise<HostedSubgraph<X>> {
  const { name } = definition;
  // Every statement is timed (and becomes a span of the request's trace when tracing is on).
  const onQuery = (sql: string, durationMs: number) => {
    prismaQueryDuration.observe({ service: name }, durationMs / 1000);
    querySpan(name, sql, durationMs);
    deps.onQuery?.(sql, durationMs);
  };
  const db = definition.database(env.DATABASE_URL, env.DATABASE_POOL_SIZE, onQuery);
  const redis = createRedisServices({ redisUrl: env.REDIS_URL, logger, keyPrefix: env.REDIS_KEY_PREFIX ?? `market:${name}:` });
  // Filled in as things start; closed in reverse order of start (server, jobs, relay, the subgraph's own, Redis, database).
  const steps: { server?: SubgraphServer; scheduler?: Scheduler; relay?: OutboxRelay; own?: () => Promise<void> } = {};
  let closed: Promise<void> | null = null;
  const closeAll = (): Promise<void> =>
    (closed ??= (async () => {
      const attempt = async (what: string, close: (() => Promise<unknown>) | undefined) => {
        await close?.().catch((err: unknown) => logger.warn({ err, step: what }, 'a close step failed; closing the rest'));
      };
      await attempt('server', steps.server && (() => steps.server!.stop()));
      await attempt('jobs', steps.scheduler && (() => steps.scheduler!.stop()));
      await attempt('relay', steps.relay && (() => steps.relay!.stop()));
      await attempt('subgraph', steps.own);
      await attempt('redis', () => redis.close());
      await attempt('database', () => db.$disconnect());
    })());
  try {
    if (redis.mode === 'memory' && env.NODE_ENV === 'production') {
      logger.warn('REDIS_URL is not set: caches, rate limits and live updates are per process, which only suits a single replica');
    }
    const infra: Infra<E, Db> = { name, env, logger, db, redis, pubsub: deps.pubsub ?? redis.pubsub, bus: deps.bus };
    const parts: SubgraphParts<C, X> = await definition.build(infra, deps);
    if (parts.close) steps.own = parts.close;

    // Consumers subscribe first. The in-process bus hands an event only to groups already subscribed,
    // so this must finish before any relay runs; Kafka keeps events for late joiners, so the group join
    // goes on in the background and the server listens meanwhile (readiness waits for it).
    let consumersReady = true;
    let consumersFailed: unknown = null;
    if (deps.bus && parts.consumers?.length) {
      const subscribing = (async () => {
        for (const consume of parts.consumers ?? []) await consume(deps.bus!);
      })();
      if (deps.bus instanceof InProcessEventBus) await subscribing;
      else {
        consumersReady = false;
        subscribing.then(
          () => (consumersReady = true),
          (err: unknown) => {
            consumersFailed = err;
            logger.error({ err }, 'consumers could not join their groups');
          },
        );
      }
    }

    const server = await createSubgraphServer<C>({
      name,
      typeDefs: gql(readFileSync(definition.schemaPath, 'utf8')),
      resolvers: parts.resolvers,
      signingSecret: env.GATEWAY_SIGNING_SECRET,
      logger,
      exposeInternals: env.NODE_ENV === 'development',
      subscriptions: parts.subscriptions ?? false,
      // Signed calls are single-use across every replica when Redis is shared; per process otherwise.
      ...(redis.client ? { nonces: new RedisNonceStore(redis.client, `market:${name}:nonce:`) } : {}),
      createContext: (base) => parts.context(base),
      readiness: async () => {
        if (consumersFailed) throw consumersFailed;
        if (!consumersReady) throw new Error('consumers are still joining their groups');
        await db.$queryRawUnsafe('SELECT 1');
        await parts.readiness?.();
      },
    });
    parts.routes?.(server.app);
    steps.server = server;

    const hosted = {
      ...(parts.extras ?? ({} as X)),
      name,
      server,
      get scheduler() {
        return steps.scheduler ?? null;
      },
      startRelay() {
        if (steps.relay || !deps.bus || closed) return;
        steps.relay = startOutboxRelay({ databaseUrl: env.DATABASE_URL, bus: deps.bus, logger, service: name });
      },
      startJobs() {
        if (steps.scheduler || !parts.jobs?.length || closed) return;
        steps.scheduler = startScheduler({ jobs: parts.jobs, logger, pollMs: env.SCHEDULER_POLL_MS ?? DEFAULT_POLL_MS, service: name });
      },
      start() {
        hosted.startRelay();
        hosted.startJobs();
      },
      async listen(port: number, host = '0.0.0.0') {
        const running = await server.listen(port, host);
        parts.onListen?.(running.port);
        return running;
      },
      drain: (deadlineMs?: number) => server.drain(deadlineMs ?? env.SHUTDOWN_TIMEOUT_MS ?? DEFAULT_SHUTDOWN_MS),
      close: closeAll,
    } as HostedSubgraph<X>;
    if (deps.start !== false) hosted.start();
    return hosted;
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/** A running subgraph, whichever it is (what the embedded stack and tests hold). */
export type Subgraph<X extends object = object> = HostedSubgraph<X>;
