import { ConfigError } from './env';
import { createLogger, type Logger } from './logger';
import type { Subgraph, SubgraphDeps } from './subgraph';
import { KafkaEventBus } from './events/kafka-bus';
import { kafkaOptionsFromEnv, type KafkaEnv } from './events/kafka-config';
import { createRedisServices } from './redis';

/**
 * The whole of a subgraph's `index.ts`: validate the environment, build, listen, and shut down
 * cleanly on SIGINT/SIGTERM.
 */
export function runSubgraphProcess<
  E extends KafkaEnv & {
    LOG_LEVEL: string;
    PORT: number;
    HOST: string;
    REDIS_URL?: string | undefined;
  },
>(
  name: string,
  loadEnv: () => E,
  create: (env: E, logger: Logger, deps: SubgraphDeps) => Promise<Subgraph>,
): void {
  const start = async () => {
    const env = loadEnv();
    const logger = createLogger(name, env.LOG_LEVEL);
    const kafka = kafkaOptionsFromEnv(env);
    const bus = kafka ? await KafkaEventBus.connect({ ...kafka, clientId: name, logger }) : null;
    // Without a broker a standalone process cannot reach the others; its events wait in the outbox.
    if (!bus) logger.warn('KAFKA_BROKERS is not set: events stay in the outbox until a broker is configured');
    // Subscription events cross replicas through Redis; without it they reach this process only.
    const redis = createRedisServices({ redisUrl: env.REDIS_URL, logger, keyPrefix: `market:${name}:` });
    const subgraph = await create(env, logger, { bus, pubsub: redis.pubsub });
    await subgraph.server.listen(env.PORT, env.HOST);
    let stopping = false;
    const shutdown = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      // The relay stops inside close(), before the bus it publishes to.
      await subgraph.close();
      await bus?.close();
      await redis.close();
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
