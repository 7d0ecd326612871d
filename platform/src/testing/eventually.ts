export interface EventuallyOptions {
  /** Give up after this many milliseconds. Default 10,000. */
  timeoutMs?: number;
  /** Pause between two attempts, in milliseconds. Default 50. */
  intervalMs?: number;
  /** What is awaited, for the error when it never comes ("the relay to LISTEN"). */
  what?: string;
}

type Truthy<T> = Exclude<T, null | undefined | false | 0 | ''>;

/**
 * Polls `probe` until it returns something truthy, and returns that: what tests wait for (a relayed
 * event, a consumer's effect, a job's run, a live message) happens on its own schedule. The second
 * argument is the options, or just the timeout in milliseconds.
 */
export async function eventually<T>(probe: () => T | Promise<T>, options: EventuallyOptions | number = {}): Promise<Truthy<T>> {
  const { timeoutMs = 10_000, intervalMs = 50, what } = typeof options === 'number' ? { timeoutMs: options } : options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as Truthy<T>;
    if (Date.now() > deadline)
      throw new Error(what ? `timed out after ${timeoutMs} ms waiting for ${what}` : `condition not met in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
