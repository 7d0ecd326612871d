import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger';
import { InvalidEventError, validateEvent, type EventEnvelope, type EventType } from './contracts';
import { DEFAULT_RETRY, backoffDelay, type DeadLetter, type EventBus, type EventListener, type RetryPolicy } from './bus';

interface Group {
  types: Set<EventType>;
  listeners: EventListener[];
  next: number;
  /** Per-aggregate chains keep one entity's events in order, as Kafka's keyed partitions do. */
  chains: Map<string, Promise<void>>;
}

/**
 * The embedded-mode bus: the same contract as Kafka (consumer groups, per-aggregate order,
 * retries with backoff, dead letters) inside one process. Durability comes from the outbox: an
 * event is marked published only after `publish` resolves, and handlers are idempotent.
 */
export class InProcessEventBus implements EventBus {
  private readonly groups = new Map<string, Group>();
  private readonly dead: (DeadLetter & { raw: EventEnvelope })[] = [];
  private readonly pending = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly logger: Logger,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {}

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
      this.bury(group, raw, err);
      return;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await listener(event);
        return;
      } catch (err) {
        if (err instanceof InvalidEventError || attempt >= this.retry.attempts || this.closed) {
          this.bury(group, raw, err);
          return;
        }
        const delay = backoffDelay(this.retry, attempt);
        this.logger.warn({ err, group, eventId: raw.id, type: raw.type, attempt, delay }, 'event handler failed; retrying');
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private bury(group: string, raw: EventEnvelope, err: unknown) {
    const error = err instanceof Error ? err.message : String(err);
    this.logger.error({ group, eventId: raw.id, type: raw.type, error }, 'event moved to dead letters');
    this.dead.push({ id: randomUUID(), group, event: raw, raw, error, failedAt: new Date().toISOString() });
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
    await this.drain();
    this.closed = true;
  }
}
