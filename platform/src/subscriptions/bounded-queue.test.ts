import { BoundedQueue } from './bounded-queue';

describe('BoundedQueue', () => {
  it('hands items over in order, waiting when empty', async () => {
    const queue = new BoundedQueue<number>({ max: 10 });
    const first = queue.next();
    queue.push(1);
    queue.push(2);
    expect(await first).toEqual({ value: 1, done: false });
    expect(await queue.next()).toEqual({ value: 2, done: false });
  });

  it('refuses the push past max and reports the overflow instead of growing', () => {
    const overflows: number[] = [];
    const queue = new BoundedQueue<number>({ max: 2, onOverflow: (n) => overflows.push(n) });
    expect([queue.push(1), queue.push(2), queue.push(3)]).toEqual([true, true, false]);
    expect(queue.size).toBe(2);
    expect(overflows).toEqual([2]);
  });

  it('end() delivers what is queued, then the end, and releases once', async () => {
    let released = 0;
    const queue = new BoundedQueue<number>({ max: 5, onEnd: () => void released++ });
    queue.push(1);
    queue.end();
    expect(queue.push(2)).toBe(false);
    expect(await queue.next()).toEqual({ value: 1, done: false });
    expect(await queue.next()).toEqual({ value: undefined, done: true });
    expect(await queue.next()).toEqual({ value: undefined, done: true });
    expect(released).toBe(1);
  });

  it('fail() rejects the waiting consumer at once and releases', async () => {
    let released = 0;
    const queue = new BoundedQueue<number>({ max: 5, onEnd: () => void released++ });
    const waiting = queue.next();
    queue.fail(new Error('too slow'));
    await expect(waiting).rejects.toThrow('too slow');
    expect(released).toBe(1);
  });

  it('return() resolves a pending next, drops what is queued and releases once', async () => {
    let released = 0;
    const queue = new BoundedQueue<number>({ max: 5, onEnd: () => void released++ });
    const pending = queue.next();
    await queue.return();
    await queue.return();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(queue.push(1)).toBe(false);
    expect(released).toBe(1);
  });
});
