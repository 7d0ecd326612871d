import { z } from 'zod';
import { parseEnv, port, secret, subgraphEnvShape } from '@market/platform';
import { auctionsEnvShape } from './auctions/env';

const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

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
  /** Where clients reach the local photo store; default this server's own /uploads. */
  UPLOADS_PUBLIC_URL: optional(z.url()),
  /** Signs local upload URLs; derived from GATEWAY_SIGNING_SECRET when unset. */
  UPLOAD_SIGNING_SECRET: optional(secret),
  /** Set S3_BUCKET to keep listing photos in S3 (or an S3-compatible store) instead of on local disk. */
  S3_BUCKET: optional(z.string().min(3)),
  S3_REGION: z.string().default('us-east-1'),
  /** For S3-compatible stores (MinIO, R2, ...); path-style addressing is used when set. */
  S3_ENDPOINT: optional(z.url()),
  /** Where photos are read from (a CDN); default the bucket's URL. */
  S3_PUBLIC_URL: optional(z.url()),
  /** Largest photo accepted, in bytes. */
  PHOTO_MAX_BYTES: z.coerce.number().int().min(1024).max(50 * 1024 * 1024).default(10 * 1024 * 1024),
});

export type ListingsEnv = z.infer<typeof listingsEnvSchema>;

export function loadListingsEnv(source?: Record<string, string | undefined>): ListingsEnv {
  return parseEnv('listings', listingsEnvSchema, source);
}
