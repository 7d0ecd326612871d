import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger';
import { validateEvent, type EventEnvelope, type EventType } from './contracts';
import {
  EventCounters,
  RetrySchedule,
  metricsFanOut,
  retryPolicy,
  type DeadLetter,
  type DeadLetterReason,
  type EventBus,
  type EventListener,
  type EventMetrics,
  type RetryPolicy,
} from './bus';
import type { FailureKind } from './failures';

interface Group {
  types: Set<EventType>;
  listeners: EventListener[];
  next: number;
  /** Per-aggregate chains keep one entity's events in order, as Kafka's keyed partitions do. */
  chains: Map<string, Promise<void>>;
}

/**
 * The embedded-mode bus: the same contract as Kafka (consumer groups, per-aggregate order,
 * retries with backoff that outlast infrastructure outages, dead letters) inside one process.
 * Durability comes from the outbox: an event is marked published only after `publish` resolves,
 * and handlers are idempotent.
 */
export class InProcessEventBus implements EventBus {
  /** Dead letters and handler failures since start, by group and type. */
  readonly counters = new EventCounters();
  private readonly groups = new Map<string, Group>();
  private readonly dead: (DeadLetter & { raw: EventEnvelope })[] = [];
  private readonly pending = new Set<Promise<void>>();
  /** Retries waiting for their backoff; closing wakes them so close() never waits out a long backoff. */
  private readonly sleepers = new Set<() => void>();
  private readonly retry: RetryPolicy;
  private readonly metrics: EventMetrics;
  private closing = false;
  private closed = false;

  constructor(
    private readonly logger: Logger,
    retry: Partial<RetryPolicy> = {},
    options: { metrics?: EventMetrics } = {},
  ) {
    this.retry = retryPolicy(retry);
    this.metrics = metricsFanOut(this.counters, options.metrics);
  }

  async publish(events: EventEnvelope[]): Promise<void> {
    if (this.closed) throw new Error('event bus is closed');
    for (const event of events) {
      for (const [name, group] of this.groups) {
        if (group.types.has(event.type)) this.dispatch(name, group, event);
      }
    }
  }

  async subscribe(group: string, types: readonly EventType[], listener: EventListener): Promise<void> {
    const existing = this.groups.get(group);
    if (existing) {
      for (const t of types) existing.types.add(t);
      existing.listeners.push(listener);
      return;
    }
    this.groups.set(group, { types: new Set(types), listeners: [listener], next: 0, chains: new Map() });
  }

  private dispatch(name: string, group: Group, event: EventEnvelope) {
    const listener = group.listeners[group.next++ % group.listeners.length];
    if (!listener) return;
    const previous = group.chains.get(event.aggregateId) ?? Promise.resolve();
    const run = previous.then(() => this.deliver(name, listener, event));
    group.chains.set(event.aggregateId, run);
    this.pending.add(run);
    void run.finally(() => {
      this.pending.delete(run);
      if (group.chains.get(event.aggregateId) === run) group.chains.delete(event.aggregateId);
    });
  }

  private async deliver(group: string, listener: EventListener, raw: EventEnvelope): Promise<void> {
    let event: EventEnvelope;
    try {
      event = validateEvent(raw);
    } catch (err) {
      this.bury(group, raw, err, 'permanent', 'permanent', 0);
      return;
    }
    const schedule = new RetrySchedule(this.retry);
    for (;;) {
      try {
        await listener(event);
        return;
      } catch (err) {
        const decision = schedule.afterFailure(err);
        this.metrics.handlerFailed?.({ group, type: raw.type, failure: decision.failure });
        if (decision.action === 'dead-letter') {
          this.bury(group, raw, err, decision.reason, decision.failure, decision.attempt);
          return;
        }
        // Nobody else can take the event over in this process: at close it is kept as a dead
        // letter (replayable while the process lives) rather than holding the shutdown up.
        if (this.closing) {
          this.bury(group, raw, err, 'shutdown', decision.failure, decision.attempt);
          return;
        }
        const { failure, attempt, delayMs } = decision;
        this.logger.warn(
          { err, group, eventId: raw.id, type: raw.type, failure, attempt, delay: Math.round(delayMs) },
          'event handler failed; retrying',
        );
        await this.sleep(delayMs);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  private bury(group: string, raw: EventEnvelope, err: unknown, reason: DeadLetterReason, failure: FailureKind, attempts: number) {
    const error = err instanceof Error ? err.message : String(err);
    const id = randomUUID();
    this.dead.push({ id, group, event: raw, raw, error, failedAt: new Date().toISOString() });
    this.metrics.deadLettered({ group, type: raw.type, reason });
    this.logger.error(
      {
        deadLetterId: id,
        group,
        eventId: raw.id,
        type: raw.type,
        reason,
        failure,
        attempts,
        error,
        deadLetters: this.counters.deadLetterCount({ group, type: raw.type }),
      },
      'event moved to dead letters',
    );
  }

  async deadLetters(): Promise<DeadLetter[]> {
    return this.dead.map(({ raw: _raw, ...letter }) => letter);
  }

  async replayDeadLetter(id: string): Promise<boolean> {
    const index = this.dead.findIndex((d) => d.id === id);
    const letter = this.dead[index];
    if (!letter) return false;
    const group = this.groups.get(letter.group);
    if (!group) return false;
    this.dead.splice(index, 1);
    this.dispatch(letter.group, group, letter.raw);
    return true;
  }

  /** Waits until every event handed out so far has been handled or buried. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const wake of [...this.sleepers]) wake();
    await this.drain();
    this.closed = true;
  }
}
