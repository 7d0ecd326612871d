import type { Redis } from 'ioredis';
import type { Logger } from '../logger';
import { MemoryCache, RedisCache, type Cache } from './cache';
import { checkRedis, createRedis, type RedisConnectionOptions, type RedisHealth } from './connection';
import { MemoryPubSub, RedisPubSub, type PubSub } from './pubsub';
import { MemoryRateLimiter, RedisRateLimiter, type RateLimiter } from './rate-limit';

export * from './connection';
export * from './cache';
export * from './rate-limit';
export * from './pubsub';
export * from './entity-cache';

export interface RedisServices {
  mode: 'redis' | 'memory';
  /** The connection behind the ports, for services that keep keys of their own (null in memory mode). */
  client: Redis | null;
  cache: Cache;
  rateLimiter: RateLimiter;
  pubsub: PubSub;
  /** For the readiness probe; always ok in memory mode. */
  health(): Promise<RedisHealth>;
  close(): Promise<void>;
}

export interface RedisServicesOptions {
  /** Absent in embedded mode: every port then gets its in-process adapter. */
  redisUrl?: string | undefined;
  logger: Logger;
  /** This service's key namespace, for example `market:listings:`; cache and limits live under it. */
  keyPrefix: string;
  /** Shared by every service that publishes or subscribes; `market:` unless given. */
  channelPrefix?: string;
  connection?: RedisConnectionOptions;
}

/** The same ports in both modes, so service code does not know whether Redis is there. */
export function createRedisServices(options: RedisServicesOptions): RedisServices {
  const { logger, keyPrefix } = options;
  const channelPrefix = options.channelPrefix ?? 'market:';
  if (!options.redisUrl) {
    const pubsub = new MemoryPubSub(logger);
    return {
      mode: 'memory',
      client: null,
      cache: new MemoryCache(),
      rateLimiter: new MemoryRateLimiter(),
      pubsub,
      health: async () => ({ ok: true, latencyMs: 0 }),
      close: () => pubsub.close(),
    };
  }
  const client = createRedis(options.redisUrl, logger, options.connection);
  const pubsub = new RedisPubSub(client, logger, { prefix: channelPrefix });
  return {
    mode: 'redis',
    client,
    cache: new RedisCache(client, logger, { prefix: `${keyPrefix}cache:` }),
    rateLimiter: new RedisRateLimiter(client, logger, { prefix: `${keyPrefix}rl:` }),
    pubsub,
    health: () => checkRedis(client),
    close: async () => {
      await pubsub.close();
      await client.quit().catch(() => client.disconnect());
    },
  };
}
