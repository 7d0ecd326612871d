import { z } from 'zod';
import { objectStorageEnvShape, parseEnv, port, subgraphEnvShape } from '@market/platform';
import { auctionsEnvShape } from './auctions/env';

const optional = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

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
  /** Where the local photo store keeps files (under DATA_DIR/listing-photos); a temporary folder when unset. */
  DATA_DIR: optional(z.string().min(1)),
  /** The photo store: S3 when S3_BUCKET is set, else local disk (UPLOAD_SIGNING_SECRET defaults to a key derived from GATEWAY_SIGNING_SECRET). */
  ...objectStorageEnvShape,
  /** Largest photo accepted, in bytes. */
  PHOTO_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(50 * 1024 * 1024)
    .default(10 * 1024 * 1024),
});

export type ListingsEnv = z.infer<typeof listingsEnvSchema>;

export function loadListingsEnv(source?: Record<string, string | undefined>): ListingsEnv {
  return parseEnv('listings', listingsEnvSchema, source);
}
