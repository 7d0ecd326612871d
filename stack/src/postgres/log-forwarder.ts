/** The server's stderr, grouped into messages (continuation lines attached) and forwarded when severe. */
import { clearTimeout, setTimeout } from 'node:timers';
import type { EmbeddedPostgresLog } from './types';

const SEVERE = new Set(['WARNING', 'ERROR', 'FATAL', 'PANIC']);
const CONTINUATION = new Set(['DETAIL', 'HINT', 'CONTEXT', 'STATEMENT', 'QUERY', 'LOCATION']);

/** Groups the server's stderr into messages and forwards the severe ones. */
export class LogForwarder {
  private buffer = '';
  private lines: string[] = [];
  private pending: { severity: string; message: string; pid: number | undefined; details: string[] } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private held: [string, Record<string, unknown>][] | undefined = [];

  constructor(
    private readonly log: EmbeddedPostgresLog,
    private readonly verbose: boolean,
    private readonly stopping: () => boolean,
  ) {}

  push(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      this.line(this.buffer.slice(0, nl));
      this.buffer = this.buffer.slice(nl + 1);
    }
    if (this.pending && !this.timer) {
      this.timer = setTimeout(() => this.flush(), 50);
      this.timer.unref();
    }
  }

  tail(): string {
    return [...this.lines, this.buffer].join('\n').trim();
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const p = this.pending;
    this.pending = undefined;
    if (!p) return;
    const quietNow =
      this.stopping() && /terminating connection due to administrator command|the database system is shutting down/.test(p.message);
    if ((SEVERE.has(p.severity) && !quietNow) || this.verbose) {
      const entry: [string, Record<string, unknown>] = [
        `postgres ${p.severity}: ${p.message}`,
        { severity: p.severity, ...(p.pid !== undefined ? { pid: p.pid } : {}), ...(p.details.length ? { details: p.details } : {}) },
      ];
      if (this.held) this.held.push(entry);
      else this.log(...entry);
    }
  }

  /** Until startup succeeds, messages are held: a failed start reports them in its error instead. */
  release(forward: boolean): void {
    this.flush();
    const held = this.held ?? [];
    this.held = undefined;
    if (forward) for (const entry of held) this.log(...entry);
  }

  private line(line: string): void {
    this.lines.push(line);
    if (this.lines.length > 60) this.lines.shift();
    const m = /^(?:\[(\d+)\] )?([A-Z]+):\s+(.*)$/.exec(line);
    if (m && CONTINUATION.has(m[2] ?? '') && this.pending) {
      this.pending.details.push(`${m[2]}: ${m[3]}`);
      return;
    }
    if (!m && this.pending && /^\s/.test(line)) {
      this.pending.details.push(line.trim());
      return;
    }
    this.flush();
    if (m) this.pending = { severity: m[2] ?? 'LOG', message: m[3] ?? '', pid: m[1] ? Number(m[1]) : undefined, details: [] };
    else if (line.trim()) this.pending = { severity: 'LOG', message: line.trim(), pid: undefined, details: [] };
  }
}
