import type { Logger } from '@market/platform';
import type { ReaderRepository } from '../repositories/reader-repository';

/**
 * Keeps a reader's lease while their `messageAdded` subscription lives: opened when it starts,
 * renewed (at most every `renewEveryMs`) as events are delivered, closed when it ends. Lease errors
 * are logged, never thrown: they must not end a subscription (at worst a MESSAGE notification is sent
 * to someone who was reading).
 */
export async function withReadingLease<T>(
  events: AsyncIterator<T>,
  readers: ReaderRepository,
  who: { conversationId: string; userId: string },
  logger: Logger,
  renewEveryMs: number,
): Promise<AsyncIterableIterator<T>> {
  let leaseId: string | null = null;
  try {
    leaseId = await readers.open(who.conversationId, who.userId);
  } catch (err) {
    logger.warn({ err }, 'reading lease not opened');
  }
  let renewedAt = Date.now();
  let closed = false;
  const close = async () => {
    if (closed || !leaseId) return;
    closed = true;
    await readers.close(leaseId).catch((err: unknown) => logger.warn({ err }, 'reading lease not closed; it lapses by itself'));
  };
  const iterator: AsyncIterableIterator<T> = {
    [Symbol.asyncIterator]() {
      return iterator;
    },
    async next() {
      const result = await events.next();
      if (result.done) await close();
      else if (leaseId && Date.now() - renewedAt >= renewEveryMs) {
        renewedAt = Date.now();
        void readers.renew(leaseId).catch((err: unknown) => logger.warn({ err }, 'reading lease not renewed'));
      }
      return result;
    },
    async return(value?: unknown) {
      await close();
      return events.return ? events.return(value) : { done: true, value: value as T };
    },
    async throw(err?: unknown) {
      await close();
      if (events.throw) return events.throw(err);
      throw err;
    },
  };
  return iterator;
}
