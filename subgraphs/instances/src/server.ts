import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gql } from 'graphql-tag';
import {
  createLogger,
  createSubgraphServer,
  loaderByKey,
  loaderOfLists,
  MemoryPubSub,
  startOutboxRelay,
  type Logger,
  type Subgraph,
  type SubgraphDeps,
} from '@market/platform';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { InstancesEnv } from './env';
import type { Context } from './context';
import { createPrisma } from './db';
import { resolvers } from './resolvers';
import { subscribeInstanceConsumers } from './events';
import { InstanceFeed } from './live/instance-feed';
import { MachineRepository } from './repositories/machine-repository';
import { InstanceRepository } from './repositories/instance-repository';
import { LogLineRepository } from './repositories/log-line-repository';
import { createRuntimes } from './runtime';
import { LogRecorder } from './runtime/log-recorder';
import { Reconciler } from './runtime/reconciler';
import { InstanceSupervisor } from './runtime/supervisor';
import { MachineService } from './services/machine-service';
import { InstanceService } from './services/instance-service';

export { loadInstancesEnv, loadInstancesEnv as loadEnv, instancesEnvSchema, type InstancesEnv } from './env';

export const typeDefs = gql(readFileSync(path.join(__dirname, '..', 'schema.graphql'), 'utf8'));

export interface InstancesSubgraph extends Subgraph {
  /** Resolves once no runtime work (start, stop, release, exit handling) is under way. */
  idle(): Promise<void>;
}

/**
 * Builds the instances subgraph; nothing listens until the caller says so. When the reconciler is
 * on (INSTANCE_RECONCILE_INTERVAL_MS > 0) it first checks the instances recorded as running on this
 * host against what really runs; close() stops the local processes it runs.
 */
export async function createSubgraph(
  env: InstancesEnv,
  logger: Logger = createLogger('instances', env.LOG_LEVEL),
  deps: SubgraphDeps = { bus: null },
): Promise<InstancesSubgraph> {
  const db = createPrisma(env.DATABASE_URL, env.DATABASE_POOL_SIZE, deps.onQuery);
  const machineRepository = new MachineRepository(db);
  const instanceRepository = new InstanceRepository(db);
  const logLineRepository = new LogLineRepository(db);
  // Shared by every subgraph in embedded mode, Redis in a process of its own; else one of our own.
  const pubsub = deps.pubsub ?? new MemoryPubSub(logger);
  const ownsPubsub = !deps.pubsub;
  const feed = new InstanceFeed(pubsub, logger);
  const recorder = new LogRecorder(logLineRepository, feed, logger, { keep: env.INSTANCE_LOG_LINES_KEPT });
  const supervisor = new InstanceSupervisor(instanceRepository, machineRepository, createRuntimes(env, logger), recorder, feed, {
    host: env.INSTANCE_HOST,
    stopGraceMs: env.INSTANCE_STOP_GRACE_MS,
    logger,
  });
  const relay = deps.bus ? startOutboxRelay({ databaseUrl: env.DATABASE_URL, bus: deps.bus, logger }) : null;
  if (deps.bus) await subscribeInstanceConsumers(deps.bus, db, { supervisor, feed, logLines: logLineRepository });
  const reconciler = env.INSTANCE_RECONCILE_INTERVAL_MS > 0 ? new Reconciler(supervisor, env.INSTANCE_RECONCILE_INTERVAL_MS, logger) : null;
  await reconciler?.start();

  const machines = new MachineService(machineRepository);
  const instances = new InstanceService(instanceRepository, logLineRepository, supervisor, {
    host: env.INSTANCE_HOST,
    first: env.INSTANCE_PORT_RANGE.first,
    last: env.INSTANCE_PORT_RANGE.last,
  });
  const server = await createSubgraphServer<Context>({
    name: 'instances',
    typeDefs,
    resolvers: resolvers as GraphQLResolverMap<Context>,
    signingSecret: env.GATEWAY_SIGNING_SECRET,
    logger,
    exposeInternals: env.NODE_ENV === 'development',
    subscriptions: true,
    readiness: async () => {
      await db.$queryRaw`SELECT 1`;
    },
    createContext: (base) => ({
      ...base,
      machines,
      instances,
      pubsub,
      loaders: {
        machineById: loaderByKey((ids) => machineRepository.findByIds(ids), (m) => m.id),
        instanceById: loaderByKey((ids) => instanceRepository.findByIds(ids), (i) => i.id),
        liveInstancesByOwner: loaderOfLists(
          (ownerIds) => instanceRepository.findByOwners(ownerIds, { includeRemoved: false }),
          (i) => i.ownerId,
        ),
        allInstancesByOwner: loaderOfLists(
          (ownerIds) => instanceRepository.findByOwners(ownerIds, { includeRemoved: true }),
          (i) => i.ownerId,
        ),
      },
    }),
  });
  return {
    name: 'instances',
    server,
    idle: () => supervisor.idle(),
    async close() {
      await server.stop();
      await reconciler?.stop();
      await supervisor.close();
      if (ownsPubsub) await pubsub.close();
      await relay?.stop();
      await db.$disconnect();
    },
  };
}
