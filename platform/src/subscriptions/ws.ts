import type { Duplex } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import type { WebSocketServer } from 'ws';

/** Answers an upgrade request with a plain HTTP error and drops the socket. */
export function refuseUpgrade(socket: Duplex, status: 400 | 403 | 404 | 429 | 503, message: string, retryAfterSeconds?: number): void {
  const reason = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 503: 'Service Unavailable' }[status];
  const body = `${message}\n`;
  const retryAfter = retryAfterSeconds === undefined ? '' : `Retry-After: ${Math.max(0, Math.ceil(retryAfterSeconds))}\r\n`;
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n${retryAfter}` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  socket.once('finish', () => socket.destroy());
}

export function upgradePath(req: IncomingMessage): string {
  try {
    return new URL(req.url ?? '/', 'http://localhost').pathname;
  } catch {
    return '';
  }
}

/**
 * Closes every client with `code` and stops the server; a client that does not finish the close
 * handshake within `graceMs` is cut, so shutdown never waits on a frozen peer.
 */
export function closeWebSocketServer(wss: WebSocketServer, code = 1001, reason = 'Server shutting down', graceMs = 1_000): Promise<void> {
  for (const client of wss.clients) client.close(code, reason);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      for (const client of wss.clients) client.terminate();
    }, graceMs);
    timer.unref();
    wss.close(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
