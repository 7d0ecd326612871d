import type { LiveEvent } from '@market/platform';
import { lineIdAfter, storedThenLive } from './tail';

function liveOf(events: LiveEvent<string>[]): AsyncIterableIterator<LiveEvent<string>> & { returned: boolean } {
  const queue = [...events];
  const it = {
    returned: false,
    async next() {
      const value = queue.shift();
      return value ? { value, done: false as const } : { value: undefined, done: true as const };
    },
    async return() {
      it.returned = true;
      return { value: undefined, done: true as const };
    },
    [Symbol.asyncIterator]() {
      return it;
    },
  };
  return it;
}

const ev = (cursor: string): LiveEvent<string> => ({ cursor, payload: `line ${cursor}` });

async function take(it: AsyncIterableIterator<LiveEvent<string>>): Promise<string[]> {
  const out: string[] = [];
  for await (const e of it) out.push(e.cursor);
  return out;
}

describe('storedThenLive', () => {
  it('sends the stored events, then only the live ones after them', async () => {
    expect(await take(storedThenLive([ev('8'), ev('9'), ev('10')], liveOf([ev('9'), ev('10'), ev('11'), ev('12')]), lineIdAfter))).toEqual([
      '8',
      '9',
      '10',
      '11',
      '12',
    ]);
  });

  it('passes every live event through when nothing was stored', async () => {
    expect(await take(storedThenLive([], liveOf([ev('1'), ev('2')]), lineIdAfter))).toEqual(['1', '2']);
  });

  it('ends the live stream when the subscriber leaves', async () => {
    const live = liveOf([ev('3')]);
    const it = storedThenLive([ev('1')], live, lineIdAfter);
    await it.next();
    await it.return?.();
    expect(live.returned).toBe(true);
  });

  it('compares line ids as numbers, not strings', () => {
    expect(lineIdAfter('10', '9')).toBe(true);
    expect(lineIdAfter('9', '10')).toBe(false);
  });
});
