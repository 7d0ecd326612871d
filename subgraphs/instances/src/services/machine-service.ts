import { z } from 'zod';
import { ConflictError, parseInput, ROLES, requireRole, requireUser, type Identity } from '@market/platform';
import type { MachineRecord } from '../domain';
import type { MachineRepository, NewMachine } from '../repositories/machine-repository';

const noNul = (s: string) => !s.includes('\0');

const envVarSchema = z.object({
  name: z
    .string()
    .max(128, 'an environment variable name is at most 128 characters')
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name is letters, digits and _, not starting with a digit'),
  value: z.string().max(4096, 'an environment variable value is at most 4096 characters').refine(noNul, 'must not contain NUL'),
});

const createMachineSchema = z
  .object({
    name: z.string().trim().min(1, 'name must not be empty').max(100, 'name is at most 100 characters'),
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
  })
  .refine((m) => Boolean(m.image) || (m.command?.length ?? 0) > 0, {
    message: 'a machine needs an image or a command',
    path: ['command'],
  });

export class MachineService {
  constructor(private readonly machines: MachineRepository) {}

  list(identity: Identity | null): Promise<MachineRecord[]> {
    requireUser({ identity });
    return this.machines.list();
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
    };
    const created = await this.machines.create(machine);
    if (!created) throw new ConflictError(`A machine named "${machine.name}" already exists (names ignore case); choose another name.`);
    return created;
  }
}
