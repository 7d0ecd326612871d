import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { parseEnv, port, subgraphEnvShape } from '@market/platform';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

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

/** Unset, or set to an empty string (as in .env.example): the default applies. */
const unsetIfEmpty = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

const milliseconds = (fallback: number, max: number) => z.coerce.number().int().min(0).max(max).default(fallback);

export const instancesEnvSchema = z
  .object({
    ...subgraphEnvShape,
    PORT: port(4006),
    /** The host instances are reachable on; their ports are unique per host. This server runs (and reconciles) the instances of this host. */
    INSTANCE_HOST: z.string().trim().min(1).max(255).default('127.0.0.1'),
    INSTANCE_PORT_RANGE: portRange,
    /**
     * process: machines run their command as local processes (embedded mode, CI). docker: machines with
     * an image or a build context run as containers too. Unset: docker when DOCKER_HOST is set.
     */
    INSTANCE_RUNTIME: unsetIfEmpty(z.enum(['process', 'docker'])),
    /**
     * host: containers share the host's network and listen on the allocated port (PORT); works on an
     * engine without a bridge (as CI's). bridge: the machine's exposedPort is published on the allocated port.
     */
    INSTANCE_DOCKER_NETWORK: z.enum(['host', 'bridge']).default('host'),
    /** Machines' build contexts are directories below this one (relative paths are from the repository root). */
    INSTANCE_BUILD_ROOT: unsetIfEmpty(z.string().trim()),
    /** How long a replica's lease on supervising an instance lasts unrenewed (renewed every reconcile pass). */
    INSTANCE_LEASE_TTL_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(30_000),
    /**
     * Process runtime limits: cgroup (a memory and cpu cgroup v1/v2 per instance below this directory,
     * when it can be created; else ulimit -v), ulimit (address-space limit only), off.
     */
    INSTANCE_PROCESS_LIMITS: z.enum(['auto', 'cgroup', 'ulimit', 'off']).default('auto'),
    /** The launcher's data directory; INSTANCES_DATA_DIR defaults to its `instances` folder. */
    DATA_DIR: unsetIfEmpty(z.string().trim()),
    /** Where local processes get their working directories (<dir>/<instance id>/volume); relative paths are from the repository root. */
    INSTANCES_DATA_DIR: unsetIfEmpty(z.string().trim()),
    /** PATH given to local processes (they never inherit this service's environment). */
    INSTANCE_PROCESS_PATH: z.string().trim().min(1).default('/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'),
    /** The Docker engine (unix:///var/run/docker.sock, tcp://host:2375); the local socket when unset. */
    DOCKER_HOST: unsetIfEmpty(
      z
        .string()
        .trim()
        .regex(/^(unix|tcp|https?):\/\/\S+$/, { error: 'must be unix://<path>, tcp://<host>:<port> or http(s)://<host>:<port>' }),
    ),
    /** Log lines kept per instance (the newest). */
    INSTANCE_LOG_LINES_KEPT: z.coerce.number().int().min(10).max(1_000_000).default(5000),
    /** How long a stopping instance gets between SIGTERM and SIGKILL. */
    INSTANCE_STOP_GRACE_MS: milliseconds(10_000, 600_000),
    /** How often recorded statuses are compared with what runs; 0 turns the reconciler (and the start-up check) off. */
    INSTANCE_RECONCILE_INTERVAL_MS: milliseconds(5_000, 3_600_000),
  })
  .transform(({ DATA_DIR, INSTANCES_DATA_DIR, INSTANCE_BUILD_ROOT, INSTANCE_RUNTIME, ...env }) => ({
    ...env,
    INSTANCE_RUNTIME: INSTANCE_RUNTIME ?? (env.DOCKER_HOST ? ('docker' as const) : ('process' as const)),
    INSTANCE_BUILD_ROOT: path.resolve(REPO_ROOT, INSTANCE_BUILD_ROOT ?? '.'),
    INSTANCES_DATA_DIR: path.resolve(
      REPO_ROOT,
      INSTANCES_DATA_DIR ??
        (env.NODE_ENV === 'test'
          ? path.join(os.tmpdir(), 'market-instances')
          : path.join(DATA_DIR ?? path.join(REPO_ROOT, '.data'), 'instances')),
    ),
  }));

export type InstancesEnv = z.infer<typeof instancesEnvSchema>;

export function loadInstancesEnv(source?: Record<string, string | undefined>): InstancesEnv {
  return parseEnv('instances', instancesEnvSchema, source);
}
