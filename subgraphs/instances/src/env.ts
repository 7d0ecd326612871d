import { z } from 'zod';
import { parseEnv, port, subgraphEnvShape } from '@market/platform';

/** "first-last", both inclusive: the ports instances are handed out from. */
const portRange = z
  .string()
  .trim()
  .default('20000-20999')
  .transform((value, ctx) => {
    const match = /^(\d{1,5})-(\d{1,5})$/.exec(value);
    const first = Number(match?.[1]);
    const last = Number(match?.[2]);
    if (!match || first < 1 || last > 65535 || first > last) {
      ctx.addIssue({ code: 'custom', message: 'must be "first-last" with 1 <= first <= last <= 65535 (for example 20000-20999)' });
      return z.NEVER;
    }
    return { first, last };
  });

export const instancesEnvSchema = z.object({
  ...subgraphEnvShape,
  PORT: port(4006),
  /** The host instances are reachable on; their ports are unique per host. */
  INSTANCE_HOST: z.string().trim().min(1).max(255).default('127.0.0.1'),
  INSTANCE_PORT_RANGE: portRange,
});

export type InstancesEnv = z.infer<typeof instancesEnvSchema>;

export function loadInstancesEnv(source?: Record<string, string | undefined>): InstancesEnv {
  return parseEnv('instances', instancesEnvSchema, source);
}
