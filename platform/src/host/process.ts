import { ConfigError } from '../env';
import { createLogger } from '../logger';
import type { BaseContext } from '../context';
import { KafkaEventBus } from '../events/kafka-bus';
import { kafkaOptionsFromEnv, type KafkaEnv } from '../events/kafka-config';
import type { HostDatabase, HostEnv, SubgraphDefinition } from './definition';
import { createHostedSubgraph } from './hosted-subgraph';
import { startTracing } from '../observability/tracing';

/** What a subgraph process reads beyond the host's settings: its broker and how it retries. */
interface ProcessEnv extends HostEnv, KafkaEnv {
  EVENT_RETRY_BUDGET_MS?: number;
  EVENT_RETRY_MAX_DELAY_MS?: number;
  OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
}

/**
 * The whole of a subgraph's `main.ts`: validate the environment, build on the host, listen, and on
 * SIGTERM or SIGINT drain in order (readiness 503, sockets 1001, requests in flight finish, jobs
 * stop, the relay flushes, consumers leave their groups) and exit 0.
 */
export function runSubgraph<E extends ProcessEnv, Db extends HostDatabase, C extends BaseContext, D extends object, X extends object>(
  definition: SubgraphDefinition<E, Db, C, D, X>,
): void {
  const { name } = definition;
  const start = async () => {
    const env = definition.loadEnv();
    const logger = createLogger(name, env.LOG_LEVEL);
    const tracing = startTracing({ serviceName: name, otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT });
    if (tracing) logger.info({ endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT }, 'exporting traces over OTLP');
    const kafka = kafkaOptionsFromEnv(env);
    const bus = kafka
      ? await KafkaEventBus.connect({
          ...kafka,
          clientId: name,
          logger,
          retry: { budgetMs: env.EVENT_RETRY_BUDGET_MS, maxDelayMs: env.EVENT_RETRY_MAX_DELAY_MS },
        })
      : null;
    // Without a broker a standalone process cannot reach the others; its events wait in the outbox.
    if (!bus) logger.warn('KAFKA_BROKERS is not set: events stay in the outbox until a broker is configured');
    const subgraph = await createHostedSubgraph(definition, env, logger, { bus } as never);
    await subgraph.listen(env.PORT, env.HOST);

    let stopping = false;
    const shutdown = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      const started = Date.now();
      logger.info({ signal }, 'draining');
      try {
        await subgraph.drain();
        await subgraph.close();
        // Last: consumers leave their groups (the next member takes their partitions at once) and
        // the producer disconnects after the relay's final flush.
        await bus?.close();
        await tracing?.shutdown();
        logger.info({ signal, ms: Date.now() - started }, 'stopped');
        process.exit(0);
      } catch (err) {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      }
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
