import type { Logger } from '@market/platform';
import type { Db, Tx } from '../../db';
import type { AuctionState } from '../rules/aggregate';
import type { AuctionEventData } from '../rules/events';
import { applyEvent } from '../rules/aggregate';
import { ConcurrencyConflict, type AuctionEventStore, type Appended } from '../repositories/event-store';
import type { AuctionCommandRepository, CommandRow } from '../repositories/command-repository';

/**
 * One command against one auction. `decide` sees the aggregate as it stands after the commands
 * before it in the same batch (null: no such auction) and returns the events to append and the
 * answer; `record` writes whatever else the command keeps (its idempotency row) in the append's
 * transaction. Both may run several times: after a conflict the batch is decided again on a fresh state.
 */
export interface AuctionCommand<R> {
  /** Why the events happened (the command id), stored with each event. */
  causationId: string | null;
  decide(state: AuctionState | null, now: number): { events: AuctionEventData[]; result: R };
  record?(tx: Tx, result: R, decidedAt: Date): Promise<void>;
  /** The `auction_commands` row this command keeps (written with the batch's others in one statement). */
  commandRow?(result: R): CommandRow | null;
  /** Runs before a batch is decided again after a conflict (e.g. to find an answer another replica stored). */
  prepare?(): Promise<void>;
}

/** What a committed batch tells the caller who publishes live events. */
export interface CommittedBatch {
  auctionId: string;
  before: AuctionState | null;
  appended: Appended[];
  state: AuctionState | null;
}

interface Queued {
  command: AuctionCommand<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

export class AuctionBusyError extends Error {
  constructor(readonly auctionId: string) {
    super(`auction ${auctionId}: too many commands waiting`);
    this.name = 'AuctionBusyError';
  }
}

/**
 * Decides and appends commands, one auction at a time in this process and with optimistic
 * concurrency between processes:
 * - each auction has a queue; its commands are taken in batches (group commit): decided one after
 *   the other on the aggregate, then appended in ONE transaction, so a hot auction costs one commit
 *   per batch instead of one per bid, and bids in this process never conflict with each other;
 * - another replica appending to the same auction is caught by the (auction_id, seq) key: the batch
 *   rolls back, the aggregate is caught up from the log and the whole batch is decided again;
 * - the aggregate stays cached between batches and is caught up from the log before each one, so a
 *   refusal is never decided on a state older than the log.
 */
export class AuctionCommandProcessor {
  private readonly queues = new Map<string, Queued[]>();
  private readonly cache = new Map<string, AuctionState>();
  private closed = false;
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly db: Db,
    private readonly store: AuctionEventStore,
    private readonly commands: AuctionCommandRepository,
    private readonly logger: Logger,
    private readonly options: {
      maxBatch: number;
      maxQueued: number;
      maxAttempts: number;
      onCommitted: (batch: CommittedBatch) => void;
    },
  ) {}

  /** Queues the command and resolves with its answer once its batch committed. */
  submit<R>(auctionId: string, command: AuctionCommand<R>): Promise<R> {
    if (this.closed) return Promise.reject(new Error('auction command processor is closed'));
    let queue = this.queues.get(auctionId);
    const starting = !queue;
    if (!queue) {
      queue = [];
      this.queues.set(auctionId, queue);
    }
    if (queue.length >= this.options.maxQueued) return Promise.reject(new AuctionBusyError(auctionId));
    const promise = new Promise<R>((resolve, reject) =>
      queue.push({ command: command as AuctionCommand<unknown>, resolve: resolve as (v: unknown) => void, reject }),
    );
    if (starting) {
      const run = this.drain(auctionId).finally(() => this.running.delete(run));
      this.running.add(run);
    }
    return promise;
  }

  /** How many commands wait for this auction in this process. */
  queued(auctionId: string): number {
    return this.queues.get(auctionId)?.length ?? 0;
  }

  /** The auction as this process last knew it, caught up from the log. */
  async current(auctionId: string): Promise<AuctionState | null> {
    const cached = this.cache.get(auctionId);
    const state = cached ? await this.store.catchUp(cached, auctionId) : await this.store.load(auctionId);
    if (state) this.remember(state);
    return state;
  }

