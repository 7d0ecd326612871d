import path from 'node:path';
import { defineSubgraph, loaderByKey, loaderOfLists, type ScheduledJob } from '@market/platform';
import { loadInstancesEnv } from './env';
import type { Context } from './context';
import { createPrisma } from './db';
import { resolvers } from './resolvers';
import { accountDeletionConsumer } from './consumers/account-deletion';
import { InstanceFeed } from './live/instance-feed';
import { MachineRepository } from './repositories/machine-repository';
import { InstanceRepository } from './repositories/instance-repository';
import { LogLineRepository } from './repositories/log-line-repository';
import { createRuntimes } from './runtime';
import { LogRecorder } from './runtime/log-recorder';
import { InstanceSupervisor } from './runtime/supervisor';
import { MachineService } from './services/machine-service';
import { InstanceService } from './services/instance-service';

export { loadInstancesEnv, loadInstancesEnv as loadEnv, instancesEnvSchema, type InstancesEnv } from './env';

/**
 * The catalog of machines and the instances users run: what the instances subgraph is made of. When
 * the reconciler is on (INSTANCE_RECONCILE_INTERVAL_MS > 0), building first checks the instances
 * recorded as running on this host against what really runs; closing stops the local processes.
 */
export const instances = defineSubgraph()({
  name: 'instances',
  schemaPath: path.join(__dirname, '..', 'schema.graphql'),
  loadEnv: loadInstancesEnv,
  database: createPrisma,
  async build({ env, db, pubsub, logger }) {
    const machineRepository = new MachineRepository(db);
    const instanceRepository = new InstanceRepository(db);
    const logLineRepository = new LogLineRepository(db);
    const feed = new InstanceFeed(pubsub, logger);
    const recorder = new LogRecorder(logLineRepository, feed, logger, { keep: env.INSTANCE_LOG_LINES_KEPT });
    const supervisor = new InstanceSupervisor(instanceRepository, machineRepository, createRuntimes(env, logger), recorder, feed, {
      host: env.INSTANCE_HOST,
      stopGraceMs: env.INSTANCE_STOP_GRACE_MS,
      leaseTtlMs: env.INSTANCE_LEASE_TTL_MS,
      logger,
    });

    const jobs: ScheduledJob[] = [];
    if (env.INSTANCE_RECONCILE_INTERVAL_MS > 0) {
      // The start-up pass marks instances whose workload vanished while the service was down FAILED
      // ("lost on restart") before anyone can ask; later passes compare recorded and real statuses.
      await supervisor.reconcile({ startup: true }).catch((err: unknown) => {
        logger.warn({ err, startup: true }, 'instance reconciliation failed; will retry');
      });
      jobs.push({
        name: 'reconcile-instances',
        everyMs: env.INSTANCE_RECONCILE_INTERVAL_MS,
        run: async () => {
          await supervisor.reconcile({ startup: false });
          return 0;
        },
      });
    }

    const machines = new MachineService(machineRepository);
    const instanceService = new InstanceService(instanceRepository, logLineRepository, supervisor, {
      host: env.INSTANCE_HOST,
      first: env.INSTANCE_PORT_RANGE.first,
      last: env.INSTANCE_PORT_RANGE.last,
    });
    return {
      resolvers,
      subscriptions: true,
      context: (base): Context => ({
        ...base,
        machines,
        instances: instanceService,
        pubsub,
        loaders: {
          machineById: loaderByKey(
            (ids) => machineRepository.findByIds(ids),
            (m) => m.id,
          ),
          instanceById: loaderByKey(
            (ids) => instanceRepository.findByIds(ids),
            (i) => i.id,
          ),
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
      consumers: [accountDeletionConsumer(db, { supervisor, feed, logLines: logLineRepository })],
      jobs,
      close: () => supervisor.close(),
      extras: {
        /** Resolves once no runtime work (start, stop, release, exit handling) is under way. */
        idle: () => supervisor.idle(),
      },
    };
  },
});

export const createSubgraph = instances.create;
export type InstancesSubgraph = Awaited<ReturnType<typeof createSubgraph>>;
