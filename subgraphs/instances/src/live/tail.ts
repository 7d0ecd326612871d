import type { LiveEvent } from '@market/platform';

/**
 * A live stream that starts with stored events: `stored` first, then the live events that came
 * after the last of them. The caller subscribes BEFORE reading what is stored, so nothing falls in
 * between; an event both stored and delivered live (its cursor not after the last stored one) is
 * dropped. `isAfter(a, b)`: cursor a comes after cursor b.
 */
export function storedThenLive<P>(
  stored: readonly LiveEvent<P>[],
  live: AsyncIterableIterator<LiveEvent<P>>,
  isAfter: (a: string, b: string) => boolean,
): AsyncIterableIterator<LiveEvent<P>> {
  const pending = [...stored];
  const last = stored.at(-1)?.cursor ?? null;
  const iterator: AsyncIterableIterator<LiveEvent<P>> = {
    async next() {
      const first = pending.shift();
      if (first) return { value: first, done: false };
      for (;;) {
        const result = await live.next();
        if (result.done || last === null || isAfter(result.value.cursor, last)) return result;
      }
    },
    return() {
      pending.length = 0;
      return live.return ? live.return() : Promise.resolve({ value: undefined, done: true });
    },
    throw(error?: unknown) {
      pending.length = 0;
      return live.throw ? live.throw(error) : Promise.reject(error);
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

/** Log line cursors are line ids: bigints as decimal strings. */
export const lineIdAfter = (a: string, b: string): boolean => BigInt(a) > BigInt(b);
