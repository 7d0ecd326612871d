import http from 'node:http';
import net from 'node:net';
import type { HealthCheck } from '../domain';

/** One probe's outcome: null when it passed, otherwise what went wrong (it becomes the failure reason). */
export type ProbeResult = string | null;

/**
 * Probes a workload once on host:port: an HTTP GET of the check's path that answers 2xx or 3xx, or a
 * TCP connection that opens, within the check's timeout. Never throws.
 */
export function probe(host: string, port: number, check: Pick<HealthCheck, 'kind' | 'path' | 'timeoutMs'>): Promise<ProbeResult> {
  return check.kind === 'HTTP' ? probeHttp(host, port, check.path ?? '/', check.timeoutMs) : probeTcp(host, port, check.timeoutMs);
}

function probeTcp(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (result: ProbeResult) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(`TCP ${host}:${port}: no connection within ${timeoutMs} ms`));
    socket.once('connect', () => done(null));
    socket.once('error', (err: NodeJS.ErrnoException) => done(`TCP ${host}:${port}: ${err.code ?? err.message}`));
  });
}

function probeHttp(host: string, port: number, path: string, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    // No keep-alive agent: a probe must not hold a connection to the workload between probes.
    const request = http.get(
      { host, port, path, agent: false, timeout: timeoutMs, headers: { 'user-agent': 'market-instances-health' } },
      (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        done(status >= 200 && status < 400 ? null : `HTTP GET ${path} answered ${status}`);
      },
    );
    request.once('timeout', () => {
      request.destroy();
      done(`HTTP GET ${path}: no answer within ${timeoutMs} ms`);
    });
    request.once('error', (err: NodeJS.ErrnoException) => done(`HTTP GET ${path}: ${err.code ?? err.message}`));
  });
}
