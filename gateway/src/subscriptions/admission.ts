import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import { refuseUpgrade, upgradePath, type Logger } from '@market/platform';
import type { SubscriptionLimits } from './subscription-limits';

export interface AdmissionOptions {
  httpServer: http.Server;
  wss: WebSocketServer;
  path: string;
  /** Browser origins allowed to open a socket; a request without Origin (not a browser) is allowed. */
  allowedOrigins: readonly string[];
  limits: Pick<SubscriptionLimits, 'maxConnections' | 'maxConnectionsPerIp'>;
  clientAddress(request: http.IncomingMessage): string | null;
  logger: Logger;
}

export interface Admission {
  /** Client addresses with at least one open (or opening) socket. */
  addresses(): number;
  /** Refuses every later upgrade with 503 (the gateway is draining). */
  refuseAll(): void;
  detach(): void;
}

/**
 * Who may open a socket, decided on the HTTP upgrade before any WebSocket exists: the path, the
 * browser origin, the per-process cap (503) and the per-address cap (429 with Retry-After).
 */
export function admitUpgrades(options: AdmissionOptions): Admission {
  const { httpServer, wss, limits, logger } = options;
  /** Open (or opening) sockets per client address. */
  const byAddress = new Map<string, number>();
  let refusing = false;

  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    if (upgradePath(req) !== options.path) {
      if (httpServer.listenerCount('upgrade') === 1) refuseUpgrade(socket, 404, `WebSocket connections are served on ${options.path}.`);
      return;
    }
    if (refusing) {
      refuseUpgrade(socket, 503, 'This gateway is shutting down; reconnect.', 1);
      return;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !options.allowedOrigins.includes(origin)) {
      logger.warn({ origin }, 'refused a WebSocket upgrade from an origin that is not allowed');
      refuseUpgrade(socket, 403, 'This origin may not open a WebSocket here.');
      return;
    }
    if (wss.clients.size >= limits.maxConnections) {
      refuseUpgrade(socket, 503, 'Too many open connections; retry later.', 5);
      return;
    }
    const address = options.clientAddress(req) ?? 'unknown';
    const open = byAddress.get(address) ?? 0;
    if (limits.maxConnectionsPerIp > 0 && open >= limits.maxConnectionsPerIp) {
      logger.warn({ ip: address, open }, 'refused a WebSocket upgrade: too many connections from one address');
      refuseUpgrade(socket, 429, `At most ${limits.maxConnectionsPerIp} open connections per client address; close one and retry.`, 5);
      return;
    }
    // Counted before the handshake completes, so a burst of upgrades cannot slip past the cap.
    byAddress.set(address, open + 1);
    let counted = true;
    const release = () => {
      if (!counted) return;
      counted = false;
      const left = (byAddress.get(address) ?? 1) - 1;
      if (left > 0) byAddress.set(address, left);
      else byAddress.delete(address);
    };
    socket.once('close', release);
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.once('close', release);
      wss.emit('connection', ws, req);
    });
  };
  httpServer.on('upgrade', onUpgrade);
  return {
    addresses: () => byAddress.size,
    refuseAll: () => {
      refusing = true;
    },
    detach: () => {
      httpServer.off('upgrade', onUpgrade);
    },
  };
}
