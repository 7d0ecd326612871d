import { ConfigError } from './env';
import { createLogger, type Logger } from './logger';
import type { Subgraph, SubgraphDeps } from './subgraph';

/**
 * The whole of a subgraph's `index.ts`: validate the environment, build, listen, and shut down
 * cleanly on SIGINT/SIGTERM.
 */
export function runSubgraphProcess<E extends { LOG_LEVEL: string; PORT: number; HOST: string }>(
  name: string,
  loadEnv: () => E,
  create: (env: E, logger: Logger, deps: SubgraphDeps) => Promise<Subgraph>,
): void {
  const start = async () => {
    const env = loadEnv();
    const logger = createLogger(name, env.LOG_LEVEL);
    // The Kafka bus arrives with the real-services work; until then a standalone process keeps its
    // events in the outbox, where nothing is lost.
    logger.warn('no event bus configured for a standalone process: events stay in the outbox');
    const subgraph = await create(env, logger, { bus: null });
    await subgraph.server.listen(env.PORT, env.HOST);
    let stopping = false;
    const shutdown = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      await subgraph.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void shutdown('SIGINT'));
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
  };
  start().catch((err: unknown) => {
    if (err instanceof ConfigError) console.error(err.message);
    else createLogger(name).fatal({ err }, `${name} failed to start`);
    process.exit(1);
  });
}
