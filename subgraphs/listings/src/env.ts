import { z } from 'zod';
import { parseEnv, port, subgraphEnvShape } from '@market/platform';

export const listingsEnvSchema = z.object({
  ...subgraphEnvShape,
  PORT: port(4002),
});

export type ListingsEnv = z.infer<typeof listingsEnvSchema>;

export function loadListingsEnv(source?: Record<string, string | undefined>): ListingsEnv {
  return parseEnv('listings', listingsEnvSchema, source);
}
