import type { LiveEvent } from '@market/platform';
import type { StoredBidResult } from './topics';

/**
 * `bidDecided` delivers one answer and completes. Subscribing and deciding race: the answer may be
 * stored before the subscription listens. So once it listens, the store is read; an answer found
 * there is delivered at once, otherwise the first live one.
 */
export function oneDecision(
  events: AsyncIterableIterator<LiveEvent<StoredBidResult>>,
  stored: () => Promise<StoredBidResult | null>,
): AsyncIterableIterator<LiveEvent<StoredBidResult>> {
  let done = false;
  const end = async (): Promise<IteratorReturnResult<undefined>> => {
    done = true;
    await events.return?.();
    return { value: undefined, done: true };
  };
  let storedChecked = false;
  return {
    async next(): Promise<IteratorResult<LiveEvent<StoredBidResult>>> {
      if (done) return { value: undefined, done: true };
      if (!storedChecked) {
        storedChecked = true;
        const answer = await stored();
        if (answer) {
          await end();
          return { value: { cursor: answer.commandId, payload: answer }, done: false };
        }
      }
      const item = await events.next();
      await end();
      return item;
    },
    return: end,
    async throw(error?: unknown) {
      await end();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
