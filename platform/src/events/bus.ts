import type { EventEnvelope, EventType } from './contracts';
import { classifyFailure, type FailureKind } from './failures';
import { eventDeadLetters, eventHandlerRetries } from '../observability/metrics';

export type EventListener = (event: EventEnvelope) => Promise<void>;

/**
 * Carries events between services with at-least-once delivery. A listener that throws gets the
 * event again with backoff: for as long as it takes when what failed is infrastructure (a database
 * outage delays events, it never loses them), for the retry budget when the cause is unknown. Only
 * then, or at once for an event that can never be handled (`PermanentEventError`, an invalid
 * payload), does the event go to dead letters. Kafka in production; in-process in embedded mode.
 */
export interface EventBus {
  /** Resolves once the bus has durably accepted the events. */
  publish(events: EventEnvelope[]): Promise<void>;
  /**
   * Joins a consumer group: every event of the given types reaches exactly one member of the group.
   * Listeners must be idempotent (the inbox makes them so).
   */
  subscribe(group: string, types: readonly EventType[], listener: EventListener): Promise<void>;
  /** Dead letters, newest last, and a way to send one back to its group. */
  deadLetters(): Promise<DeadLetter[]>;
  replayDeadLetter(id: string): Promise<boolean>;
  close(): Promise<void>;
}

export interface DeadLetter {
  id: string;
  group: string;
  event: unknown;
  error: string;
  failedAt: string;
}

export interface RetryPolicy {
  /** Delay before the second attempt; it doubles with every further attempt... */
  initialDelayMs: number;
  /** ...up to this cap, which also bounds how long a recovered outage keeps an event waiting. */
  maxDelayMs: number;
  /**
   * How long an event whose handler keeps failing for an unknown reason is retried before it goes
   * to dead letters, counted from its first such failure. Infrastructure failures never exhaust it.
   */
  budgetMs: number;
  /** Optionally also stop after this many attempts with unknown failures (tests that want a quick verdict). */
  attempts?: number;
}

export const DEFAULT_RETRY: RetryPolicy = { initialDelayMs: 100, maxDelayMs: 10_000, budgetMs: 15 * 60_000 };

export function retryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as Partial<RetryPolicy>;
  return { ...DEFAULT_RETRY, ...defined };
}

/** Exponential backoff with jitter ("equal jitter": between half and all of the capped delay). */
export function backoffDelay(policy: Pick<RetryPolicy, 'initialDelayMs' | 'maxDelayMs'> & Partial<RetryPolicy>, attempt: number): number {
  const exp = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(attempt - 1, 30));
  return exp / 2 + Math.random() * (exp / 2);
}

/** Why an event went to dead letters. */
export type DeadLetterReason = 'permanent' | 'retries-exhausted' | 'shutdown';

export type RetryDecision =
  | { action: 'retry'; failure: FailureKind; attempt: number; delayMs: number }
  | { action: 'dead-letter'; failure: FailureKind; attempt: number; reason: DeadLetterReason };

/**
 * The retry state of one event in one consumer group: after each failure, whether to try again and
 * when. The budget clock starts at the first unknown failure and starts again after any
 * infrastructure failure, so a long outage followed by one odd error does not bury the event at once.
 */
export class RetrySchedule {
  private attempt = 0;
  private unknownFailures = 0;
  private unknownSince: number | null = null;

  constructor(
    private readonly policy: RetryPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  afterFailure(err: unknown): RetryDecision {
    this.attempt++;
    const failure = classifyFailure(err);
    if (failure === 'permanent') return { action: 'dead-letter', failure, attempt: this.attempt, reason: 'permanent' };
    if (failure === 'infrastructure') {
      this.unknownSince = null;
    } else {
      this.unknownFailures++;
      this.unknownSince ??= this.now();
      const overBudget = this.now() - this.unknownSince >= this.policy.budgetMs;
      const overAttempts = this.policy.attempts !== undefined && this.unknownFailures >= this.policy.attempts;
      if (overBudget || overAttempts) return { action: 'dead-letter', failure, attempt: this.attempt, reason: 'retries-exhausted' };
    }
    return { action: 'retry', failure, attempt: this.attempt, delayMs: backoffDelay(this.policy, this.attempt) };
  }
}

/**
 * Where a bus reports what happened to events, for a metrics system to pick up (a Prometheus
 * counter `market_event_dead_letters_total{group,type,reason}` maps one to one).
 */
export interface EventMetrics {
  deadLettered(labels: { group: string; type: string; reason: DeadLetterReason }): void;
  handlerFailed?(labels: { group: string; type: string; failure: FailureKind }): void;
}

/** In-memory counters every bus keeps (`bus.counters`), readable by a health or metrics endpoint. */
export class EventCounters implements EventMetrics {
  private readonly dead = new Map<string, { group: string; type: string; reason: DeadLetterReason; count: number }>();
  private readonly failed = new Map<string, { group: string; type: string; failure: FailureKind; count: number }>();

  deadLettered(labels: { group: string; type: string; reason: DeadLetterReason }): void {
    const key = `${labels.group}\0${labels.type}\0${labels.reason}`;
    const entry = this.dead.get(key) ?? { ...labels, count: 0 };
    entry.count++;
    this.dead.set(key, entry);
  }

  handlerFailed(labels: { group: string; type: string; failure: FailureKind }): void {
    const key = `${labels.group}\0${labels.type}\0${labels.failure}`;
    const entry = this.failed.get(key) ?? { ...labels, count: 0 };
    entry.count++;
    this.failed.set(key, entry);
  }

  /** Events moved to dead letters since start, optionally of one group and/or type. */
  deadLetterCount(filter: { group?: string; type?: string } = {}): number {
    let total = 0;
    for (const e of this.dead.values()) {
      if ((filter.group === undefined || e.group === filter.group) && (filter.type === undefined || e.type === filter.type))
        total += e.count;
    }
    return total;
  }

  /** Failed handler attempts since start, optionally of one group and/or kind of failure. */
  failureCount(filter: { group?: string; failure?: FailureKind } = {}): number {
    let total = 0;
    for (const e of this.failed.values()) {
      if ((filter.group === undefined || e.group === filter.group) && (filter.failure === undefined || e.failure === filter.failure))
        total += e.count;
    }
    return total;
  }

  /** Every counter, for an exporter. */
  snapshot(): {
    deadLetters: { group: string; type: string; reason: DeadLetterReason; count: number }[];
    failures: { group: string; type: string; failure: FailureKind; count: number }[];
  } {
    return { deadLetters: [...this.dead.values()].map((e) => ({ ...e })), failures: [...this.failed.values()].map((e) => ({ ...e })) };
  }
}

/** The process's Prometheus counters (`market_event_dead_letters_total`, `market_event_retries_total`). */
export const prometheusEventMetrics: EventMetrics = {
  deadLettered: (labels) => eventDeadLetters.inc(labels),
  handlerFailed: (labels) => eventHandlerRetries.inc(labels),
};

/** The bus's own counters, the process's Prometheus counters and, when given, the service's metrics sink. */
export function metricsFanOut(counters: EventCounters, extra?: EventMetrics): EventMetrics {
  const sinks: EventMetrics[] = [counters, prometheusEventMetrics, ...(extra ? [extra] : [])];
  return {
    deadLettered(labels) {
      for (const sink of sinks) sink.deadLettered(labels);
    },
    handlerFailed(labels) {
      for (const sink of sinks) sink.handlerFailed?.(labels);
    },
  };
}