  /** Stops taking commands and waits for the batches in flight. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.running]);
  }

  private remember(state: AuctionState): void {
    const known = this.cache.get(state.id);
    if (!known || known.seq <= state.seq) {
      // Insertion order doubles as recency: drop the oldest when the cache is full.
      this.cache.delete(state.id);
      this.cache.set(state.id, state);
      if (this.cache.size > 10_000) this.cache.delete(this.cache.keys().next().value as string);
    }
  }

  private async drain(auctionId: string): Promise<void> {
    const queue = this.queues.get(auctionId) as Queued[];
    try {
      while (queue.length > 0) {
        const batch = queue.splice(0, this.options.maxBatch);
        await this.runBatch(auctionId, batch);
      }
    } finally {
      this.queues.delete(auctionId);
      // A command queued between the last splice and the delete would be stranded: run it.
      if (queue.length > 0) {
        this.queues.set(auctionId, queue);
        const run = this.drain(auctionId).finally(() => this.running.delete(run));
        this.running.add(run);
      }
    }
  }

  private async runBatch(auctionId: string, batch: Queued[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        if (attempt > 1) for (const queued of batch) await queued.command.prepare?.();
        const before = await this.current(auctionId);
        const now = Date.now();
        const decidedAt = new Date(now);
        const outcomes: { result: unknown; events: AuctionEventData[]; queued: Queued }[] = [];
        let state = before;
        // Decide every command of the batch on the state the previous ones leave behind. The store
        // folds events as it appends them; deciding needs them folded now, so fold a copy here.
        const plan: { data: AuctionEventData; causationId: string | null }[] = [];
        for (const queued of batch) {
          const { events, result } = queued.command.decide(state, now);
          outcomes.push({ result, events, queued });
          if (events.length > 0) {
            for (const data of events) plan.push({ data, causationId: queued.command.causationId });
            state = foldPlanned(state, events, auctionId, decidedAt);
          }
        }
        const appended: Appended[] = [];
        let final = before;
        await this.db.$transaction(async (tx) => {
          // The whole batch is one append: one INSERT of events, one projection, one outbox write.
          const done = await this.store.append(tx, auctionId, before, plan, { occurredAt: decidedAt });
          if (done) {
            appended.push(done);
            final = done.state;
          }
          const rows = outcomes.flatMap((o) => o.queued.command.commandRow?.(o.result) ?? []);
          if (rows.length > 0) await this.commands.recordMany(tx, rows, decidedAt);
          for (const o of outcomes) await o.queued.command.record?.(tx, o.result, decidedAt);
        });
        if (final) this.remember(final);
        for (const o of outcomes) o.queued.resolve(o.result);
        if (appended.length > 0) {
          try {
            this.options.onCommitted({ auctionId, before, appended, state: final });
          } catch (err) {
            this.logger.warn({ err, auctionId }, 'auction live updates failed after commit');
          }
        }
        return;
      } catch (err) {
        const conflict = err instanceof ConcurrencyConflict || isUniqueViolation(err);
        if (conflict && attempt < this.options.maxAttempts) {
          this.cache.delete(auctionId);
          // Jittered backoff: the other writer's batch needs a moment to commit.
          await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
          continue;
        }
        this.cache.delete(auctionId);
        for (const queued of batch) queued.reject(err);
        return;
      }
    }
  }
}

function foldPlanned(state: AuctionState | null, events: AuctionEventData[], auctionId: string, at: Date): AuctionState | null {
  let current = state;
  for (const data of events)
    current = applyEvent(current, { auctionId, seq: (current?.seq ?? 0) + 1, data, occurredAt: at, causationId: null });
  return current;
}

/** A unique key refused a write: another replica got there first (a seq, an idempotency key). */
export function isUniqueViolation(err: unknown): boolean {
  const text = String((err as { message?: unknown })?.message ?? '') + JSON.stringify((err as { meta?: unknown })?.meta ?? {});
  return /23505|unique constraint|duplicate key/i.test(text);
}
