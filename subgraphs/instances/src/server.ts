import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gql } from 'graphql-tag';
import {
  createLogger,
  createSubgraphServer,
  loaderByKey,
  loaderOfLists,
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
import { MachineRepository } from './repositories/machine-repository';
import { InstanceRepository } from './repositories/instance-repository';
import { MachineService } from './services/machine-service';
import { InstanceService } from './services/instance-service';

export { loadInstancesEnv, loadInstancesEnv as loadEnv, instancesEnvSchema, type InstancesEnv } from './env';

export const typeDefs = gql(readFileSync(path.join(__dirname, '..', 'schema.graphql'), 'utf8'));

/** Builds the instances subgraph; nothing listens until the caller says so. */
export async function createSubgraph(
  env: InstancesEnv,
  logger: Logger = createLogger('instances', env.LOG_LEVEL),
  deps: SubgraphDeps = { bus: null },
): Promise<Subgraph> {
  const db = createPrisma(env.DATABASE_URL, env.DATABASE_POOL_SIZE, deps.onQuery);
  const relay = deps.bus ? startOutboxRelay({ databaseUrl: env.DATABASE_URL, bus: deps.bus, logger }) : null;
  if (deps.bus) await subscribeInstanceConsumers(deps.bus, db);
  const machineRepository = new MachineRepository(db);
  const instanceRepository = new InstanceRepository(db);
  const machines = new MachineService(machineRepository);
  const instances = new InstanceService(instanceRepository, {
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
    readiness: async () => {
      await db.$queryRaw`SELECT 1`;
    },
    createContext: (base) => ({
      ...base,
      machines,
      instances,
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
    async close() {
      await server.stop();
      await relay?.stop();
      await db.$disconnect();
    },
  };
}
