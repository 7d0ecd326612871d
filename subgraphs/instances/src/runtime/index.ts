import { isIP } from 'node:net';
import type { Logger } from '@market/platform';
import type { RuntimeDriver } from '../domain';
import type { InstancesEnv } from '../env';
import { connectDocker, DockerRuntime } from './docker-runtime';
import { ProcessRuntime } from './process-runtime';
import { RuntimeError, type InstanceRuntime } from './port';

export * from './port';

/** The drivers this server runs instances with; an instance's driver was chosen from its machine at allocation. */
export class RuntimeRegistry {
  private readonly drivers: Map<RuntimeDriver, InstanceRuntime>;

  constructor(runtimes: InstanceRuntime[]) {
    this.drivers = new Map(runtimes.map((r) => [r.driver, r]));
  }

  has(driver: RuntimeDriver): boolean {
    return this.drivers.has(driver);
  }

  /** Throws RuntimeError (the instance's failure reason) when this server does not run that driver. */
  for(driver: RuntimeDriver): InstanceRuntime {
    const runtime = this.drivers.get(driver);
    if (!runtime) {
      throw new RuntimeError(
        driver === 'DOCKER'
          ? 'This server does not run Docker instances (INSTANCE_RUNTIME is "process"); ask an admin.'
          : 'This server does not run local processes.',
      );
    }
    return runtime;
  }
}

/**
 * INSTANCE_RUNTIME=process (embedded mode, CI): machines with a command run as local processes.
 * INSTANCE_RUNTIME=docker: machines with an image run as containers too. Local processes stay
 * available for command-only machines (which only admins define).
 */
export function createRuntimes(env: InstancesEnv, logger: Logger): RuntimeRegistry {
  const processes = new ProcessRuntime({
    dataDir: env.INSTANCES_DATA_DIR,
    path: env.INSTANCE_PROCESS_PATH,
    logger,
    limits: env.INSTANCE_PROCESS_LIMITS,
  });
  if (env.INSTANCE_RUNTIME !== 'docker') return new RuntimeRegistry([processes]);
  const docker = new DockerRuntime({
    connect: () => connectDocker(env.DOCKER_HOST),
    bindAddress: isIP(env.INSTANCE_HOST) ? env.INSTANCE_HOST : '0.0.0.0',
    network: env.INSTANCE_DOCKER_NETWORK,
    buildRoot: env.INSTANCE_BUILD_ROOT,
    logger,
  });
  return new RuntimeRegistry([processes, docker]);
}
