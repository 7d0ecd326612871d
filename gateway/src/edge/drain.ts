import type http from 'node:http';
import type { NextFunction, Request, Response } from 'express';

export interface Drain {
  /** Whether a shutdown has begun (/readyz answers 503 from that moment). */
  readonly draining: boolean;
  /** Express middleware: counts requests in flight, and asks clients to reconnect elsewhere once draining. */
  track(req: Request, res: Response, next: NextFunction): void;
  /**
   * Stops taking work and waits for the work in hand: after `delayMs` (a load balancer's time to
   * see /readyz fail) the listener closes and idle keep-alive connections with it; requests in
   * flight finish, each answered with `Connection: close`; at `deadlineMs` after the start whatever
   * is still open is cut. Resolves with the number of requests that were cut.
   */
  drain(options: { delayMs: number; deadlineMs: number }): Promise<number>;
}

export function createDrain(httpServer: http.Server): Drain {
  let draining = false;
  const inFlight = new Set<Response>();
  let settled: (() => void) | null = null;

  const finished = (res: Response) => {
    inFlight.delete(res);
    if (draining) httpServer.closeIdleConnections();
    if (inFlight.size === 0) settled?.();
  };

  return {
    get draining() {
      return draining;
    },
    track(_req, res, next) {
      inFlight.add(res);
      if (draining) res.shouldKeepAlive = false;
      res.once('close', () => finished(res));
      next();
    },
    async drain({ delayMs, deadlineMs }) {
      draining = true;
      const deadline = Date.now() + deadlineMs;
      for (const res of inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
      // Idle keep-alive sockets would otherwise carry a next request after the listener closed.
      httpServer.closeIdleConnections();
      if (delayMs > 0) await new Promise((r) => setTimeout(r, Math.min(delayMs, deadlineMs)));
      const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      httpServer.closeIdleConnections();
      if (inFlight.size > 0) {
        await new Promise<void>((resolve) => {
          settled = resolve;
          setTimeout(resolve, Math.max(deadline - Date.now(), 0)).unref();
        });
      }
      const cut = inFlight.size;
      httpServer.closeAllConnections();
      await closed;
      return cut;
    },
  };
}
