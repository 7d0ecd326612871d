import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  requireUser,
  type Identity,
} from '@market/platform';
import type { AllocationOutcome, InstanceRecord, PortPool } from '../domain';
import { isUniqueViolation, type AllocationStatements, type InstanceRepository } from '../repositories/instance-repository';
import { mayStart } from './machine-service';

/** Only the owner and admins see an instance; to everyone else it does not exist. */
export function canSee(identity: Identity | null, instance: InstanceRecord): boolean {
  return identity !== null && (identity.userId === instance.ownerId || identity.role === 'ADMIN');
}

export class InstanceService {
  constructor(
    private readonly instances: InstanceRepository,
    private readonly pool: PortPool,
  ) {}

  visible(identity: Identity | null, instance: InstanceRecord | null): InstanceRecord | null {
    return instance && canSee(identity, instance) ? instance : null;
  }

  /**
   * Allocates an instance of a machine for the caller: a slot under the per-user quota and the
   * machine's capacity, and the lowest free port of the pool, in one transaction. Every status but
   * REMOVED holds a slot and a port, so a stopped or failed instance must be removed to free them.
   */
  async create(identity: Identity | null, machineId: string): Promise<AllocationOutcome> {
    const caller = requireUser({ identity });
    try {
      return await this.instances.allocate((statements) => this.allocate(statements, caller, machineId));
    } catch (err) {
      // The partial unique index on (host, port) refused a port another writer took first: once more.
      if (!isUniqueViolation(err)) throw err;
      return this.instances.allocate((statements) => this.allocate(statements, caller, machineId));
    }
  }

  private async allocate(statements: AllocationStatements, caller: Identity, machineId: string): Promise<AllocationOutcome> {
    const machine = await statements.lockMachine(machineId);
    if (!machine) throw new NotFoundError('Machine', machineId);
    if (!mayStart(machine, caller.role)) {
      throw new ForbiddenError(`Machine "${machine.name}" is for ${machine.allowedRoles.join(', ')}; you are ${caller.role}.`);
    }
    const held = await statements.heldSlots(machine.id, caller.userId);
    if (held.owner >= machine.maxInstancesPerUser) {
      return { kind: 'quotaExceeded', machine, limit: machine.maxInstancesPerUser };
    }
    if (held.total >= machine.capacity) return { kind: 'capacityExhausted', machine, capacity: machine.capacity };
    const port = await statements.lowestFreePort(this.pool);
    if (port === null) return { kind: 'noPortAvailable', host: this.pool.host };
    const instance = await statements.insert({ machine, ownerId: caller.userId, host: this.pool.host, port });
    return { kind: 'allocated', instance };
  }

  /** Marks the caller's instance (any, for an admin) REMOVED, which frees its slot and port. */
  async remove(identity: Identity | null, id: string): Promise<InstanceRecord> {
    const caller = requireUser({ identity });
    const [current] = await this.instances.findByIds([id]);
    if (!current || !canSee(caller, current)) throw new NotFoundError('Instance', id);
    const removed = current.status === 'REMOVED' ? null : await this.instances.markRemoved(current.id);
    if (!removed) throw new ConflictError(`Instance ${id} is already removed.`);
    return removed;
  }
}
