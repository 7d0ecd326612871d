import { z } from 'zod';
import { parseEnv, port, subgraphEnvShape } from '@market/platform';
import { auctionsEnvShape } from './auctions/env';

export const listingsEnvSchema = z.object({
  ...subgraphEnvShape,
  ...auctionsEnvShape,
  PORT: port(4002),
  /** Namespace of this service's keys in Redis (cached listings), so environments can share one Redis. */
  REDIS_KEY_PREFIX: z.string().min(1).default('market:listings:'),
  /** Search backend: Elasticsearch 8 at this URL; unset (or empty) keeps search in PostgreSQL. */
  ELASTICSEARCH_URL: z
    .string()
    .trim()
    .regex(/^(https?:\/\/.+)?$/, { error: 'must be an http(s):// URL, or empty for search in PostgreSQL' })
    .optional()
    .transform((url) => url || undefined),
  /** Prepended to the index and alias names, so several environments can share one cluster. */
  ELASTICSEARCH_INDEX_PREFIX: z
    .string()
    .regex(/^([a-z0-9][a-z0-9_-]*)?$/, { error: 'must be lowercase letters, digits, _ or - (an index name prefix)' })
    .default(''),
});

export type ListingsEnv = z.infer<typeof listingsEnvSchema>;

export function loadListingsEnv(source?: Record<string, string | undefined>): ListingsEnv {
  return parseEnv('listings', listingsEnvSchema, source);
}
