import { ConfigError } from '../env';
import { createLogger } from '../logger';
import { KafkaEventBus } from '../events/kafka-bus';
import { kafkaOptionsFromEnv } from '../events/kafka-config';
import { createEventExporter, prepareAnalyticsDatabase } from './exporter';
import { loadAnalyticsEnv } from './env';
import { DirectorySink } from './sink';

/**
 * The export in production: its own process (`node platform/dist/analytics/main.js`, compose
 * service `analytics`), one consumer group `analytics.export` over every event topic. Any number of
 * replicas may run: Kafka splits the partitions between them, the inbox dedupes, and one at a time
 * writes files. SIGTERM: leave the group, flush what is staged, exit 0.
 */
async function main() {
  const env = loadAnalyticsEnv();
  const logger = createLogger('analytics', env.LOG_LEVEL);
  const kafka = kafkaOptionsFromEnv(env);
  if (!kafka) throw new ConfigError('analytics', ['KAFKA_BROKERS: is required (the export reads every event topic)']);
  await prepareAnalyticsDatabase(env.ANALYTICS_DATABASE_URL, (msg) => logger.info(msg));
  const exporter = createEventExporter({
    databaseUrl: env.ANALYTICS_DATABASE_URL,
    sink: new DirectorySink(env.ANALYTICS_EXPORT_DIR),
    logger,
    maxBatchEvents: env.ANALYTICS_BATCH_MAX_EVENTS,
  });
  const bus = await KafkaEventBus.connect({
    ...kafka,
    clientId: 'analytics',
    logger,
    retry: { budgetMs: env.EVENT_RETRY_BUDGET_MS, maxDelayMs: env.EVENT_RETRY_MAX_DELAY_MS },
  });
  await exporter.subscribe(bus);
  exporter.startFlushing(env.ANALYTICS_FLUSH_INTERVAL_MS);
  logger.info({ dir: env.ANALYTICS_EXPORT_DIR, flushMs: env.ANALYTICS_FLUSH_INTERVAL_MS }, 'analytics export running');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    try {
      await bus.close();
      await exporter.close();
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(err.message);
  else createLogger('analytics').fatal({ err }, 'analytics export failed to start');
  process.exit(1);
});
