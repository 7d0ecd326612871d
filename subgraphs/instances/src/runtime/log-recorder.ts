import type { Logger } from '@market/platform';
import type { InstanceFeed } from '../live/instance-feed';
import type { LogLineRepository, NewLogLine } from '../repositories/log-line-repository';

export interface LogRecorderOptions {
  /** Lines kept per instance: after each batch, older ones are deleted. */
  keep: number;
  /** A line waits at most this long before it is stored. */
  flushMs?: number;
  /** Lines per INSERT. */
  batchSize?: number;
  /** Lines waiting beyond which `add` makes its caller (the workload's pipe reader) wait. */
  maxPending?: number;
}

/**
 * Stores what workloads write: lines are gathered for a moment and inserted in batches, each batch
 * followed by trimming its instances to their newest `keep` lines, then published on the feed.
 * Memory stays bounded: past `maxPending` waiting lines, writers wait (and so do the workloads).
 */
export class LogRecorder {
  private pending: NewLogLine[] = [];
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private waiters: (() => void)[] = [];
  private readonly flushMs: number;
  private readonly batchSize: number;
  private readonly maxPending: number;

  constructor(
    private readonly lines: LogLineRepository,
    private readonly feed: InstanceFeed,
    private readonly logger: Logger,
    private readonly options: LogRecorderOptions,
  ) {
    this.flushMs = options.flushMs ?? 200;
    this.batchSize = options.batchSize ?? 500;
    this.maxPending = options.maxPending ?? 5_000;
  }

  /** Queues a line; the promise (when there is one) settles once there is room again. */
  add(line: NewLogLine): Promise<void> | undefined {
    this.pending.push(line);
    if (this.pending.length >= this.batchSize) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
    if (this.pending.length < this.maxPending) return undefined;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Stores everything queued so far. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.flushing) await this.flushing;
    if (this.pending.length === 0) return;
    this.flushing = this.writeOut().finally(() => {
      this.flushing = null;
    });
    await this.flushing;
  }

  async close(): Promise<void> {
    await this.flush();
    for (const release of this.waiters.splice(0)) release();
  }

  private async writeOut(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.batchSize);
      try {
        const stored = await this.lines.appendAndTrim(batch, this.options.keep);
        for (const line of stored) this.feed.publishLogLine(line);
      } catch (err) {
        // Dropped rather than retried: a database that cannot take them must not fill this memory.
        this.logger.warn({ err, lines: batch.length }, 'could not store instance log lines; they are lost');
      }
      if (this.pending.length < this.maxPending) for (const release of this.waiters.splice(0)) release();
    }
  }
}
