import { LineChannel, LineSplitter } from './lines';

describe('LineSplitter', () => {
  it('cuts on \\n and \\r\\n, keeping the unterminated rest for later', () => {
    const s = new LineSplitter();
    expect(s.push(Buffer.from('one\r\ntwo\nthr'))).toEqual(['one', 'two']);
    expect(s.push(Buffer.from('ee\n\n'))).toEqual(['three', '']);
    expect(s.push(Buffer.from('last'))).toEqual([]);
    expect(s.end()).toEqual(['last']);
    expect(s.end()).toEqual([]);
  });

  it('decodes UTF-8 split across chunks', () => {
    const s = new LineSplitter();
    const bytes = Buffer.from('héllo ✓\n');
    expect(s.push(bytes.subarray(0, 2))).toEqual([]);
    expect(s.push(bytes.subarray(2, 9))).toEqual([]);
    expect(s.push(bytes.subarray(9))).toEqual(['héllo ✓']);
  });

  it('cuts lines longer than the limit, even without a newline', () => {
    const s = new LineSplitter(4);
    expect(s.push('abcdefghij\n')).toEqual(['abcd', 'efgh', 'ij']);
    expect(s.push('0123456')).toEqual(['0123']);
    expect(s.end()).toEqual(['456']);
  });

  it('replaces NUL characters', () => {
    expect(new LineSplitter().push('a\0b\n')).toEqual(['a\uFFFDb']);
  });
});

describe('LineChannel', () => {
  it('delivers in order, pauses past the high-water mark and resumes at half', async () => {
    const calls: string[] = [];
    const channel = new LineChannel<number>({ highWater: 4, pause: () => calls.push('pause'), resume: () => calls.push('resume') });
    for (let i = 1; i <= 5; i++) channel.push(i);
    expect(calls).toEqual(['pause']);
    const it = channel[Symbol.asyncIterator]();
    expect((await it.next()).value).toBe(1);
    expect((await it.next()).value).toBe(2);
    expect(calls).toEqual(['pause']);
    expect((await it.next()).value).toBe(3);
    expect(calls).toEqual(['pause', 'resume']);
    channel.end();
    expect((await it.next()).value).toBe(4);
    expect((await it.next()).value).toBe(5);
    expect((await it.next()).done).toBe(true);
  });

  it('wakes a waiting reader, and ends it', async () => {
    const channel = new LineChannel<string>({ highWater: 10, pause: () => undefined, resume: () => undefined });
    const it = channel[Symbol.asyncIterator]();
    const first = it.next();
    channel.push('a');
    expect(await first).toEqual({ value: 'a', done: false });
    const second = it.next();
    channel.end();
    expect((await second).done).toBe(true);
  });
});
