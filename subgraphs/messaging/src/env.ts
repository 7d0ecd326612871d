import { z } from 'zod';
import { MAX_RATE_LIMIT, parseEnv, port, subgraphEnvShape } from '@market/platform';

const UNIT_SECONDS = { s: 1, m: 60, h: 3600 } as const;

/** A per-user write limit, written "30/10s": at most 30 in any 10 seconds (units s, m, h). */
const writeLimit = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const match = /^\s*(\d+)\s*\/\s*(\d+)\s*([smh])\s*$/.exec(text);
      const limit = Number(match?.[1]);
      const windowSeconds = Number(match?.[2]) * UNIT_SECONDS[(match?.[3] ?? 's') as keyof typeof UNIT_SECONDS];
      if (!match || limit < 1 || limit > MAX_RATE_LIMIT || windowSeconds < 1) {
        ctx.addIssue({ code: 'custom', message: `must look like 30/10s (at most 30 in any 10 seconds; units s, m, h; 1 to ${MAX_RATE_LIMIT})` });
        return z.NEVER;
      }
      return { limit, windowSeconds };
    });

export const messagingEnvSchema = z.object({
  ...subgraphEnvShape,
  PORT: port(4004),
  /** Namespace of this service's keys in Redis (rate limits), so environments can share one Redis. */
  REDIS_KEY_PREFIX: z.string().min(1).default('market:messaging:'),
  /** Per-user limits on writes, far above what a person types: they stop scripts flooding others. */
  RATE_LIMIT_SEND_MESSAGE: writeLimit('30/10s'),
  RATE_LIMIT_START_CONVERSATION: writeLimit('10/1m'),
  RATE_LIMIT_WATCH_LISTING: writeLimit('60/1m'),
});

export type MessagingEnv = z.infer<typeof messagingEnvSchema>;

export function loadMessagingEnv(source?: Record<string, string | undefined>): MessagingEnv {
  return parseEnv('messaging', messagingEnvSchema, source);
}
