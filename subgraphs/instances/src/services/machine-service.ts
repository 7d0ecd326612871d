import { z } from 'zod';
import { ConflictError, NotFoundError, parseInput, ROLES, requireRole, requireUser, type Identity } from '@market/platform';
import type { MachineRecord } from '../domain';
import type { MachineChanges, MachineRepository, NewMachine } from '../repositories/machine-repository';

const noNul = (s: string) => !s.includes('\0');

const envVarSchema = z.object({
  name: z
    .string()
    .max(128, 'an environment variable name is at most 128 characters')
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name is letters, digits and _, not starting with a digit'),
  value: z.string().max(4096, 'an environment variable value is at most 4096 characters').refine(noNul, 'must not contain NUL'),
});

const healthCheckSchema = z
  .object({
    kind: z.enum(['HTTP', 'TCP']),
    path: z
      .string()
      .max(1024, 'healthCheck.path is at most 1024 characters')
      .regex(/^\/[\x21-\x7e]*$/, 'healthCheck.path must be an absolute path without spaces')
      .nullish(),
    intervalMs: z
      .number()
      .int()
      .min(100, 'healthCheck.intervalMs is 100 to 3600000')
      .max(3_600_000, 'healthCheck.intervalMs is 100 to 3600000')
      .nullish(),
    timeoutMs: z
      .number()
      .int()
      .min(50, 'healthCheck.timeoutMs is 50 to 60000')
      .max(60_000, 'healthCheck.timeoutMs is 50 to 60000')
      .nullish(),
    startTimeoutMs: z
      .number()
      .int()
      .min(100, 'healthCheck.startTimeoutMs is 100 to 3600000')
      .max(3_600_000, 'healthCheck.startTimeoutMs is 100 to 3600000')
      .nullish(),
    failureThreshold: z
      .number()
      .int()
      .min(1, 'healthCheck.failureThreshold is 1 to 100')
      .max(100, 'healthCheck.failureThreshold is 1 to 100')
      .nullish(),
  })
  .transform((h) => ({
    kind: h.kind,
    path: h.kind === 'HTTP' ? (h.path ?? '/') : null,
    intervalMs: h.intervalMs ?? 2000,
    timeoutMs: h.timeoutMs ?? 1000,
    startTimeoutMs: h.startTimeoutMs ?? 30_000,
    failureThreshold: h.failureThreshold ?? 3,
  }));

/** A directory of the repository: relative, normalised, never leaving it. */
const buildContextSchema = z
  .string()
  .trim()
  .max(255, 'buildContext is at most 255 characters')
  .regex(
    /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/,
    'buildContext must be a relative directory of the repository, such as subgraphs/instances/test-images/httpd',
  )
  .refine((p) => !p.split('/').some((part) => part === '..' || part === '.'), 'buildContext must not contain . or .. segments');

const workloadShape = {
  description: z.string().trim().max(2000, 'description is at most 2000 characters').nullish(),
  image: z
    .string()
    .trim()
    .max(255, 'image is at most 255 characters')
    .regex(/^[a-z0-9][a-z0-9._/:@-]*$/, 'image must be a Docker image reference such as nginx:1.27 or ghcr.io/org/app@sha256:...')
    .nullish(),
  command: z
    .array(z.string().min(1, 'a command argument must not be empty').max(4096).refine(noNul, 'must not contain NUL'))
    .max(64, 'command has at most 64 arguments')
    .nullish(),
  exposedPort: z.number().int().min(1, 'exposedPort is 1 to 65535').max(65535, 'exposedPort is 1 to 65535').nullish(),
  environment: z
    .array(envVarSchema)
    .max(100, 'at most 100 environment variables')
    .refine((vars) => new Set(vars.map((v) => v.name)).size === vars.length, 'environment variable names must be unique')
    .nullish(),
  volumeMountPath: z
    .string()
    .trim()
    .max(255, 'volumeMountPath is at most 255 characters')
    .regex(/^\/[^\0]*$/, 'volumeMountPath must be an absolute path')
    .nullish(),
  cpuLimit: z.number().gt(0, 'cpuLimit must be more than 0').max(64, 'cpuLimit is at most 64 cores').nullish(),
  memoryLimitMb: z.number().int().min(1, 'memoryLimitMb is at least 1').max(1_048_576, 'memoryLimitMb is at most 1048576').nullish(),
  maxInstancesPerUser: z.number().int().min(1, 'maxInstancesPerUser is at least 1').max(10_000, 'maxInstancesPerUser is at most 10000'),
  capacity: z.number().int().min(1, 'capacity is at least 1').max(100_000, 'capacity is at most 100000'),
  allowedRoles: z.array(z.enum(ROLES)).nullish(),
  buildContext: buildContextSchema.nullish(),
  healthCheck: healthCheckSchema.nullish(),
  restartPolicy: z.enum(['NEVER', 'ON_FAILURE', 'ALWAYS']).nullish(),
  maxRestarts: z.number().int().min(0, 'maxRestarts is 0 to 100').max(100, 'maxRestarts is 0 to 100').nullish(),
};

const runsSomething = (m: { image?: string | null; buildContext?: string | null; command?: string[] | null }) =>
  Boolean(m.image) || Boolean(m.buildContext) || (m.command?.length ?? 0) > 0;
