import { z } from 'zod';
import { parseEnv, port, subgraphEnvShape } from '@market/platform';

export const messagingEnvSchema = z.object({
  ...subgraphEnvShape,
  PORT: port(4004),
});

export type MessagingEnv = z.infer<typeof messagingEnvSchema>;

export function loadMessagingEnv(source?: Record<string, string | undefined>): MessagingEnv {
  return parseEnv('messaging', messagingEnvSchema, source);
}
