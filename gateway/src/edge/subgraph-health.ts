import { LogThrottle, type Logger } from '@market/platform';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive failures (timeouts, refused connections, 5xx) that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit answers at once without calling the subgraph; then one trial call. */
  cooldownMs: number;
  now?: () => number;
}

/**
 * One subgraph's circuit breaker. Closed: calls go through and consecutive failures are counted.
 * Open (after `failureThreshold` in a row): calls fail at once for `cooldownMs`, so a subgraph that
 * keeps timing out stops costing every request the full timeout. Half-open: one trial call goes
 * through; its success closes the circuit, its failure opens it again.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private trial = false;
  private readonly now: () => number;

  constructor(private readonly options: BreakerOptions) {
    this.now = options.now ?? Date.now;
  }

  get state(): BreakerState {
    if (this.failures < this.options.failureThreshold) return 'closed';
    return this.now() - this.openedAt >= this.options.cooldownMs ? 'half-open' : 'open';
  }

  /** Whether a call may go to the subgraph now. */
  allow(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.trial) return false;
    this.trial = true;
    return true;
  }

  success(): void {
    this.failures = 0;
    this.trial = false;
  }

  failure(): void {
    this.trial = false;
    this.failures += 1;
    if (this.failures >= this.options.failureThreshold) this.openedAt = this.now();
  }
}

export type FailureReason = 'timeout' | 'unreachable' | 'bad_response' | 'circuit_open';

/**
 * What the gateway knows about each subgraph's health from its own calls: one breaker per subgraph,
 * shared by every data source of that subgraph (HTTP queries and subscription entity fetches), and
 * failure logs at most once per interval per subgraph and reason, with the count of the ones
 * skipped (a dead subgraph under load would otherwise write a stack per request).
 */
export class SubgraphHealth {
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly throttle: LogThrottle;
  private readonly lastFailure = new Map<string, { reason: FailureReason; at: string }>();

  constructor(private readonly options: BreakerOptions & { logIntervalMs: number; logger: Logger }) {
    this.throttle = new LogThrottle(options.logIntervalMs);
  }

  breaker(subgraph: string): CircuitBreaker {
    let breaker = this.breakers.get(subgraph);
    if (!breaker) {
      breaker = new CircuitBreaker(this.options);
      this.breakers.set(subgraph, breaker);
    }
    return breaker;
  }

  failed(subgraph: string, reason: FailureReason, error: unknown): void {
    this.lastFailure.set(subgraph, { reason, at: new Date().toISOString() });
    this.throttle.log(
      this.options.logger,
      'warn',
      `${subgraph}:${reason}`,
      { subgraph, reason, error: error instanceof Error ? error.message : String(error), circuit: this.breaker(subgraph).state },
      'subgraph call failed',
    );
  }

  /** Per subgraph: the circuit's state and the last failure seen, for /readyz/subgraphs. */
  report(): Record<string, { circuit: BreakerState; lastFailure: { reason: FailureReason; at: string } | null }> {
    return Object.fromEntries(
      [...this.breakers].map(([name, breaker]) => [name, { circuit: breaker.state, lastFailure: this.lastFailure.get(name) ?? null }]),
    );
  }
}
