import { z } from 'zod';
import { parseEnv, port, subgraphEnvShape } from '@market/platform';

export const engagementEnvSchema = z.object({
  ...subgraphEnvShape,
  PORT: port(4005),
});

export type EngagementEnv = z.infer<typeof engagementEnvSchema>;

export function loadEngagementEnv(source?: Record<string, string | undefined>): EngagementEnv {
  return parseEnv('engagement', engagementEnvSchema, source);
}
