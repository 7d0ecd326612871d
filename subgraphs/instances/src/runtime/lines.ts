import { StringDecoder } from 'node:string_decoder';

/** Longest line kept; a longer one is cut into pieces of this length (a workload that never writes a newline cannot grow memory). */
export const MAX_LINE_LENGTH = 8192;

/**
 * Cuts a byte stream into lines: UTF-8 decoded across chunk boundaries, `\n` or `\r\n` ended, NUL
 * characters replaced (PostgreSQL text cannot hold them).
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(private readonly maxLength = MAX_LINE_LENGTH) {}

  push(chunk: Buffer | string): string[] {
    this.pending += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const lines: string[] = [];
    let newline: number;
    while ((newline = this.pending.indexOf('\n')) !== -1) {
      lines.push(...this.cut(this.pending.slice(0, newline).replace(/\r$/, '')));
      this.pending = this.pending.slice(newline + 1);
    }
    while (this.pending.length >= this.maxLength) {
      lines.push(clean(this.pending.slice(0, this.maxLength)));
      this.pending = this.pending.slice(this.maxLength);
    }
    return lines;
  }

  /** The last, unterminated line, if any. */
  end(): string[] {
    const rest = this.pending + this.decoder.end();
    this.pending = '';
    return rest.length > 0 ? this.cut(rest) : [];
  }

  private cut(line: string): string[] {
    if (line.length <= this.maxLength) return [clean(line)];
    const pieces: string[] = [];
    for (let i = 0; i < line.length; i += this.maxLength) pieces.push(clean(line.slice(i, i + this.maxLength)));
    return pieces;
  }
}

function clean(line: string): string {
  return line.includes('\0') ? line.replace(/\0/g, '\uFFFD') : line;
}

/**
 * A one-reader queue that applies backpressure: past `highWater` items it calls `pause` (the driver
 * stops reading the workload's pipes, so the workload waits on its writes) and `resume` once the
 * reader has caught up to half of it.
 */
export class LineChannel<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | null = null;
  private ended = false;
  private paused = false;

  constructor(private readonly options: { highWater: number; pause: () => void; resume: () => void }) {}

  push(item: T): void {
    if (this.ended) return;
    if (this.waiting) {
      const deliver = this.waiting;
      this.waiting = null;
      deliver({ value: item, done: false });
      return;
    }
    this.items.push(item);
    if (!this.paused && this.items.length >= this.options.highWater) {
      this.paused = true;
      this.options.pause();
    }
  }

  /** No more items will come; the reader still gets those queued. */
  end(): void {
    this.ended = true;
    if (this.waiting && this.items.length === 0) {
      const deliver = this.waiting;
      this.waiting = null;
      deliver({ value: undefined, done: true });
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        const item = this.items.shift();
        if (item !== undefined) {
          if (this.paused && this.items.length <= this.options.highWater / 2) {
            this.paused = false;
            this.options.resume();
          }
          return Promise.resolve({ value: item, done: false });
        }
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          this.waiting = resolve;
        });
      },
      return: () => {
        this.items.length = 0;
        this.end();
        if (this.paused) {
          this.paused = false;
          this.options.resume();
        }
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