const NEEDS_WORKLOAD = { message: 'a machine needs an image, a build context or a command', path: ['command'] };

const createMachineSchema = z
  .object({ name: z.string().trim().min(1, 'name must not be empty').max(100, 'name is at most 100 characters'), ...workloadShape })
  .refine(runsSomething, NEEDS_WORKLOAD);

const updateMachineSchema = z.object({
  ...workloadShape,
  maxInstancesPerUser: workloadShape.maxInstancesPerUser.optional(),
  capacity: workloadShape.capacity.optional(),
});

export class MachineService {
  constructor(private readonly machines: MachineRepository) {}

  list(identity: Identity | null, includeRetired = false): Promise<MachineRecord[]> {
    requireUser({ identity });
    return this.machines.list({ includeRetired });
  }

  async create(identity: Identity | null, input: unknown): Promise<MachineRecord> {
    requireRole({ identity }, 'ADMIN');
    const data = parseInput(createMachineSchema, input);
    const machine: NewMachine = {
      name: data.name,
      description: data.description || null,
      image: data.image || null,
      command: data.command ?? [],
      exposedPort: data.exposedPort ?? null,
      environment: data.environment ?? [],
      volumeMountPath: data.volumeMountPath ?? null,
      cpuLimit: data.cpuLimit ?? null,
      memoryLimitMb: data.memoryLimitMb ?? null,
      maxInstancesPerUser: data.maxInstancesPerUser,
      capacity: data.capacity,
      allowedRoles: [...new Set(data.allowedRoles ?? [])],
      buildContext: data.buildContext || null,
      healthCheck: data.healthCheck ?? null,
      restartPolicy: data.restartPolicy ?? 'NEVER',
      maxRestarts: data.maxRestarts ?? 3,
    };
    const created = await this.machines.create(machine);
    if (!created) throw new ConflictError(`A machine named "${machine.name}" already exists (names ignore case); choose another name.`);
    return created;
  }

  /**
   * Edits a machine: fields left out stay, null clears a nullable one. A change of what runs makes a
   * new version (new instances run it; existing ones keep theirs).
   */
  async update(identity: Identity | null, id: string, input: Record<string, unknown>): Promise<MachineRecord> {
    requireRole({ identity }, 'ADMIN');
    const data = parseInput(updateMachineSchema, input);
    const given = (key: string) => Object.prototype.hasOwnProperty.call(input, key);
    const changes: MachineChanges = {};
    const set = <K extends keyof MachineChanges>(key: K, value: MachineChanges[K]) => {
      if (given(key)) changes[key] = value;
    };
    set('description', data.description || null);
    set('image', data.image || null);
    set('buildContext', data.buildContext || null);
    set('command', data.command ?? []);
    set('exposedPort', data.exposedPort ?? null);
    set('environment', data.environment ?? []);
    set('volumeMountPath', data.volumeMountPath ?? null);
    set('cpuLimit', data.cpuLimit ?? null);
    set('memoryLimitMb', data.memoryLimitMb ?? null);
    set('healthCheck', data.healthCheck ?? null);
    if (data.restartPolicy) set('restartPolicy', data.restartPolicy);
    if (data.maxRestarts !== null && data.maxRestarts !== undefined) set('maxRestarts', data.maxRestarts);
    if (data.maxInstancesPerUser !== undefined) set('maxInstancesPerUser', data.maxInstancesPerUser);
    if (data.capacity !== undefined) set('capacity', data.capacity);
    if (data.allowedRoles) set('allowedRoles', [...new Set(data.allowedRoles)]);
    const [current] = await this.machines.findByIds([id]);
    if (!current) throw new NotFoundError('Machine', id);
    // The result must still run something.
    parseInput(z.object({}).passthrough().refine(runsSomething, NEEDS_WORKLOAD), { ...current, ...changes });
    const updated = await this.machines.update(id, changes);
    if (!updated) throw new NotFoundError('Machine', id);
    return updated;
  }

  /** Retires a machine: no new instances; existing ones keep running until removed. */
  async retire(identity: Identity | null, id: string): Promise<MachineRecord> {
    requireRole({ identity }, 'ADMIN');
    const retired = await this.machines.retire(id);
    if (!retired) throw new NotFoundError('Machine', id);
    return retired;
  }

  /**
   * Deletes a machine for good (ADMIN). Only a retired machine whose instances are all REMOVED can go:
   * retire it, let its users remove their instances, then delete. Returns the deleted id.
   */
  async delete(identity: Identity | null, id: string): Promise<string> {
    requireRole({ identity }, 'ADMIN');
    const outcome = await this.machines.delete(id);
    switch (outcome.kind) {
      case 'deleted':
        return id;
      case 'not-found':
        throw new NotFoundError('Machine', id);
      case 'not-retired':
        throw new ConflictError(
          'Only a retired machine can be deleted: retire it first (retireMachine), then delete it once its instances are removed.',
        );
      case 'in-use':
        throw new ConflictError(
          `The machine still has ${outcome.instances} instance(s) that are not removed; they must be removed before the machine can be deleted.`,
        );
    }
  }
}
