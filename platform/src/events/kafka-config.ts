import { ConfigError } from '../env';
import type { KafkaEventBusOptions } from './kafka-bus';

/** The Kafka variables of `subgraphEnvShape`, as parsed. */
export interface KafkaEnv {
  KAFKA_BROKERS?: string[] | undefined;
  KAFKA_TOPIC_PREFIX: string;
  KAFKA_SSL: boolean;
  KAFKA_SASL_MECHANISM?: 'plain' | 'scram-sha-256' | 'scram-sha-512' | undefined;
  KAFKA_SASL_USERNAME?: string | undefined;
  KAFKA_SASL_PASSWORD?: string | undefined;
  KAFKA_SESSION_TIMEOUT_MS: number;
}

/** What a process adds to these options itself: who it is and where it logs. */
export type KafkaConnectionOptions = Omit<KafkaEventBusOptions, 'clientId' | 'logger'>;

/**
 * The KafkaEventBus options a subgraph's environment describes, or undefined when no brokers are
 * set (a standalone process keeps its events in the outbox). Throws a ConfigError for a SASL
 * mechanism without its credentials: a zod shape spread into each service's schema cannot check
 * two fields together, and connecting would fail later with a less helpful broker error.
 */
export function kafkaOptionsFromEnv(env: KafkaEnv): KafkaConnectionOptions | undefined {
  if (!env.KAFKA_BROKERS?.length) return undefined;
  const options: KafkaConnectionOptions = {
    brokers: env.KAFKA_BROKERS,
    topicPrefix: env.KAFKA_TOPIC_PREFIX,
    // Heartbeats at a third of the session timeout at most, as Kafka recommends.
    consumer: {
      sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
      heartbeatIntervalMs: Math.min(3_000, Math.floor(env.KAFKA_SESSION_TIMEOUT_MS / 3)),
    },
  };
  if (env.KAFKA_SSL) options.ssl = true;
  if (env.KAFKA_SASL_MECHANISM) {
    const missing = (['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const).filter((key) => !env[key]);
    if (missing.length) {
      throw new ConfigError(
        'kafka',
        missing.map((key) => `${key}: is required with KAFKA_SASL_MECHANISM=${env.KAFKA_SASL_MECHANISM}`),
      );
    }
    options.sasl = {
      mechanism: env.KAFKA_SASL_MECHANISM,
      username: env.KAFKA_SASL_USERNAME as string,
      password: env.KAFKA_SASL_PASSWORD as string,
    };
  }
  return options;
}
