/**
 * A push-to-pull bridge with a hard bound: a producer (pub/sub handler, upstream socket) pushes,
 * one consumer pulls with `for await`. It never grows past `max` waiting items: the push that
 * would exceed it is refused and `onOverflow` runs, so a slow consumer costs bounded memory and
 * is ended with a clear reason instead of slowing everyone else down.
 *
 * `onEnd` runs exactly once however the queue ends (consumer `return()`, `end()`, `fail()`), which
 * is where the producer's resources are released.
 */
export class BoundedQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private waiter: { resolve: (r: IteratorResult<T>) => void; reject: (err: unknown) => void } | null = null;
  /** No more pushes are accepted. */
  private closed = false;
  private failure: { error: unknown } | null = null;
  private released = false;

  constructor(
    private readonly options: {
      max: number;
      onOverflow?: (queued: number) => void;
      onEnd?: () => void | Promise<void>;
    },
  ) {
    if (!(options.max >= 1)) throw new RangeError('BoundedQueue max must be at least 1');
  }

  get size(): number {
    return this.items.length;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** False when the item was not taken (queue ended, or full: `onOverflow` has then been called). */
  push(item: T): boolean {
    if (this.closed) return false;
    if (this.waiter) {
      const { resolve } = this.waiter;
      this.waiter = null;
      resolve({ value: item, done: false });
      return true;
    }
    if (this.items.length >= this.options.max) {
      this.options.onOverflow?.(this.items.length);
      return false;
    }
    this.items.push(item);
    return true;
  }

  /** The producer is done: the consumer gets what is queued, then the end. */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.waiter && this.items.length === 0) {
      this.waiter.resolve({ value: undefined, done: true });
      this.waiter = null;
      void this.release();
    }
  }

  /** Ends now with an error for the consumer; what was queued is dropped. */
  fail(error: unknown): void {
    if (this.released || this.failure) return;
    this.closed = true;
    this.items.length = 0;
    if (this.waiter) {
      const { reject } = this.waiter;
      this.waiter = null;
      reject(error);
      void this.release();
      return;
    }
    this.failure = { error };
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length > 0) return Promise.resolve({ value: this.items.shift() as T, done: false });
    if (this.failure) {
      const { error } = this.failure;
      this.failure = null;
      void this.release();
      return Promise.reject(error);
    }
    if (this.closed) {
      void this.release();
      return Promise.resolve({ value: undefined, done: true });
    }
    if (this.waiter) return Promise.reject(new Error('BoundedQueue has one consumer: next() was called before the previous one settled'));
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** The consumer is done (unsubscribe, disconnect): drops what is queued and releases the producer. */
  async return(): Promise<IteratorResult<T>> {
    this.closed = true;
    this.items.length = 0;
    this.failure = null;
    if (this.waiter) {
      this.waiter.resolve({ value: undefined, done: true });
      this.waiter = null;
    }
    await this.release();
    return { value: undefined, done: true };
  }

  async throw(error?: unknown): Promise<IteratorResult<T>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.options.onEnd?.();
  }
}
