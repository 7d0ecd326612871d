import { BadUserInputError } from './errors';
import { encodeCursor, readCursor } from './cursor';

/** Relay paging arguments: `first`/`after` forwards, `last`/`before` backwards. */
export interface ListPageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export interface ListPageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface ListPage<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: ListPageInfo;
}

const isKeyCursor = (content: unknown): string | undefined =>
  Array.isArray(content) && content.length === 2 && content[0] === 'k' && typeof content[1] === 'string' ? content[1] : undefined;

/**
 * A Relay page (edges, cursors, a full PageInfo) of a list read whole in its order: for the short,
 * bounded lists of one user (their sessions, contacts, followers, at most a few hundred rows), where
 * one read of the list is cheaper than keyset queries in both directions. A cursor names an item by
 * its key, so items added or removed elsewhere in the list do not shift a page.
 */
export function pageOfList<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  args: ListPageArgs,
  limits: { defaultFirst: number; max: number } = { defaultFirst: 20, max: 100 },
): ListPage<T> {
  for (const name of ['first', 'last'] as const) {
    const n = args[name];
    if (n != null && (!Number.isInteger(n) || n < 0 || n > limits.max)) {
      throw new BadUserInputError(`${name} must be between 0 and ${limits.max}.`, { [name]: [`must be between 0 and ${limits.max}`] });
    }
  }
  const indexOf = (name: 'after' | 'before', cursor: string): number => {
    const key = readCursor(cursor, isKeyCursor);
    const index = key === undefined ? -1 : items.findIndex((item) => keyOf(item) === key);
    if (index < 0) {
      throw new BadUserInputError(`\`${name}\` is not a cursor of this list (or its item is gone): start again from the first page.`, {
        [name]: ['is not a cursor of this list'],
      });
    }
    return index;
  };
  let start = args.after ? indexOf('after', args.after) + 1 : 0;
  let end = args.before ? indexOf('before', args.before) : items.length;
  if (end < start) end = start;
  const afterStart = start > 0;
  const beforeEnd = end < items.length;
  const first = args.first ?? (args.last == null ? limits.defaultFirst : null);
  if (first != null && end - start > first) end = start + first;
  if (args.last != null && end - start > args.last) start = end - args.last;
  const edges = items.slice(start, end).map((node) => ({ cursor: encodeCursor(['k', keyOf(node)]), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: end < items.length && (first != null || beforeEnd),
      hasPreviousPage: start > 0 && (args.last != null || afterStart),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
