import { z } from 'zod';
import { ConfigError, parseEnv, subgraphEnvShape } from '../env';
import { kafkaOptionsFromEnv } from './kafka-config';

const schema = z.object(subgraphEnvShape);
const REQUIRED = { DATABASE_URL: 'postgres://x@127.0.0.1/db', GATEWAY_SIGNING_SECRET: 'x'.repeat(32) };
const parse = (vars: Record<string, string>) => parseEnv('test', schema, { ...REQUIRED, ...vars });

describe('kafkaOptionsFromEnv', () => {
  it('is undefined without brokers, also when .env.example leaves KAFKA_BROKERS empty', () => {
    expect(kafkaOptionsFromEnv(parse({}))).toBeUndefined();
    expect(kafkaOptionsFromEnv(parse({ KAFKA_BROKERS: '', KAFKA_SSL: '', KAFKA_SASL_MECHANISM: '' }))).toBeUndefined();
  });

  it('gives brokers, prefix and the default 30 s session without TLS or SASL', () => {
    expect(kafkaOptionsFromEnv(parse({ KAFKA_BROKERS: 'a:9092, b:9092', KAFKA_TOPIC_PREFIX: 'staging' }))).toEqual({
      brokers: ['a:9092', 'b:9092'],
      topicPrefix: 'staging',
      consumer: { sessionTimeoutMs: 30_000, heartbeatIntervalMs: 3_000 },
    });
  });

  it('turns on TLS and SASL and shortens heartbeats with a short session', () => {
    const options = kafkaOptionsFromEnv(
      parse({
        KAFKA_BROKERS: 'broker.example:9094',
        KAFKA_SSL: 'true',
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'market',
        KAFKA_SASL_PASSWORD: 'secret',
        KAFKA_SESSION_TIMEOUT_MS: '6000',
      }),
    );
    expect(options).toMatchObject({
      ssl: true,
      sasl: { mechanism: 'scram-sha-512', username: 'market', password: 'secret' },
      consumer: { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 2_000 },
    });
  });

  it('names the missing credentials of a SASL mechanism', () => {
    const env = parse({ KAFKA_BROKERS: 'a:9092', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'market' });
    expect(() => kafkaOptionsFromEnv(env)).toThrow(ConfigError);
    expect(() => kafkaOptionsFromEnv(env)).toThrow(/KAFKA_SASL_PASSWORD: is required with KAFKA_SASL_MECHANISM=plain/);
  });

  it('refuses values the broker or kafkajs would reject', () => {
    expect(() => parse({ KAFKA_SSL: 'yes' })).toThrow(/KAFKA_SSL: must be true or false/);
    expect(() => parse({ KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow(/KAFKA_SASL_MECHANISM/);
    expect(() => parse({ KAFKA_SESSION_TIMEOUT_MS: '1000' })).toThrow(/KAFKA_SESSION_TIMEOUT_MS/);
  });
});
