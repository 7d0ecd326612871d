import { z } from 'zod';
import { ConflictError, ForbiddenError, NotFoundError, parseInput, requireUser, type Identity } from '@market/platform';
import type { AllocationOutcome, InstanceLogLinePage, InstanceRecord, MachineRecord, PortPool } from '../domain';
import { isUniqueViolation, type AllocationStatements, type InstanceRepository } from '../repositories/instance-repository';
import type { LogLineRepository } from '../repositories/log-line-repository';
import type { InstanceSupervisor } from '../runtime/supervisor';
import { canSee, mayStart } from '../rules/access';
import { ACTIONS, refusal, type LifecycleAction } from '../rules/lifecycle';

export const MAX_LOG_PAGE = 1000;

const logPageSchema = z.object({
  // A cursor is a line id: digits, and small enough for a bigint.
  after: z
    .string()
    .regex(/^\d{1,18}$/, 'after must be a cursor from a previous page')
    .nullish(),
  first: z.number().int().min(1, 'first must be at least 1').max(MAX_LOG_PAGE, `first must be at most ${MAX_LOG_PAGE}`),
});

export const MAX_LOG_TAIL = 1000;
const tailSchema = z.object({
  tail: z.number().int().min(0, 'tail must be at least 0').max(MAX_LOG_TAIL, `tail must be at most ${MAX_LOG_TAIL}`),
});

/** Starting again clears what the last run left behind. */
const FRESH_RUN = { failureReason: null, exitCode: null, restartCount: 0 } as const;

export class InstanceService {
  constructor(
    private readonly instances: InstanceRepository,
    private readonly lines: LogLineRepository,
    private readonly supervisor: InstanceSupervisor,
    private readonly pool: PortPool,
  ) {}

  visible(identity: Identity | null, instance: InstanceRecord | null): InstanceRecord | null {
    return instance && canSee(identity, instance) ? instance : null;
  }

  /**
   * Allocates an instance of a machine for the caller, and starts it: a slot under the per-user
   * quota and the machine's capacity, and the lowest free port of the pool, in one transaction; then
   * STARTING, and the runtime takes it from there. Every status but REMOVED holds a slot and a port,
   * so a stopped or failed instance must be removed to free them.
   */
  async create(identity: Identity | null, machineId: string): Promise<AllocationOutcome> {
    const caller = requireUser({ identity });
    const claims: (() => void)[] = [];
    try {
      let outcome: AllocationOutcome;
      try {
        outcome = await this.instances.allocate((statements) => this.allocate(statements, caller, machineId, claims));
      } catch (err) {
        // The partial unique index on (host, port) refused a port another writer took first: once more.
        if (!isUniqueViolation(err)) throw err;
        outcome = await this.instances.allocate((statements) => this.allocate(statements, caller, machineId, claims));
      }
      if (outcome.kind === 'allocated') this.supervisor.follow(outcome.instance);
      return outcome;
    } finally {
      for (const release of claims) release();
    }
  }

  private async allocate(
    statements: AllocationStatements,
    caller: Identity,
    machineId: string,
    claims: (() => void)[],
  ): Promise<AllocationOutcome> {
    const machine = await statements.lockMachine(machineId);
    if (!machine) throw new NotFoundError('Machine', machineId);
    if (machine.retiredAt) return { kind: 'machineRetired', machine };
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
    const requested = await statements.insert({ machine, ownerId: caller.userId, host: this.pool.host, port });
    // Claimed before it commits: the reconciler must not take it for a lost one before its start is queued.
    claims.push(this.supervisor.claim(requested.id));
    const instance = (await statements.start(requested.id)) ?? requested;
    return { kind: 'allocated', instance };
  }

