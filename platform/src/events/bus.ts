import type { EventEnvelope, EventType } from './contracts';

export type EventListener = (event: EventEnvelope) => Promise<void>;

/**
 * Carries events between services with at-least-once delivery: a listener that throws gets the
 * event again (with backoff) and, after the last attempt, the event goes to dead letters.
 * Kafka in production; in-process in embedded mode.
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
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, initialDelayMs: 100, maxDelayMs: 5_000 };

export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  const exp = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1));
  return exp / 2 + Math.random() * (exp / 2);
}