  /** REQUESTED, STOPPED or FAILED → STARTING; the runtime takes it on to RUNNING or FAILED. */
  async start(identity: Identity | null, id: string): Promise<InstanceRecord> {
    const instance = await this.find(identity, id);
    const moved = await this.supervisor.request(instance.id, () =>
      this.instances.transition(instance.id, ACTIONS.start.from, ACTIONS.start.to, FRESH_RUN),
    );
    return moved?.instance ?? this.refuse('start', instance.id);
  }

  /** STARTING or RUNNING → STOPPING; the runtime takes it on to STOPPED once the workload has exited. */
  async stop(identity: Identity | null, id: string): Promise<InstanceRecord> {
    const instance = await this.find(identity, id);
    const moved = await this.supervisor.request(instance.id, () =>
      this.instances.transition(instance.id, ACTIONS.stop.from, ACTIONS.stop.to),
    );
    return moved?.instance ?? this.refuse('stop', instance.id);
  }

  /** RUNNING → STOPPING, and started again once stopped; REQUESTED, STOPPED or FAILED → STARTING. */
  async restart(identity: Identity | null, id: string): Promise<InstanceRecord> {
    const instance = await this.find(identity, id);
    const stopping = await this.supervisor.request(
      instance.id,
      () => this.instances.transition(instance.id, ['RUNNING', 'UNHEALTHY'], 'STOPPING'),
      { restart: true },
    );
    if (stopping) return stopping.instance;
    const starting = await this.supervisor.request(instance.id, () =>
      this.instances.transition(instance.id, ['REQUESTED', 'STOPPED', 'FAILED'], 'STARTING', FRESH_RUN),
    );
    return starting?.instance ?? this.refuse('restart', instance.id);
  }

  /**
   * Removes the caller's instance (any, for an admin): REMOVED at once, then its workload is stopped
   * and released (and its volume deleted when asked) before this returns.
   */
  async remove(identity: Identity | null, id: string, deleteVolume: boolean): Promise<InstanceRecord> {
    const instance = await this.find(identity, id);
    const removed = await this.supervisor.remove(instance.id, deleteVolume, ACTIONS.remove.from);
    return removed ?? this.refuse('remove', instance.id);
  }

  /** A page of the instance's log lines, oldest first, after the cursor `after`. */
  async logLines(
    identity: Identity | null,
    instanceId: string,
    args: { after?: string | null; first: number },
  ): Promise<InstanceLogLinePage> {
    const instance = await this.find(identity, instanceId);
    const page = parseInput(logPageSchema, { after: args.after ?? null, first: args.first });
    const lines = await this.lines.page(instance.id, page.after ? BigInt(page.after) : null, page.first + 1);
    return { lines: lines.slice(0, page.first), hasNextPage: lines.length > page.first, hasPreviousPage: page.after !== null };
  }

  /** Checks a `tail` argument (BAD_USER_INPUT when out of range). */
  parseTail(tail: number | null | undefined): number {
    return parseInput(tailSchema, { tail: tail ?? 0 }).tail;
  }

  /** The newest `count` stored lines of an instance the caller may see (NOT_FOUND otherwise), oldest first. */
  async latestLogLines(identity: Identity | null, instanceId: string, count: number) {
    const instance = await this.find(identity, instanceId);
    return this.lines.latest(instance.id, count);
  }

  volumeSizeBytes(instance: InstanceRecord, machine: MachineRecord): Promise<number | null> {
    return this.supervisor.volumeSizeBytes(instance, machine);
  }

  /** The instance when the caller may see and act on it; NOT_FOUND otherwise, exactly as when there is none. */
  async find(identity: Identity | null, id: string): Promise<InstanceRecord> {
    const caller = requireUser({ identity });
    const instance = await this.instances.findById(id);
    if (!instance || !canSee(caller, instance)) throw new NotFoundError('Instance', id);
    return instance;
  }

  /** The transition was refused: CONFLICT, saying why for the status it is in now. */
  private async refuse(action: LifecycleAction, id: string): Promise<never> {
    const now = await this.instances.findById(id);
    throw new ConflictError(refusal(action, now?.status ?? 'REMOVED'));
  }
}
